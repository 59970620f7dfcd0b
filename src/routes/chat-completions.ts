import type { Context } from "hono";
import { type AppEnv, intVar } from "../env";
import { GatewayError } from "../errors";
import type { ResponseContext } from "../protocols/adapter";
import { type ChatRequest, chatRequest } from "../schemas/chat-request";
import type { Completion, Usage } from "../schemas/chat-response";
import { readJson, validationError } from "../schemas/zod-error";
import { buildStreamPipeline } from "../streaming/pipeline";
import { trackStream } from "../streaming/tally";
import { callUpstream, readBodyText, scrub } from "../upstream/call-upstream";
import { costUsd, tokenCounts, withCost } from "../usage/cost";
import { type Outcome, recordUsage } from "../usage/recorder";
import { type ResolvedTarget, resolveTarget } from "./resolve-target";
import { storeImageFor } from "./store-image";

/** What a request has learned so far, for its usage row. */
interface Ledger {
	model: string;
	resolved: ResolvedTarget | null;
	streamed: boolean;
	upstreamCalled: boolean;
}

export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
	const ledger: Ledger = { model: "", resolved: null, streamed: false, upstreamCalled: false };
	try {
		return await handle(c, ledger);
	} catch (cause) {
		const error = cause instanceof GatewayError ? cause : new GatewayError(500, "Internal gateway error.");
		const outcome: Outcome =
			error.code === "client_disconnected"
				? "client_disconnected"
				: ledger.upstreamCalled
					? "upstream_error"
					: "rejected";
		finishUsage(c, ledger, {
			outcome,
			status: error.status,
			errorCode: error.code,
			usage: null,
			ttftAt: null,
		});
		throw error;
	}
}

async function handle(c: Context<AppEnv>, ledger: Ledger): Promise<Response> {
	const raw = await readJson(c.req.raw);
	if (raw && typeof raw === "object" && typeof (raw as { model?: unknown }).model === "string") {
		ledger.model = (raw as { model: string }).model;
	}
	const parsed = chatRequest.safeParse(raw);
	if (!parsed.success) throw validationError(parsed.error);
	const request: ChatRequest = parsed.data;
	ledger.streamed = request.stream === true;

	const resolved = await resolveTarget(c.env, request.model, c.get("apiKey"));
	ledger.resolved = resolved;
	const { adapter, target, provider } = resolved;
	const secrets = [target.apiKey, target.baseUrl, safeHost(target.baseUrl)];
	// Bound: workerd refuses a fetch called with another `this`.
	const fetcher: typeof fetch = provider.fetch ?? ((input, init) => fetch(input, init));

	const upstreamRequest = await adapter.buildRequest(request, target, { fetch: fetcher });
	ledger.upstreamCalled = true;
	const firstByteTimeoutMs = intVar(c.env.UPSTREAM_FIRST_BYTE_TIMEOUT_MS, 60_000);
	const idleTimeoutMs = intVar(c.env.UPSTREAM_IDLE_TIMEOUT_MS, 120_000);
	const clientSignal = c.req.raw.signal;
	const upstream = await callUpstream(upstreamRequest, { fetch: fetcher, firstByteTimeoutMs, clientSignal });

	if (!upstream.ok) {
		const text = await readBodyText(upstream, idleTimeoutMs).catch(() => "");
		throw scrub(adapter.mapError(upstream.status, text, upstream.headers), secrets);
	}

	const responseContext: ResponseContext = {
		includeUsage: request.stream_options?.include_usage === true,
		storeImage: storeImageFor(c),
	};
	const created = Math.floor(c.get("startedAt") / 1000);

	if (!ledger.streamed) {
		const text = await readBodyText(upstream, idleTimeoutMs);
		let body: unknown;
		try {
			body = JSON.parse(text);
		} catch {
			throw new GatewayError(502, "The upstream provider sent an answer that is not JSON.", {
				code: "upstream_bad_response",
			});
		}
		const parsed = await adapter.parseResponse(body, responseContext);
		const head = { id: c.get("gateId"), object: "chat.completion" as const, created, model: request.model };
		const completion: Completion = Object.assign({ ...head }, parsed, head);
		if (completion.usage) completion.usage = withCost(resolved.model, completion.usage);
		finishUsage(c, ledger, {
			outcome: "ok",
			status: 200,
			errorCode: null,
			usage: completion.usage ?? null,
			ttftAt: null,
		});
		return c.json(completion);
	}

	const contentType = upstream.headers.get("content-type") ?? "";
	if (!contentType.includes("text/event-stream") || !upstream.body) {
		upstream.body?.cancel().catch(() => {});
		throw new GatewayError(502, "The upstream provider did not answer with an event stream.", {
			code: "upstream_bad_response",
		});
	}
	const tracked = trackStream();
	// workerd reports a client that hung up through the request's signal (compatibility flag
	// enable_request_signal); callUpstream has already tied the upstream fetch to the same signal.
	clientSignal.addEventListener("abort", () => tracked.settle("client_disconnected"), { once: true });
	const stream = buildStreamPipeline(
		upstream.body,
		adapter,
		responseContext,
		{
			gateId: c.get("gateId"),
			model: request.model,
			created,
			includeUsage: responseContext.includeUsage,
			priceUsage: (usage) => withCost(resolved.model, usage),
			tracked,
		},
		idleTimeoutMs,
	);
	c.executionCtx.waitUntil(
		tracked.ended.then((tally) =>
			writeUsage(c, ledger, {
				outcome: tally.outcome ?? "ok",
				status: tally.error?.status ?? (tally.outcome === "client_disconnected" ? 499 : 200),
				errorCode: tally.error?.code ?? null,
				usage: tally.usage,
				ttftAt: tally.firstTokenAt,
			}),
		),
	);
	return new Response(stream, {
		status: 200,
		headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
	});
}

interface Settlement {
	outcome: Outcome;
	status: number;
	errorCode: string | null;
	usage: Usage | null;
	ttftAt: number | null;
}

function finishUsage(c: Context<AppEnv>, ledger: Ledger, settlement: Settlement): void {
	c.executionCtx.waitUntil(writeUsage(c, ledger, settlement));
}

function writeUsage(c: Context<AppEnv>, ledger: Ledger, s: Settlement): Promise<void> {
	const started = c.get("startedAt");
	const now = Date.now();
	const tokens = tokenCounts(s.usage);
	const model = ledger.resolved?.model;
	const row = {
		id: c.get("gateId"),
		keyId: c.get("apiKey").id,
		model: model?.id ?? ledger.model,
		provider: model?.provider ?? null,
		upstreamModel: model?.upstreamModel ?? null,
		promptTokens: tokens.prompt,
		completionTokens: tokens.completion,
		totalTokens: tokens.total,
		cachedTokens: tokens.cached,
		reasoningTokens: tokens.reasoning,
		costUsd: model ? costUsd(model, tokens) : 0,
		outcome: s.outcome,
		status: s.status,
		errorCode: s.errorCode,
		streamed: ledger.streamed,
		latencyMs: now - started,
		ttftMs: s.ttftAt === null ? null : s.ttftAt - started,
		createdAt: started,
	};
	console.log(
		JSON.stringify({
			gate_id: row.id,
			key_id: row.keyId,
			model: row.model,
			status: row.status,
			outcome: row.outcome,
			latency_ms: row.latencyMs,
			prompt_tokens: row.promptTokens,
			completion_tokens: row.completionTokens,
		}),
	);
	return recordUsage(c.env, row).catch(() => {});
}

function safeHost(url: string): string | undefined {
	try {
		return new URL(url).host;
	} catch {
		return undefined;
	}
}
