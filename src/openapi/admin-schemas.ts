import * as z from "zod/mini";
import { outcomes } from "../usage/queries/filter";
import { responseSchemas } from "./responses";

/**
 * The dashboard's answers from the admin API, as zod schemas for the OpenAPI document only (the
 * routes build these bodies and never validate them). Inlined into their operations by
 * admin-paths.ts. Built on first use, as responses.ts is.
 */
export function adminSchemas() {
	const { KeyListing: keyListing } = responseSchemas();
	const text = (description: string) => z.string().check(z.describe(description));
	const count = z.int().check(z.minimum(0));
	const usd = (description: string) => z.number().check(z.describe(description));
	const time = text("ISO 8601 time, UTC.");
	const nextCursor = z.nullable(
		text("Pass as `cursor` for the next page; null on the last page. Opaque: keep it as it is."),
	);

	const keyWithSpend = z.object({
		...keyListing.shape,
		spent_usd: usd(
			"Spent in the current budget period according to the usage table (the sum of the key's usage " +
				"rows' cost): all time for `total`, the current UTC calendar month for `monthly`. Rows deleted " +
				"by retention are missing from it, and it includes spend made before the key had a budget.",
		),
		budget_spent_usd: z.nullable(
			usd(
				"Spent in the current budget period according to the key's limiter: the figure the budget is " +
					"enforced against (a request is refused once it reaches `budget_usd`). Counts only what was " +
					"spent while the key had limits. Null for a key without a budget, a revoked key, or when the " +
					"limiter cannot be read.",
			),
		),
	});

	const request = z.object({
		id: text("The request's gate id (its x-request-id)."),
		created_at: time,
		key_id: z.string(),
		key_name: z.nullable(text("The key's name; null when the key no longer exists.")),
		model: z.string(),
		ingress: text("The public API: chat, messages, responses or embeddings."),
		status: count,
		outcome: z.enum(outcomes),
		error_code: z.nullable(z.string()),
		streamed: z.boolean(),
		prompt_tokens: count,
		completion_tokens: count,
		total_tokens: count,
		cost_usd: usd("USD at catalog prices."),
		latency_ms: count,
		ttft_ms: z.nullable(count.check(z.describe("Time to the first streamed token."))),
		attempts: count.check(
			z.describe(
				"Upstream tries, retries and fallbacks included; a fallback skipped without a call (unknown, " +
					"disabled or not allowed for the key) is not counted.",
			),
		),
	});

	const usageGroup = z.object({
		group: text("The day (YYYY-MM-DD), hour (YYYY-MM-DDTHH:00Z), model id or key id, after group_by."),
		requests: count,
		prompt_tokens: count,
		completion_tokens: count,
		total_tokens: count,
		cost: usd("USD at catalog prices."),
		errors: count.check(z.describe("Requests whose outcome is not `ok`.")),
		key_name: z.optional(z.nullable(text("group_by=key only: the key's name, null if it no longer exists."))),
	});

	const modelStats = z.object({
		model: z.string(),
		requests: count.check(z.describe("Requests that reached the model: outcome `rejected` is not counted.")),
		errors: count.check(
			z.describe("Of those, the requests whose outcome is `upstream_error` or `client_disconnected`."),
		),
		error_rate: z.number().check(z.gte(0), z.lte(1), z.describe("errors / requests.")),
		p50_latency_ms: count.check(z.describe("Median latency, nearest rank.")),
		p95_latency_ms: count.check(z.describe("95th percentile latency, nearest rank.")),
		cost: usd("USD at catalog prices."),
	});

	const provider = z.object({
		name: z.string(),
		protocol: text("The wire protocol: openai, anthropic or gemini."),
		configured: z.boolean().check(z.describe("Whether the provider has an API key.")),
	});

	return {
		KeyPage: z.object({ data: z.array(keyWithSpend), next_cursor: nextCursor }),
		RequestPage: z.object({ data: z.array(request), next_cursor: nextCursor }),
		UsageReport: z.object({ data: z.array(usageGroup) }),
		ModelStatsList: z.object({ data: z.array(modelStats) }),
		ProviderList: z.object({ data: z.array(provider) }),
	};
}
