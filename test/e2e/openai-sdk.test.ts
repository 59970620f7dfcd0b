import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionTool } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
	OPENAI_KEY,
	RATE_LIMITED_RETRY_AFTER,
	STREAMED_TOOL_CALLS,
	TEXT,
	USAGE,
} from "../fakes/scenarios/openai";
import { GATE_ID } from "../shared/patterns";
import { type AdminClient, adminClient } from "./admin-client";
import { type RunningGateway, startGateway } from "./wrangler-dev";

/**
 * The real gateway (`npm run dev` → wrangler dev, local D1) driven by the official `openai` package,
 * as a client application would, against the fake OpenAI upstream.
 */

const ADMIN_TOKEN = "e2e-admin-token";
const UPSTREAM_KEY = OPENAI_KEY;
const UPSTREAM_USAGE = USAGE;
// USD per million tokens; no cached-input price, so cached tokens cost the input price.
const TEXT_PRICES = { input_price: 1, output_price: 2 };
const TOOLS_PRICES = { input_price: 3, output_price: 5 };
const TEXT_COST = (USAGE.prompt_tokens * 1 + USAGE.completion_tokens * 2) / 1e6;
const TOOLS_COST = (USAGE.prompt_tokens * 3 + USAGE.completion_tokens * 5) / 1e6;

const TOOLS: ChatCompletionTool[] = [
	{
		type: "function",
		function: {
			name: "get_weather",
			parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
		},
	},
	{
		type: "function",
		function: {
			name: "get_time",
			parameters: { type: "object", properties: { tz: { type: "string" } }, required: ["tz"] },
		},
	},
];

