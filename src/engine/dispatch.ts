import type { KeyRecord } from "../auth/key-record";
import type { Config } from "../config";
import type { Env } from "../env";
import { asGatewayError, GatewayError } from "../errors";
import { loadStoredImage } from "../images/load";
import type { PassThroughAdapter, UpstreamRequest } from "../protocols/adapter";
import { loadTurnState } from "../round-trip/turn-state";
import type { Usage } from "../schemas/chat-response";
import { callUpstream, clientGone, readBodyText, scrubUpstream } from "./call-upstream";
import type { EngineRequest } from "./request";
import { fetcherFor, passThroughFor, type ResolvedTarget, resolveNamed } from "./resolve-target";

/** One try of one model, as the usage row lists it. */
export interface Attempt {
	model: string;
	status: number;
	code: string | null;
	ms: number;
	/** A fallback that could not be used (unknown, disabled, not allowed): nothing was sent. */
	skipped?: true;
}

/** What dispatch learns as it goes: every try, and the candidate being tried (then the one that answered). */
interface DispatchLog {
	attempts: Attempt[];
	resolved: ResolvedTarget | null;
	passThrough: PassThroughAdapter | null;
	/** What the model being tried spent on a request in parts that failed: its answered parts. */
	spent: Usage | null;
	/** The same for the model whose failure the client hears of. */
	failedSpent: Usage | null;
}

export type Answer = { kind: "json"; body: unknown } | { kind: "stream"; body: ReadableStream<Uint8Array> };

/** How a dispatch ended: the upstream's answer, or the error the client gets; the tries either way. */
export type Dispatched =
	| {
			ok: true;
			answer: Answer;
			/** How the answering model was spoken to: the client's own body through this pass-through, or (null) the canonical request through the model's adapter. */
			passThrough: PassThroughAdapter | null;
			target: ResolvedTarget;
			attempts: Attempt[];
	  }
	| {
			ok: false;
			error: GatewayError;
			target: ResolvedTarget | null;
			attempts: Attempt[];
			/** The tokens the failed model was billed for all the same (the answered parts of a request in parts), estimated. */
			spent: Usage | null;
	  };

export type DispatchSettings = Config["upstream"];

export interface DispatchInput {
	env: Env;
	request: EngineRequest;
	key: KeyRecord;
	clientSignal: AbortSignal;
	settings: DispatchSettings;
	/** Hooks for tests; production waits with setTimeout and draws with Math.random. */
	sleep?: (ms: number) => Promise<void>;
	random?: () => number;
}

/**
 * Sends the request to its model, retrying a 429, a 5xx or a network failure with bounded
 * exponential backoff and full jitter (honouring retry-after), then falling over to the next model:
 * the request's own `models` list (OpenRouter's convention) or else the catalog's fallbacks. All of
 * this happens before the client has received a byte; once the answer is returned nothing is retried.
 * A first-byte timeout is not retried on the same model — the client has already waited that long.
 */
export async function dispatch(input: DispatchInput): Promise<Dispatched> {
	const log: DispatchLog = {
		attempts: [],
		resolved: null,
		passThrough: null,
		spent: null,
		failedSpent: null,
	};
	try {
		const answer = await dispatchWith(input, log);
		if (!log.resolved) throw new Error("dispatch answered without a model");
		return { ok: true, answer, passThrough: log.passThrough, target: log.resolved, attempts: log.attempts };
	} catch (error) {
		return {
			ok: false,
			error: asGatewayError(error),
			target: log.resolved,
			attempts: log.attempts,
			spent: log.failedSpent,
		};
	}
}

