import { roundUsd } from "../cost";
import { type UsageFilter, whereClause, whereOf } from "./filter";

/** One model's requests, errors, latency percentiles and cost over a window. */
export interface ModelStats {
	model: string;
	/** Requests that reached the model: every outcome but `rejected`. */
	requests: number;
	/** Of those, the ones whose outcome is not `ok`: upstream_error and client_disconnected. */
	errors: number;
	/** errors / requests, from 0 to 1. */
	error_rate: number;
	p50_latency_ms: number;
	p95_latency_ms: number;
	cost: number;
}

/**
 * Only requests that reached a model are counted: `rejected` rows (the gateway's own 400, 403, 404 and
 * 429 refusals) never went upstream, took next to no time, and a 404's model is whatever the client
 * typed, so they would skew latencies and error rates and add rows for models that do not exist.
 * Errors are then the upstream_error and client_disconnected rows.
 *
 * Percentiles by the nearest-rank definition: the p-th percentile of n latencies is the one at rank
 * ceil(p/100 × n) in ascending order (1-based), always a latency that occurred; for 1..100 ms the
 * 50th is 50 and the 95th is 95. SQLite has no percentile function. Rows are first counted per
 * (model, latency) — about a tenth as many groups as rows at a million rows — and a running count
 * over those groups (a window ordered by latency) gives each latency the highest rank it holds: the
 * value at rank r is the smallest latency whose running count reaches r, ties included. Ranking
 * every row with ROW_NUMBER() instead took 1.3 times as long over 7 days and 1.8 times over 30 at a
 * million rows (bench/RESULTS.md).
 * ceil(p × n / 100) is (p × n + 99) / 100 in integer arithmetic.
 */
const SQL = (where: string) => `WITH per_latency AS (
	SELECT model, latency_ms, COUNT(*) AS requests, SUM(outcome <> 'ok') AS errors, TOTAL(cost_usd) AS cost
	FROM usage ${where}
	GROUP BY model, latency_ms
), running AS (
	SELECT model, latency_ms,
		SUM(requests) OVER (PARTITION BY model ORDER BY latency_ms ROWS UNBOUNDED PRECEDING) AS up_to,
		SUM(requests) OVER per_model AS requests,
		SUM(errors) OVER per_model AS errors,
		TOTAL(cost) OVER per_model AS cost
	FROM per_latency
	WINDOW per_model AS (PARTITION BY model)
)
SELECT model, requests, errors, cost,
	MIN(CASE WHEN up_to >= (requests * 50 + 99) / 100 THEN latency_ms END) AS p50_latency_ms,
	MIN(CASE WHEN up_to >= (requests * 95 + 99) / 100 THEN latency_ms END) AS p95_latency_ms
FROM running
GROUP BY model
ORDER BY cost DESC, model`;

/** Per model over the filtered rows, the most expensive first. Computed by D1, not here. */
export async function modelStats(db: D1Database, filter: UsageFilter): Promise<ModelStats[]> {
	const where = whereOf(filter);
	where.sql.push("outcome <> 'rejected'");
	const { results } = await db
		.prepare(SQL(whereClause(where.sql)))
		.bind(...where.params)
		.all<Omit<ModelStats, "error_rate">>();
	return results.map((row) => ({
		model: row.model,
		requests: row.requests,
		errors: row.errors,
		error_rate: row.errors / row.requests,
		p50_latency_ms: row.p50_latency_ms,
		p95_latency_ms: row.p95_latency_ms,
		cost: roundUsd(row.cost),
	}));
}