/** The demo model's token estimate (src/protocols/demo/echo.ts): a quarter of the characters, at least 1. */
const demoTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
const ECHO_SAID = "ping from the e2e suite";
const ECHO_PROMPT = demoTokens(JSON.stringify([{ role: "user", content: ECHO_SAID }]));
const ECHO_COMPLETION = demoTokens(`Echo: ${ECHO_SAID}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the gateway under wrangler dev, through the openai package", () => {
	const fakeUrl = inject("openaiUrl");
	let gateway: RunningGateway;
	let admin: AdminClient;
	let clientKey = "";
	let clientKeyId = "";
	let client: OpenAI;
	/** The gate ids of the requests that reached the completions route, to find them in the logs. */
	const gateIds: string[] = [];

	const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });

	beforeAll(async () => {
		const started = Date.now();
		gateway = await startGateway({
			vars: {
				OPENAI_BASE_URL: `${fakeUrl}/v1`,
				OPENAI_API_KEY: UPSTREAM_KEY,
				ADMIN_TOKEN,
				DEMO_MODEL: "on",
				// The log test below reads the per-request lines.
				LOG_REQUESTS: "on",
			},
		});
		console.info(`gateway ready on ${gateway.baseUrl} after ${Date.now() - started} ms`);
		admin = adminClient(gateway.baseUrl, ADMIN_TOKEN);
	});

	afterAll(async () => {
		await gateway?.stop();
	});

	it("creates a client key through the admin API; listings never show the key or its hash", async () => {
		// dev.mjs wrote .dev.vars with ADMIN_TOKEN=dev-admin-token: the --var setting must win over it.
		const refused = await admin.request("/admin/keys", { token: "dev-admin-token" });
		expect(refused.status).toBe(401);
		expect(JSON.parse(refused.text)).toEqual({
			error: {
				message: "Invalid admin token.",
				type: "invalid_request_error",
				param: null,
				code: "invalid_admin_token",
			},
		});

		const created = await admin.request("/admin/keys", { method: "POST", body: { name: "e2e client" } });
		expect(created.status, created.text).toBe(201);
		const body = JSON.parse(created.text) as Record<string, unknown>;
		expect(Object.keys(body).sort()).toEqual([
			"budget_period",
			"budget_usd",
			"created_at",
			"id",
			"key",
			"models",
			"name",
			"prefix",
			"revoked_at",
			"rpm",
			"tpm",
		]);
		clientKey = String(body.key);
		clientKeyId = String(body.id);
		expect(clientKey).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);
		expect(body).toMatchObject({
			name: "e2e client",
			prefix: clientKey.slice(0, 10),
			models: null,
			revoked_at: null,
		});
		client = new OpenAI({ apiKey: clientKey, baseURL: `${gateway.baseUrl}/v1` });

		const listed = await admin.request("/admin/keys");
		expect(listed.status).toBe(200);
		expect(JSON.parse(listed.text)).toEqual({
			data: [
				{
					id: clientKeyId,
					name: "e2e client",
					prefix: clientKey.slice(0, 10),
					models: null,
					budget_usd: null,
					budget_period: "total",
					rpm: null,
					tpm: null,
					created_at: body.created_at,
					revoked_at: null,
					spent_usd: 0,
					budget_spent_usd: null,
				},
			],
			next_cursor: null,
		});
		const hash = Buffer.from(
			await crypto.subtle.digest("SHA-256", new TextEncoder().encode(clientKey)),
		).toString("hex");
		expect(listed.text).not.toContain(clientKey);
		expect(listed.text).not.toContain(clientKey.slice(10));
		expect(listed.text.toLowerCase()).not.toContain(hash);
	});

	it("registers catalog models through the admin API", async () => {
		const specs: Array<[string, Record<string, unknown>]> = [
			["openai/e2e-text", { upstream_model: "text", ...TEXT_PRICES }],
			["openai/e2e-tools", { upstream_model: "tools", ...TOOLS_PRICES, capabilities: { tools: true } }],
			["openai/e2e-ratelimited", { upstream_model: "rate-limited", ...TEXT_PRICES }],
		];
		for (const [id, spec] of specs) {
			const saved = await admin.putModel(id, { provider: "openai", enabled: true, ...spec });
			expect(saved).toMatchObject({
				id,
				provider: "openai",
				upstream_model: spec.upstream_model,
				enabled: true,
				input_price: spec.input_price,
				output_price: spec.output_price,
			});
		}
	});

	it("lists the registered models and the demo model", async () => {
		const ids: string[] = [];
		for await (const model of client.models.list()) {
			expect(model.object).toBe("model");
			ids.push(model.id);
		}
		expect(ids).toContain("openai/e2e-text");
		expect(ids).toContain("openai/e2e-tools");
		expect(ids).toContain("demo/echo");
		// The seeded catalog is there too: the migrations ran on the fresh local D1.
		expect(ids).toContain("openai/gpt-5.5");
		expect(new Set(ids).size).toBe(ids.length);
	});

	it("answers a non-streamed completion under the gate id and the client's model id, with cost", async () => {
		const { data, response, request_id } = await client.chat.completions
			.create({ model: "openai/e2e-text", messages: [{ role: "user", content: "Say hello" }] })
			.withResponse();
		expect(response.status).toBe(200);
		expect(data.id).toMatch(GATE_ID);
		expect(response.headers.get("x-request-id")).toBe(data.id);
		expect(request_id).toBe(data.id);
		expect(data.object).toBe("chat.completion");
		expect(data.model).toBe("openai/e2e-text");
		expect(data.choices).toHaveLength(1);
		expect(data.choices[0]?.message.content).toBe(TEXT);
		expect(data.choices[0]?.message.role).toBe("assistant");
		expect(data.choices[0]?.finish_reason).toBe("stop");
		expect(data.usage).toEqual({ ...UPSTREAM_USAGE, cost: TEXT_COST });
		gateIds.push(data.id);
	});

	it("streams a completion: one gate id, the client's model id, usage and stop on the last chunk", async () => {
		const stream = await client.chat.completions.create({
			model: "openai/e2e-text",
			messages: [{ role: "user", content: "Say hello" }],
			stream: true,
			stream_options: { include_usage: true },
		});
		const chunks: ChatCompletionChunk[] = [];
		for await (const chunk of stream) chunks.push(chunk);
		expect(chunks.length).toBeGreaterThan(2);
		const id = chunks[0]?.id ?? "";
		expect(id).toMatch(GATE_ID);
		expect(id).not.toBe(gateIds[0]);
		for (const chunk of chunks) {
			expect(chunk.id).toBe(id);
			expect(chunk.model).toBe("openai/e2e-text");
			expect(chunk.object).toBe("chat.completion.chunk");
		}
		expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(TEXT);
		expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
		const last = chunks.at(-1);
		expect(last?.choices).toHaveLength(1);
		expect(last?.choices[0]?.finish_reason).toBe("stop");
		expect(last?.usage).toEqual({ ...UPSTREAM_USAGE, cost: TEXT_COST });
		for (const chunk of chunks.slice(0, -1)) {
			expect(chunk.usage ?? null).toBeNull();
			expect(chunk.choices[0]?.finish_reason ?? null).toBeNull();
		}
		gateIds.push(id);
	});

	it("reassembles streamed parallel tool calls with the SDK's stream helper", async () => {
		const stream = client.chat.completions.stream({
			model: "openai/e2e-tools",
			messages: [{ role: "user", content: "Weather in Paris, and the time in CET?" }],
			tools: TOOLS,
		});
		const final = await stream.finalChatCompletion();
		expect(final.id).toMatch(GATE_ID);
		expect(final.model).toBe("openai/e2e-tools");
		expect(final.choices).toHaveLength(1);
		const choice = final.choices[0];
		expect(choice?.finish_reason).toBe("tool_calls");
		expect(choice?.message.content ?? null).toBeNull();
		const calls = (choice?.message.tool_calls ?? []).map((call) => {
			if (call.type !== "function") throw new Error(`unexpected tool call type ${call.type}`);
			return { id: call.id, type: call.type, name: call.function.name, arguments: call.function.arguments };
		});
		expect(calls).toEqual(
			STREAMED_TOOL_CALLS.map(({ id, name, pieces }) => ({
				id,
				type: "function",
				name,
				arguments: pieces.join(""),
			})),
		);
		expect(JSON.parse(calls[0]?.arguments ?? "")).toEqual({ city: 'Paris "France"' });
		gateIds.push(final.id);
	});

	it("answers on the demo model, streamed and not, to two clients at once", async () => {
		const echoUsage = {
			prompt_tokens: ECHO_PROMPT,
			completion_tokens: ECHO_COMPLETION,
			total_tokens: ECHO_PROMPT + ECHO_COMPLETION,
			cost: 0,
		};
		const [plain, chunks] = await Promise.all([
			client.chat.completions.create({
				model: "demo/echo",
				messages: [{ role: "user", content: ECHO_SAID }],
			}),
			(async () => {
				const stream = await client.chat.completions.create({
					model: "demo/echo",
					messages: [{ role: "user", content: ECHO_SAID }],
					stream: true,
					stream_options: { include_usage: true },
				});
				const chunks: ChatCompletionChunk[] = [];
				for await (const chunk of stream) chunks.push(chunk);
				return chunks;
			})(),
		]);
		expect(plain.id).toMatch(GATE_ID);
		expect(plain.model).toBe("demo/echo");
		expect(plain.choices[0]?.message.content).toBe(`Echo: ${ECHO_SAID}`);
		expect(plain.choices[0]?.finish_reason).toBe("stop");
		expect(plain.usage).toEqual(echoUsage);

		const id = chunks[0]?.id ?? "";
		expect(id).toMatch(GATE_ID);
		expect(id).not.toBe(plain.id);
		expect(chunks.every((chunk) => chunk.id === id && chunk.model === "demo/echo")).toBe(true);
		expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(`Echo: ${ECHO_SAID}`);
		expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
		expect(chunks.at(-1)?.usage).toEqual(echoUsage);
		gateIds.push(plain.id, id);
	});

	it("reports errors the SDK maps to its own error classes", async () => {
		const noRetries = sdk(clientKey);

		const unknown = await noRetries.chat.completions
			.create({ model: "openai/does-not-exist", messages: [{ role: "user", content: "hi" }] })
			.catch((error: unknown) => error);
		expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
		expect(unknown).toMatchObject({
			status: 404,
			code: "model_not_found",
			type: "invalid_request_error",
			param: "model",
			error: {
				message: "The model 'openai/does-not-exist' does not exist or is not enabled on this gateway.",
			},
		});
		const unknownId = (unknown as InstanceType<typeof OpenAI.APIError>).requestID ?? "";
		expect(unknownId).toMatch(GATE_ID);

		const badKey = await sdk("sk-this-key-does-not-exist")
			.chat.completions.create({ model: "openai/e2e-text", messages: [{ role: "user", content: "hi" }] })
			.catch((error: unknown) => error);
		expect(badKey).toBeInstanceOf(OpenAI.AuthenticationError);
		expect(badKey).toMatchObject({
			status: 401,
			code: "invalid_api_key",
			error: { message: "Invalid API key." },
		});

		const limited = await noRetries.chat.completions
			.create({ model: "openai/e2e-ratelimited", messages: [{ role: "user", content: "hi" }] })
			.catch((error: unknown) => error);
		expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
		expect(limited).toMatchObject({
			status: 429,
			code: "rate_limit_exceeded",
			error: { message: "The upstream provider is rate-limiting requests: Rate limit reached for requests" },
		});
		expect((limited as InstanceType<typeof OpenAI.APIError>).headers?.get("retry-after")).toBe(
			RATE_LIMITED_RETRY_AFTER,
		);
		const limitedId = (limited as InstanceType<typeof OpenAI.APIError>).requestID ?? "";
		expect(limitedId).toMatch(GATE_ID);
		gateIds.push(unknownId, limitedId);
	});

	it("records usage per model with the right token sums", async () => {
		const zero = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost: 0 };
		const expected = [
			{
				group: "demo/echo",
				errors: 0,
				requests: 2,
				prompt_tokens: 2 * ECHO_PROMPT,
				completion_tokens: 2 * ECHO_COMPLETION,
				total_tokens: 2 * (ECHO_PROMPT + ECHO_COMPLETION),
				cost: 0,
			},
			{ group: "openai/does-not-exist", requests: 1, errors: 1, ...zero },
			{ group: "openai/e2e-ratelimited", requests: 1, errors: 1, ...zero },
			{
				group: "openai/e2e-text",
				errors: 0,
				requests: 2,
				prompt_tokens: 2 * USAGE.prompt_tokens,
				completion_tokens: 2 * USAGE.completion_tokens,
				total_tokens: 2 * USAGE.total_tokens,
				cost: 2 * TEXT_COST,
			},
			{
				group: "openai/e2e-tools",
				errors: 0,
				requests: 1,
				prompt_tokens: USAGE.prompt_tokens,
				completion_tokens: USAGE.completion_tokens,
				total_tokens: USAGE.total_tokens,
				cost: TOOLS_COST,
			},
		];
		// Rows are written after the response (waitUntil): poll until all of them are in.
		let rows: unknown;
		for (let i = 0; i < 50; i++) {
			const res = await admin.request(`/admin/usage?group_by=model&key_id=${clientKeyId}`);
			expect(res.status, res.text).toBe(200);
			rows = (JSON.parse(res.text) as { data: unknown }).data;
			const requests = (rows as Array<{ requests: number }>).reduce((sum, row) => sum + row.requests, 0);
			if (requests >= 7) break;
			await sleep(100);
		}
		expect(rows).toEqual(expected);

		// The unfiltered totals are the same rows: the bad key left none, and this D1 started empty.
		const all = await admin.request("/admin/usage?group_by=model");
		expect((JSON.parse(all.text) as { data: unknown }).data).toEqual(expected);
		const one = await admin.request("/admin/usage?group_by=model&model=openai/e2e-tools");
		expect((JSON.parse(one.text) as { data: unknown }).data).toEqual([expected[4]]);
	});

	it("never writes secrets, the client key or the upstream address to its logs", async () => {
		// The Worker's own log lines (one per request, with its gate id) are in the captured output,
		// so the checks below look at what the gateway really printed.
		for (let i = 0; i < 50 && !gateIds.every((id) => gateway.logs().includes(id)); i++) await sleep(100);
		const logs = gateway.logs();
		expect(gateIds).toHaveLength(7);
		for (const id of gateIds) expect(logs).toContain(id);
		expect(logs).toContain(clientKeyId);

		const fakeHost = new URL(fakeUrl).host;
		expect(fakeHost).toMatch(/^127\.0\.0\.1:\d+$/);
		for (const secret of [
			UPSTREAM_KEY,
			"upstream-openai-SECRET",
			ADMIN_TOKEN,
			clientKey,
			clientKey.slice(10),
			fakeHost,
		]) {
			expect(logs).not.toContain(secret);
		}
	});

	it("ran every request to completion: the Workers runtime reported no errors", async () => {
		// workerd prints these when a request's waitUntil work never settles or a promise crosses requests.
		const logs = gateway.logs();
		expect(logs).not.toContain("[ERROR]");
		expect(logs).not.toContain("Uncaught");
		expect(logs).not.toContain("had hung");
		expect(logs).not.toContain("from a different request context");
	});
});