async function dispatchWith(input: DispatchInput, log: DispatchLog): Promise<Answer> {
	const { request } = input;
	const aliasesOf = request.aliases ?? (() => []);
	const wants = request.wants ?? "chat";
	const primary = await resolveNamed(input.env, request.model, aliasesOf(request.model), input.key, wants);
	const candidates = [primary.model.id, ...(request.fallbacks ?? primary.model.fallbacks)].filter(
		(id, i, all) => all.indexOf(id) === i,
	);
	let lastError: GatewayError | null = null;
	// The model whose failure the client hears of, which the usage row names: not a later fallback
	// that was passed over.
	let lastFailed: ResolvedTarget | null = null;
	for (const [index, modelId] of candidates.entries()) {
		let target: ResolvedTarget;
		try {
			target =
				index === 0 ? primary : await resolveNamed(input.env, modelId, aliasesOf(modelId), input.key, wants);
		} catch (error) {
			// An unknown, disabled or forbidden fallback is skipped; the client asked for the first one.
			if (!(error instanceof GatewayError)) throw error;
			log.attempts.push({ model: modelId, status: error.status, code: error.code, ms: 0, skipped: true });
			continue;
		}
		log.resolved = target;
		log.spent = null;
		try {
			return await tryModel(input, target, log);
		} catch (error) {
			if (!(error instanceof GatewayError)) throw error;
			if (error.code === "client_disconnected") throw error;
			// A fallback that cannot take this request (its adapter or upstream says 4xx) is passed
			// over, and the client hears about the failure of the model it asked for.
			if (index > 0 && !fallsOver(error)) continue;
			lastError = error;
			lastFailed = target;
			log.failedSpent = log.spent;
			if (!fallsOver(error)) throw error;
		}
	}
	if (lastFailed) log.resolved = lastFailed;
	throw (
		lastError ?? new GatewayError(502, "No model could answer the request.", { code: "no_model_available" })
	);
}

const fallsOver = (error: GatewayError) => error.status === 429 || error.status >= 500;

/**
 * The upstream request for one model: the client's own body when the model's upstream serves the
 * client's API (a pass-through, possibly in several calls), else the canonical request through the
 * model's adapter.
 */
async function buildFor(
	input: DispatchInput,
	resolved: ResolvedTarget,
): Promise<{ passThrough: PassThroughAdapter | null; upstream: UpstreamRequest | UpstreamRequest[] }> {
	const { native } = input.request;
	const passThrough = passThroughFor(native, resolved);
	if (native && passThrough) {
		return { passThrough, upstream: passThrough.buildRequest(native, resolved.target) };
	}
	const upstream = await resolved.adapter.buildRequest(input.request.canonical(), resolved.target, {
		fetch: fetcherFor(resolved),
		loadImage: (id) => loadStoredImage(input.env, id),
		loadTurnState: (ids) => loadTurnState(input.env, input.key.id, ids),
	});
	return { passThrough: null, upstream };
}

/**
 * How many calls of a request sent in parts are in flight at once: Workers allow six open
 * connections per request, and a few in parallel already cut the wait for a 2048-input batch sent to
 * Gemini (21 calls) to a fraction.
 */
const PARALLEL_PARTS = 4;

async function tryModel(input: DispatchInput, resolved: ResolvedTarget, log: DispatchLog): Promise<Answer> {
	// Built once per model: a request the adapter refuses (400) is the client's to fix, not retried.
	const { passThrough, upstream } = await buildFor(input, resolved);
	const answer = Array.isArray(upstream)
		? await sendInParts(input, resolved, upstream, passThrough, log)
		: await withRetries(input, resolved, upstream, log, true);
	log.passThrough = passThrough;
	return answer;
}

/**
 * A request in parts: each call retried on its own; the first that fails for good stops the rest,
 * and the model's try is that failure. One attempt is listed for the whole when all answered.
 */
async function sendInParts(
	input: DispatchInput,
	resolved: ResolvedTarget,
	upstream: UpstreamRequest[],
	passThrough: PassThroughAdapter | null,
	log: DispatchLog,
): Promise<Answer> {
	const started = Date.now();
	const stop = new AbortController();
	const partInput = { ...input, clientSignal: AbortSignal.any([input.clientSignal, stop.signal]) };
	const bodies: unknown[] = new Array(upstream.length);
	let next = 0;
	let failure: unknown = null;
	const worker = async () => {
		while (failure === null && next < upstream.length) {
			const index = next++;
			try {
				const answer = await withRetries(partInput, resolved, upstream[index] as UpstreamRequest, log, false);
				if (answer.kind !== "json") throw new Error("a request in parts must be answered with JSON");
				bodies[index] = answer.body;
			} catch (error) {
				if (failure === null) failure = error;
				stop.abort();
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, upstream.length) }, worker));
	if (failure !== null) {
		// The client leaving is what stopped the parts, whichever of them noticed first.
		if (input.clientSignal.aborted) throw clientGone();
		// The parts that were answered are billed by the upstream though the client gets an error.
		const { native } = input.request;
		if (native && passThrough?.partialUsage) log.spent = passThrough.partialUsage(bodies, native);
		throw failure;
	}
	log.attempts.push({ model: resolved.model.id, status: 200, code: null, ms: Date.now() - started });
	return { kind: "json", body: bodies };
}

