import type { KeyRecord } from "../auth/key-record";
import type { Env } from "../env";
import { GatewayError } from "../errors";
import type { KeyLimiter } from "./key-limiter";
import { hasLimits, type KeyLimits } from "./key-limits";

const limiterOf = (env: Env, keyId: string) => env.KEY_LIMITER.get(env.KEY_LIMITER.idFromName(keyId));
const limiterFor = (env: Env, key: KeyRecord) => limiterOf(env, key.id);

/**
 * Asks the key's limiter whether this request may start. Keys without limits never reach the
 * Durable Object, so the hot path makes no binding call for them.
 */
export async function admitRequest(env: Env, key: KeyRecord, now: number): Promise<void> {
	if (!key.limits || !hasLimits(key.limits)) return;
	let admission: Awaited<ReturnType<KeyLimiter["admit"]>>;
	try {
		admission = await limiterFor(env, key).admit(key.limits, now);
	} catch {
		// Limits are enforced, not guessed: without its counter a limited key waits (fail closed).
		throw new GatewayError(503, "This API key's limits cannot be checked right now; try again shortly.", {
			code: "limits_unavailable",
			retryable: false,
			headers: { "retry-after": "1" },
		});
	}
	if (admission.ok) return;
	throw new GatewayError(429, admission.message, {
		type: admission.code === "insufficient_quota" ? "insufficient_quota" : "rate_limit_error",
		code: admission.code,
		retryable: false,
		headers: admission.retryAfter === null ? {} : { "retry-after": String(admission.retryAfter) },
	});
}

/** What a finished request spends against its key's limits. */
interface Spending {
	startedAt: number;
	tokens: number;
	costUsd: number;
}

/**
 * Books a finished request's tokens and cost against the key's limits. Returns the work to keep
 * alive, or nothing for a key without limits (most keys).
 */
export function settleRequest(env: Env, key: KeyRecord, usage: Spending): Promise<void> | undefined {
	const limits = key.limits;
	if (!limits || !hasLimits(limits)) return undefined;
	if (usage.tokens === 0 && usage.costUsd === 0) return undefined;
	return book(env, key, limits, usage);
}

async function book(env: Env, key: KeyRecord, limits: KeyLimits, usage: Spending): Promise<void> {
	try {
		await limiterFor(env, key).settle(limits, usage.startedAt, usage.tokens, usage.costUsd, Date.now());
	} catch {
		console.error(JSON.stringify({ message: "usage not booked against the key's limits", key_id: key.id }));
	}
}

/**
 * For the admin API: what the key's limiter has booked against its budget in the period `now` falls
 * in (the figure admission compares with the budget), or null when the limiter cannot be read.
 */
export async function budgetSpent(
	env: Env,
	keyId: string,
	limits: KeyLimits,
	now: number,
): Promise<number | null> {
	try {
		return (await limiterOf(env, keyId).snapshot(limits, now)).spent;
	} catch {
		console.error(JSON.stringify({ message: "the key's limiter could not be read", key_id: keyId }));
		return null;
	}
}
