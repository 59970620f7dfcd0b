import type { KeyLimits } from "../limits/key-limits";

/** What the gateway needs to know about a key at request time; cached in memory and in KV. */
export interface KeyRecord {
	id: string;
	name: string;
	/** Model ids the key may use; null means every enabled model. */
	models: string[] | null;
	/** Absent on records cached before limits existed: read as no limits. */
	limits?: KeyLimits;
}

/** An `api_keys` row, as D1 returns it. */
export interface KeyRow {
	id: string;
	name: string;
	prefix: string;
	models: string | null;
	budget_usd: number | null;
	budget_period: string;
	rpm: number | null;
	tpm: number | null;
	created_at: number;
	revoked_at: number | null;
}

export function toKeyRecord(row: KeyRow): KeyRecord {
	return {
		id: row.id,
		name: row.name,
		models: row.models ? (JSON.parse(row.models) as string[]) : null,
		limits: {
			budgetUsd: row.budget_usd,
			budgetPeriod: row.budget_period === "monthly" ? "monthly" : "total",
			rpm: row.rpm,
			tpm: row.tpm,
		},
	};
}
