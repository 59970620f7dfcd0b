import { roundUsd } from "../cost";
import { type UsageFilter, whereClause, whereOf } from "./filter";

export const reportGroupings = ["day", "hour", "model", "key"] as const;
export type ReportGrouping = (typeof reportGroupings)[number];

/** Totals of one group: a day, an hour, a model or a key. */
export interface ReportRow {
	group: string;
	requests: number;
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	cost: number;
	/** Rows whose outcome is not "ok". */
	errors: number;
	/** group_by=key only: the key's name (null for a key id no longer in api_keys). */
	key_name?: string | null;
}

// Fixed SQL per grouping: no client text is ever spliced into a query. Rows are grouped by an integer
// bucket (UTC days and hours are whole multiples of the epoch's milliseconds) and only each group is
// labelled: strftime on every row, and sorting the text it made, took 1.5–1.7 times as long at a
// million rows (bench/RESULTS.md).
const groupings: Record<ReportGrouping, { bucket: string; label: string }> = {
	day: { bucket: "created_at / 86400000", label: "strftime('%Y-%m-%d', t.bucket * 86400, 'unixepoch')" },
	hour: {
		bucket: "created_at / 3600000",
		label: "strftime('%Y-%m-%dT%H:00Z', t.bucket * 3600, 'unixepoch')",
	},
	model: { bucket: "model", label: "t.bucket" },
	key: { bucket: "key_id", label: "t.bucket" },
};

/** Totals per group over the filtered rows, ordered by group. Aggregated by D1, not here. */
export async function usageReport(
	db: D1Database,
	filter: UsageFilter,
	groupBy: ReportGrouping,
): Promise<ReportRow[]> {
	const where = whereOf(filter);
	const { bucket, label } = groupings[groupBy];
	// Keys are named after grouping: one look-up per key, not per row.
	const named = groupBy === "key";
	const sql = `SELECT ${label} AS "group", t.requests, t.prompt_tokens, t.completion_tokens, t.total_tokens,
			t.cost, t.errors${named ? ", k.name AS key_name" : ""}
		FROM (
			SELECT ${bucket} AS bucket, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens,
				SUM(completion_tokens) AS completion_tokens, SUM(total_tokens) AS total_tokens, SUM(cost_usd) AS cost,
				SUM(outcome <> 'ok') AS errors
			FROM usage ${whereClause(where.sql)}
			GROUP BY 1
		) t ${named ? "LEFT JOIN api_keys k ON k.id = t.bucket" : ""}
		ORDER BY t.bucket`;
	const { results } = await db
		.prepare(sql)
		.bind(...where.params)
		.all<ReportRow>();
	return results.map((row) => ({ ...row, cost: roundUsd(row.cost) }));
}
