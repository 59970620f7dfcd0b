import type { Outcome } from "../../engine/result";

// Every outcome a usage row records (src/engine/result.ts): a record, so that an outcome added there
// and missing here fails to compile.
const outcomeNames: Record<Outcome, true> = {
	ok: true,
	upstream_error: true,
	client_disconnected: true,
	rejected: true,
};
export const outcomes = Object.keys(outcomeNames) as [Outcome, ...Outcome[]];

/** Which usage rows a dashboard query reads: a [from, to) window in Unix ms and equality filters. */
export interface UsageFilter {
	keyId?: string;
	model?: string;
	outcome?: Outcome;
	from?: number;
	to?: number;
}

/** A column's name under a table alias, or bare without one. */
export const columnOf =
	(alias: string) =>
	(name: string): string =>
		alias ? `${alias}.${name}` : name;

/** `WHERE` and the conditions joined, or nothing when there are none. */
export const whereClause = (conditions: string[]): string =>
	conditions.length ? `WHERE ${conditions.join(" AND ")}` : "";

/**
 * The WHERE clause of a filter over `usage` (under `alias`): fixed SQL fragments, one per filter
 * present, with the values as bound parameters; client text never becomes SQL.
 */
export function whereOf(filter: UsageFilter, alias = ""): { sql: string[]; params: Array<string | number> } {
	const column = columnOf(alias);
	const sql: string[] = [];
	const params: Array<string | number> = [];
	if (filter.keyId !== undefined) {
		sql.push(`${column("key_id")} = ?`);
		params.push(filter.keyId);
	}
	if (filter.model !== undefined) {
		sql.push(`${column("model")} = ?`);
		params.push(filter.model);
	}
	if (filter.outcome !== undefined) {
		sql.push(`${column("outcome")} = ?`);
		params.push(filter.outcome);
		// Implied by the filter, but SQLite uses a partial index only where the query's own WHERE
		// implies the index's: this lets it use usage_failures (migration 0012) for a failed outcome.
		if (filter.outcome !== "ok") sql.push(`${column("outcome")} <> 'ok'`);
	}
	if (filter.from !== undefined) {
		sql.push(`${column("created_at")} >= ?`);
		params.push(filter.from);
	}
	if (filter.to !== undefined) {
		sql.push(`${column("created_at")} < ?`);
		params.push(filter.to);
	}
	return { sql, params };
}
