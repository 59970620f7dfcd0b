import { type Config, configOf } from "../config";
import { asGatewayError, type GatewayError } from "../errors";
import { admitRequest } from "../limits/enforce";
import type {
	JsonObject,
	PassThroughAdapter,
	ResponseContext,
	ResponseIds,
	SseEvent,
	StreamItem,
} from "../protocols/adapter";
import { keepTurnState } from "../round-trip/turn-state";
import type { Completion, Usage } from "../schemas/chat-response";
import { withCost } from "../usage/cost";
import { estimateStreamedUsage } from "../usage/estimate";
import { scrubUpstream } from "./call-upstream";
import { dispatch } from "./dispatch";
import type { EngineRequest } from "./request";
import type { RequestResult } from "./result";
import { type Settling, settle } from "./settle";
import { storeImageFor } from "./store-image";
import { buildStreamPipeline } from "./stream/pipeline";
import type { OutboundEvent } from "./stream/sse-encode";
import { type StreamTally, trackStream } from "./stream/tally";

/** One client request as the engine sees it. */
export interface EngineCall extends Settling {
	ctx: { waitUntil(work: Promise<unknown>): void };
	/** The client's request: its signal says when the client left, its URL is the origin of image links. */
	request: Request;
}

/** What a public API supplies: how its client's body is read, and how stream events are written back. */
export interface Ingress {
	/**
	 * Reads and validates the body. `named` is told the model id as soon as it is known, so a request
	 * refused later still has it on its usage row.
	 */
	decode(request: Request, config: Config, named: (model: string) => void): Promise<EngineRequest>;
	/** A new encoder for one stream: its events → the text of the client's stream. `model` is the answering model's id. */
	streamEncoder(model: string): (events: OutboundEvent[]) => string;
	/** The id a pass-through answer is stamped with, when the API's ids have their own shape (`resp_…`); else the gate id. */
	answerId?: string;
	/** More fields a pass-through answer is stamped with, known once the request is decoded. */
	answerFields?: Record<string, string>;
}

/**
 * The engine's answer; `result` resolves once the request is over (a stream: once it ended). A
 * `native` answer is the upstream's own body (pass-through), ids rewritten.
 */
export type EngineAnswer =
	| { kind: "completion"; completion: Completion; result: Promise<RequestResult> }
	| { kind: "native"; body: JsonObject; result: Promise<RequestResult> }
	| { kind: "stream"; body: ReadableStream<Uint8Array>; result: Promise<RequestResult> };

/**
 * Auth has happened; the engine does the rest: limits, dispatch (retries, fallbacks, deadlines,
 * cancellation), translation of the answer, and the settlement of every request, whatever its end —
 * one usage row and the key's spending. A request that fails before its answer starts throws its
 * GatewayError, already settled, for the ingress to encode.
 */
