import type { KeyRecord } from "../auth/key-record";
import { configOf } from "../config";
import type { Env } from "../env";
import { settleRequest } from "../limits/enforce";
import { costUsd, tokenCounts } from "../usage/cost";
import { type IngressName, logFields, recordUsage, type UsageRow } from "../usage/recorder";
import type { RequestResult } from "./result";

/** The request a result belongs to. */
export interface Settling {
	env: Env;
	gateId: string;
	startedAt: number;
	apiKey: KeyRecord;
	/** The public API the request came through, for its usage row. */
	ingress: IngressName;
}

/**
 * A finished request's bookkeeping: its usage row and its spending against the key's limits.
 * Returns the work left to keep alive, if any.
 */
export function settle(call: Settling, result: RequestResult): Promise<unknown> | undefined {
	const started = call.startedAt;
	const tokens = tokenCounts(result.usage);
	const { model } = result;
	const row: UsageRow = {
		id: call.gateId,
		keyId: call.apiKey.id,
		model: model?.id ?? result.requestedModel,
		provider: model?.provider ?? null,
		upstreamModel: model?.upstreamModel ?? null,
		promptTokens: tokens.prompt,
		completionTokens: tokens.completion,
		totalTokens: tokens.total,
		cachedTokens: tokens.cached,
		cacheCreationTokens: tokens.cacheCreation,
		reasoningTokens: tokens.reasoning,
		costUsd: model ? costUsd(model, tokens) : 0,
		outcome: result.outcome,
		status: result.status,
		errorCode: result.errorCode,
		streamed: result.streamed,
		latencyMs: Date.now() - started,
		ttftMs: result.firstTokenAt === null ? null : result.firstTokenAt - started,
		createdAt: started,
		attempts: result.attempts,
		estimated: result.estimated,
		ingress: call.ingress,
	};
	// LOG_REQUESTS=on: one structured line per request for `wrangler tail`, with ids, numbers and codes,
	// never content or secrets. Off by default: the usage row holds the same facts, and Workers Logs
	// records every invocation anyway.
	if (configOf(call.env).logRequests) console.log(JSON.stringify(logFields(row)));
	const booked = settleRequest(call.env, call.apiKey, {
		startedAt: started,
		tokens: row.totalTokens,
		costUsd: row.costUsd,
	});
	// A batch that failed has logged its rows already (src/usage/recorder.ts).
	const recorded = recordUsage(call.env, row)?.catch(() => {});
	if (booked && recorded) return Promise.all([recorded, booked]);
	return recorded ?? booked;
}
