import type { KeyRecord } from "../auth/key-record";
import type { Env } from "../env";
import { GatewayError } from "../errors";
import { admitRequest, settleRequest } from "../limits/enforce";
import type { ResponseContext } from "../protocols/adapter";
import { gatewayHeaders, jsonResponse } from "../respond";
import { type ChatRequest, chatRequest } from "../schemas/chat-request";
import type { Completion, Usage } from "../schemas/chat-response";
import { checkInputLimits, inputLimits } from "../schemas/input-limits";
import { readJson, validationError } from "../schemas/zod-error";
import { buildStreamPipeline } from "../streaming/pipeline";
import { trackStream } from "../streaming/tally";
import { scrubUpstream } from "../upstream/call-upstream";
import { costUsd, tokenCounts, withCost } from "../usage/cost";
import { estimateStreamedUsage } from "../usage/estimate";
import { logFields, type Outcome, recordUsage, type UsageRow } from "../usage/recorder";
import { type DispatchLog, dispatch, dispatchSettings } from "./dispatch";
import { storeImageFor } from "./store-image";

/** What a request has learned so far, for its usage row. */
interface Ledger extends DispatchLog {
	model: string;
	streamed: boolean;
}

/** One chat request as the route sees it: what the router or the hot path (src/hot-path.ts) learned. */
export interface ChatCall {
	request: Request;
	env: Env;
	ctx: { waitUntil(work: Promise<unknown>): void };
	gateId: string;
	startedAt: number;
	apiKey: KeyRecord;
}

export async function chatCompletions(c: ChatCall): Promise<Response> {
	const ledger: Ledger = { model: "", resolved: null, streamed: false, attempts: [] };
	try {
		return await handle(c, ledger);
	} catch (cause) {
		const error = cause instanceof GatewayError ? cause : new GatewayError(500, "Internal gateway error.");
		const outcome: Outcome =
			error.code === "client_disconnected"
				? "client_disconnected"
				: ledger.attempts.some((a) => !a.skipped)
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

async function handle(c: ChatCall, ledger: Ledger): Promise<Response> {
	const raw = await readJson(c.request);
	if (raw && typeof raw === "object" && typeof (raw as { model?: unknown }).model === "string") {
		ledger.model = (raw as { model: string }).model;
	}
	const parsed = chatRequest.safeParse(raw);
	if (!parsed.success) throw validationError(parsed.error);
	const request: ChatRequest = parsed.data;
	checkInputLimits(request, inputLimits(c.env));
	ledger.streamed = request.stream === true;

	await admitRequest(c.env, c.apiKey, Date.now());
	const settings = dispatchSettings(c.env);
	// Exact billing: on a client disconnect the upstream is read to its end instead of being aborted.
	const drainOnDisconnect = c.env.ON_CLIENT_DISCONNECT === "drain";
	const clientSignal = c.request.signal;
	const answer = await dispatch({
		env: c.env,
		request,
		key: c.apiKey,
		clientSignal: drainOnDisconnect ? new AbortController().signal : clientSignal,
		settings,
		log: ledger,
	});
	const resolved = ledger.resolved;
	if (!resolved) throw new Error("dispatch answered without a model");
	// The model that answered: the client's own id unless a fallback took over.
	const answeredBy = resolved.model.id;
	const responseContext: ResponseContext = {
		request,
		storeImage: storeImageFor(c.env, c.gateId, c.apiKey.id, c.request.url),
	};
	const created = Math.floor(c.startedAt / 1000);

	if (answer.kind === "json") {
		const completion = await resolved.adapter.parseResponse(answer.body, responseContext);
		const head = { id: c.gateId, object: "chat.completion" as const, created, model: answeredBy };
		const body: Completion = Object.assign({ ...head }, completion, head);
		if (body.usage) body.usage = withCost(resolved.model, body.usage);
		finishUsage(c, ledger, {
			outcome: "ok",
			status: 200,
			errorCode: null,
			usage: body.usage ?? null,
			ttftAt: null,
		});
		return jsonResponse(c.gateId, body);
	}

	const tracked = trackStream();
	const pipeline = buildStreamPipeline(
		answer.body,
		resolved.adapter,
		responseContext,
		{
			gateId: c.gateId,
			model: answeredBy,
			created,
			includeUsage: request.stream_options?.include_usage === true,
			priceUsage: (usage) => withCost(resolved.model, usage),
			tracked,
			scrubError: (error) => scrubUpstream(error, resolved.target),
		},
		{
			idleTimeoutMs: settings.idleTimeoutMs,
			drainOnDisconnect,
			keepAlive: (work) => c.ctx.waitUntil(work),
		},
	);
	// workerd reports a client that hung up through the request's signal (compatibility flag
	// enable_request_signal), not always by cancelling the response body.
	clientSignal.addEventListener("abort", () => pipeline.clientGone(), { once: true });
	c.ctx.waitUntil(
		tracked.ended.then((tally) => {
			const { usage, estimated } =
				tally.outcome === "client_disconnected" && !tally.completed
					? estimateStreamedUsage(tally.usage, tally.streamedChars)
					: { usage: tally.usage, estimated: false };
			return writeUsage(c, ledger, {
				outcome: tally.outcome ?? "ok",
				status: tally.error?.status ?? (tally.outcome === "client_disconnected" ? 499 : 200),
				errorCode: tally.error?.code ?? null,
				usage,
				ttftAt: tally.firstTokenAt,
				estimated,
			});
		}),
	);
	return new Response(pipeline.stream, {
		headers: gatewayHeaders(c.gateId, {
			"content-type": "text/event-stream; charset=utf-8",
			"cache-control": "no-cache",
		}),
	});
}

interface Settlement {
	outcome: Outcome;
	status: number;
	errorCode: string | null;
	usage: Usage | null;
	ttftAt: number | null;
	estimated?: boolean;
}

function finishUsage(c: ChatCall, ledger: Ledger, settlement: Settlement): void {
	const work = writeUsage(c, ledger, settlement);
	if (work) c.ctx.waitUntil(work);
}

/** Builds the request's usage row and hands it on; returns the work left to keep alive, if any. */
function writeUsage(c: ChatCall, ledger: Ledger, s: Settlement): Promise<unknown> | undefined {
	const started = c.startedAt;
	const now = Date.now();
	const tokens = tokenCounts(s.usage);
	const model = ledger.resolved?.model;
	const row: UsageRow = {
		id: c.gateId,
		keyId: c.apiKey.id,
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
		attempts: ledger.attempts,
		estimated: s.estimated === true,
	};
	// LOG_REQUESTS=on: one structured line per request for `wrangler tail`, with ids, numbers and codes,
	// never content or secrets. Off by default: the usage row holds the same facts, Workers Logs
	// records every invocation anyway, and the line cost ~8% of a request's CPU (bench/RESULTS.md).
	if (c.env.LOG_REQUESTS === "on") logRequest(row);
	const booked = settleRequest(c.env, c.apiKey, {
		startedAt: started,
		tokens: row.totalTokens,
		costUsd: row.costUsd,
	});
	// A batch that failed has logged its rows already (src/usage/recorder.ts).
	const recorded = recordUsage(c.env, row)?.catch(() => {});
	if (booked && recorded) return Promise.all([recorded, booked]);
	return recorded ?? booked;
}

function logRequest(row: UsageRow): void {
	console.log(JSON.stringify(logFields(row)));
}