/** One upstream call, retried on a 429, a 5xx or a network failure; every failed try is listed, the success when `listSuccess`. */
async function withRetries(
	input: DispatchInput,
	resolved: ResolvedTarget,
	upstreamRequest: UpstreamRequest,
	log: DispatchLog,
	listSuccess: boolean,
): Promise<Answer> {
	const { settings } = input;
	const sleep = input.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
	const random = input.random ?? Math.random;
	for (let retry = 0; ; retry++) {
		const started = Date.now();
		try {
			const answer = await attempt(input, resolved, upstreamRequest);
			if (listSuccess) {
				log.attempts.push({ model: resolved.model.id, status: 200, code: null, ms: Date.now() - started });
			}
			return answer;
		} catch (cause) {
			if (!(cause instanceof GatewayError)) throw cause;
			// A client that left is not retried for: nobody would read the answer.
			if (input.clientSignal.aborted) throw clientGone();
			log.attempts.push({
				model: resolved.model.id,
				status: cause.status,
				code: cause.code,
				ms: Date.now() - started,
			});
			const noRetry = ["client_disconnected", "upstream_timeout", "upstream_idle_timeout"];
			if (!cause.retryable || noRetry.includes(cause.code ?? "")) throw cause;
			if (retry >= settings.maxRetries) throw cause;
			const wait = retryWait(cause, retry, settings, random);
			if (wait === null) throw cause;
			// A part's wait ends early when its siblings' failure (or the client) stops the request.
			await Promise.race([sleep(wait), untilAborted(input.clientSignal)]);
			if (input.clientSignal.aborted) throw clientGone();
		}
	}
}

/** Resolves once the signal aborts (at once when it has). */
const untilAborted = (signal: AbortSignal) =>
	new Promise<void>((resolve) => {
		if (signal.aborted) resolve();
		else signal.addEventListener("abort", () => resolve(), { once: true });
	});

/** Full-jitter exponential backoff, or the upstream's own retry-after; null when that is too long to wait. */
function retryWait(
	error: GatewayError,
	retry: number,
	settings: DispatchSettings,
	random: () => number,
): number | null {
	const retryAfter = Number(error.headers["retry-after"]);
	if (Number.isFinite(retryAfter) && retryAfter >= 0) {
		const ms = retryAfter * 1000;
		return ms <= settings.maxRetryWaitMs ? ms : null;
	}
	const cap = Math.min(settings.maxRetryWaitMs, settings.backoffBaseMs * 2 ** retry);
	return Math.round(random() * cap);
}

async function attempt(
	input: DispatchInput,
	resolved: ResolvedTarget,
	upstreamRequest: UpstreamRequest,
): Promise<Answer> {
	const { adapter, target } = resolved;
	const { settings, request } = input;
	const exchange = await callUpstream(upstreamRequest, {
		fetch: fetcherFor(resolved),
		firstByteTimeoutMs: settings.firstByteTimeoutMs,
		clientSignal: input.clientSignal,
	});
	const upstream = exchange.response;
	if (!upstream.ok) {
		const text = await readBodyText(exchange, settings.idleTimeoutMs).catch(() => "");
		throw scrubUpstream(adapter.mapError(upstream.status, text, upstream.headers), target);
	}
	if (request.stream) {
		// From here the stream pipeline watches for stalls between events.
		exchange.deadline.clear();
		const contentType = upstream.headers.get("content-type") ?? "";
		if (!contentType.includes("text/event-stream") || !upstream.body) {
			upstream.body?.cancel().catch(() => {});
			throw new GatewayError(502, "The upstream provider did not answer with an event stream.", {
				code: "upstream_bad_response",
			});
		}
		return { kind: "stream", body: upstream.body };
	}
	const text = await readBodyText(exchange, settings.idleTimeoutMs);
	try {
		return { kind: "json", body: JSON.parse(text) };
	} catch {
		throw new GatewayError(502, "The upstream provider sent an answer that is not JSON.", {
			code: "upstream_bad_response",
		});
	}
}