export async function runEngine(call: EngineCall, ingress: Ingress): Promise<EngineAnswer> {
	const config = configOf(call.env);
	let requestedModel = "";
	let streamed = false;
	const refused = (error: GatewayError, partial: Partial<RequestResult>): GatewayError => {
		const result: RequestResult = {
			outcome: "rejected",
			status: error.status,
			errorCode: error.code,
			requestedModel,
			model: null,
			streamed,
			usage: null,
			estimated: false,
			firstTokenAt: null,
			attempts: [],
			...partial,
		};
		keep(call, settle(call, result));
		return error;
	};

	let request: EngineRequest;
	try {
		request = await ingress.decode(call.request, config, (model) => {
			requestedModel = model;
		});
		streamed = request.stream;
		await admitRequest(call.env, call.apiKey, Date.now());
	} catch (cause) {
		throw refused(asGatewayError(cause), {});
	}

	const clientSignal = call.request.signal;
	const dispatched = await dispatch({
		env: call.env,
		request,
		key: call.apiKey,
		clientSignal: config.drainOnDisconnect ? new AbortController().signal : clientSignal,
		settings: config.upstream,
	});
	const { attempts } = dispatched;
	if (!dispatched.ok) {
		const { error } = dispatched;
		const outcome =
			error.code === "client_disconnected"
				? "client_disconnected"
				: attempts.some((a) => !a.skipped)
					? "upstream_error"
					: "rejected";
		// Billed all the same: the answered parts of a request in parts (estimated).
		const { spent } = dispatched;
		throw refused(error, {
			outcome,
			model: dispatched.target?.model ?? null,
			attempts,
			usage: spent,
			estimated: spent !== null,
		});
	}

	const { answer, target, passThrough } = dispatched;
	// The model that answered: the client's own id unless an alias or a fallback took over.
	const answeredBy = target.model.id;
	const ids: ResponseIds = {
		id: ingress.answerId ?? call.gateId,
		model: answeredBy,
		fields: ingress.answerFields,
	};
	const responseContext = (): ResponseContext => ({
		request: request.canonical(),
		storeImage: storeImageFor(call.env, call.gateId, call.apiKey.id, call.request.url),
		keepTurnState: (ids, metadata) => keepTurnState(call.env, call.apiKey.id, ids, metadata),
	});
	const created = Math.floor(call.startedAt / 1000);
	const base = { requestedModel, model: target.model, streamed, attempts };
	const answered = (usage: Usage | null): RequestResult => ({
		...base,
		outcome: "ok",
		status: 200,
		errorCode: null,
		usage,
		estimated: false,
		firstTokenAt: null,
	});

	if (answer.kind === "json" && passThrough && request.native) {
		let parsed: ReturnType<PassThroughAdapter["parseResponse"]>;
		try {
			parsed = passThrough.parseResponse(answer.body, ids, request.native);
		} catch (cause) {
			throw refused(asGatewayError(cause), { ...base, outcome: "upstream_error" });
		}
		const result: RequestResult = {
			...answered(parsed.usage ? withCost(target.model, parsed.usage) : null),
			estimated: parsed.estimated ?? false,
		};
		keep(call, settle(call, result));
		return { kind: "native", body: parsed.body, result: Promise.resolve(result) };
	}

	if (answer.kind === "json") {
		let completion: Completion;
		try {
			const parsed = await target.adapter.parseResponse(answer.body, responseContext());
			const head = { id: call.gateId, object: "chat.completion" as const, created, model: answeredBy };
			completion = Object.assign({ ...head }, parsed, head);
		} catch (cause) {
			throw refused(asGatewayError(cause), { ...base, outcome: "upstream_error" });
		}
		if (completion.usage) completion.usage = withCost(target.model, completion.usage);
		const result = answered(completion.usage ?? null);
		keep(call, settle(call, result));
		return { kind: "completion", completion, result: Promise.resolve(result) };
	}

	const tracked = trackStream();
	const stage: Transformer<SseEvent, StreamItem> = passThrough
		? passThrough.createStreamStage(ids)
		: target.adapter.createStreamStage(responseContext());
	const pipeline = buildStreamPipeline(
		answer.body,
		stage,
		{
			gateId: call.gateId,
			model: answeredBy,
			created,
			includeUsage: request.includeUsage,
			priceUsage: (usage) => withCost(target.model, usage),
			tracked,
			scrubError: (error) => scrubUpstream(error, target.target),
		},
		{
			idleTimeoutMs: config.upstream.idleTimeoutMs,
			drainOnDisconnect: config.drainOnDisconnect,
			keepAlive: (work) => call.ctx.waitUntil(work),
			encode: ingress.streamEncoder(answeredBy),
		},
	);
	// workerd reports a client that hung up through the request's signal (compatibility flag
	// enable_request_signal), not always by cancelling the response body.
	clientSignal.addEventListener("abort", () => pipeline.clientGone(), { once: true });
	const result = tracked.ended.then((tally) => streamResult(tally, base));
	call.ctx.waitUntil(result.then((done) => settle(call, done)));
	return { kind: "stream", body: pipeline.stream, result };
}

function streamResult(
	tally: StreamTally,
	base: Pick<RequestResult, "requestedModel" | "model" | "streamed" | "attempts">,
): RequestResult {
	const outcome = tally.outcome ?? "ok";
	// The provider's count is missing when the client left mid-stream, or when the upstream ended a
	// finished answer without its usage chunk (a dropped connection, an upstream that never sends it).
	const unreported =
		(outcome === "client_disconnected" && !tally.completed) || (outcome === "ok" && !tally.usage);
	const { usage, estimated } = unreported
		? estimateStreamedUsage(tally.usage, tally.streamedChars)
		: { usage: tally.usage, estimated: false };
	return {
		...base,
		outcome,
		status: tally.error?.status ?? (outcome === "client_disconnected" ? 499 : 200),
		errorCode: tally.error?.code ?? null,
		usage,
		estimated,
		firstTokenAt: tally.firstTokenAt,
	};
}

function keep(call: EngineCall, work: Promise<unknown> | undefined): void {
	if (work) call.ctx.waitUntil(work);
}
