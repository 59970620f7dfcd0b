import type { Env } from "../env";
import type { KeyLimits } from "../limits/key-limits";
import { randomToken, sha256Hex } from "./crypto";
import { type KeyRow, toKeyRecord } from "./key-record";
import { forgetCachedKey } from "./lookup";

/** `sk-` and 32 random bytes (256 bits) in base64url. */
export function generateApiKey(): string {
	return `sk-${randomToken(32)}`;
}

/** Enough of a key to tell keys apart in a listing, far too little to guess the rest. */
export const displayPrefix = (key: string) => key.slice(0, 10);

/** A key as the admin API shows it: never the key itself, never its hash. */
export interface KeyListing {
	id: string;
	name: string;
	prefix: string;
	models: string[] | null;
	budget_usd: number | null;
	budget_period: "total" | "monthly";
	rpm: number | null;
	tpm: number | null;
	created_at: string;
	revoked_at: string | null;
}

export interface KeySettings {
	name: string;
	models: string[] | null;
	limits: KeyLimits;
}

export async function createKey(
	env: Env,
	input: KeySettings,
	now: number,
): Promise<{ key: string; listing: KeyListing }> {
	const key = generateApiKey();
	const id = `key_${randomToken(12)}`;
	const hash = await sha256Hex(key);
	const { limits } = input;
	await env.DB.prepare(
		`INSERT INTO api_keys (id, name, key_hash, prefix, models, budget_usd, budget_period, rpm, tpm, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	)
		.bind(
			id,
			input.name,
			hash,
			displayPrefix(key),
			input.models ? JSON.stringify(input.models) : null,
			limits.budgetUsd,
			limits.budgetPeriod,
			limits.rpm,
			limits.tpm,
			now,
		)
		.run();
	const listing = await findKey(env, id);
	if (!listing) throw new Error("key row vanished after insert");
	return { key, listing };
}

export async function findKey(env: Env, id: string): Promise<KeyListing | null> {
	const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(id).first<KeyRow>();
	return row ? toListing(row) : null;
}

/** Replaces a key's settings; caches forget it so the change applies on its next request. Null if unknown. */
export async function updateKey(env: Env, id: string, settings: KeySettings): Promise<KeyListing | null> {
	const { limits } = settings;
	const row = await env.DB.prepare(
		`UPDATE api_keys SET name = ?, models = ?, budget_usd = ?, budget_period = ?, rpm = ?, tpm = ?
		 WHERE id = ? RETURNING key_hash`,
	)
		.bind(
			settings.name,
			settings.models ? JSON.stringify(settings.models) : null,
			limits.budgetUsd,
			limits.budgetPeriod,
			limits.rpm,
			limits.tpm,
			id,
		)
		.first<{ key_hash: string }>();
	if (!row) return null;
	await forgetCachedKey(env, row.key_hash);
	return findKey(env, id);
}

/** Marks the key revoked and drops it from every cache this isolate can reach. False if unknown. */
export async function revokeKey(env: Env, id: string, now: number): Promise<boolean> {
	const row = await env.DB.prepare(
		"UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING key_hash",
	)
		.bind(now, id)
		.first<{ key_hash: string }>();
	if (!row) return false;
	await forgetCachedKey(env, row.key_hash);
	return true;
}

/** The row as the admin API shows it; the listing's pages (key-page.ts) use it too. */
export function toListing(row: KeyRow): KeyListing {
	const record = toKeyRecord(row);
	const limits = record.limits;
	return {
		id: row.id,
		name: row.name,
		prefix: row.prefix,
		models: record.models,
		budget_usd: limits?.budgetUsd ?? null,
		budget_period: limits?.budgetPeriod ?? "total",
		rpm: limits?.rpm ?? null,
		tpm: limits?.tpm ?? null,
		created_at: new Date(row.created_at).toISOString(),
		revoked_at: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
	};
}
