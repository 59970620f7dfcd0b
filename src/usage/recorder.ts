import type { Outcome } from "../engine/result";
import type { Env } from "../env";
import { expireAfterBatch } from "./retention";

/** The public API a request came through: its `usage.ingress` column. */
export type IngressName = "chat" | "messages" | "responses" | "embeddings";

export interface UsageRow {
	id: string;
	keyId: string;
	model: string;
	provider: string | null;
	upstreamModel: string | null;
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
	cachedTokens: number;
	/** Prompt tokens written to the provider's prompt cache (part of promptTokens, like cachedTokens). */
	cacheCreationTokens: number;
	reasoningTokens: number;
	costUsd: number;
	outcome: Outcome;
	status: number;
	errorCode: string | null;
	streamed: boolean;
	latencyMs: number;
	ttftMs: number | null;
	createdAt: number;
	/** Every upstream try: retries and fallbacks. */
	attempts: Array<{ model: string; status: number; code: string | null; ms: number }>;
	/** Completion tokens are the gateway's estimate, not the provider's count. */
	estimated: boolean;
	ingress: IngressName;
}

/**
 * Usage rows are written in batches: one D1 call for many rows, flushed when BATCH_SIZE rows are
 * waiting or BATCH_DELAY_MS after the first one. A single D1 write costs a Worker more CPU than the
 * rest of a request, so under load this saves most of the gateway's overhead.
 *
 * Each batch is written by a request that holds it in its own `waitUntil`: the request whose row
 * opened the batch (after the delay), or the one whose row filled it (at once). Every other request
 * only adds its row and is done. No request waits on a promise another request settles (workerd
 * cancels such a wait as hung), and none polls: a poll timer per request, woken again and again while
 * the isolate was busy, cost more CPU under load than the D1 writes themselves (bench/RESULTS.md).
 * The writer of a batch that failed retries it in halves, within a budget of D1 queries.
 */
// 200 rows a statement and up to 100 ms in memory: smaller, more frequent batches made the D1 writes a
// visible share of a request's CPU under load (bench/RESULTS.md); a row is far below D1's 2 MB per value.
export const BATCH_SIZE = 200;
const BATCH_DELAY_MS = 100;

let open: UsageRow[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Queues a row. Returns the work the calling request must keep alive (`waitUntil`) when it writes
 * the batch, and nothing when another request does: most requests then register no work at all.
 */
export function recordUsage(env: Env, row: UsageRow): Promise<void> | undefined {
	const batch = open;
	batch.push(row);
	if (batch.length >= BATCH_SIZE) {
		open = [];
		return writeAndExpire(env, batch);
	}
	if (batch.length === 1) return writeLater(env, batch);
	return undefined;
}

async function writeLater(env: Env, batch: UsageRow[]): Promise<void> {
	await sleep(BATCH_DELAY_MS);
	// Filled and taken by another request in the meantime: that request writes it.
	if (open !== batch) return;
	open = [];
	return writeAndExpire(env, batch);
}

/** Writes a batch, then, with USAGE_RETENTION_DAYS set, deletes expired rows (src/usage/retention.ts). */
async function writeAndExpire(env: Env, batch: UsageRow[]): Promise<void> {
	try {
		await write(env.DB, batch);
	} finally {
		await expireAfterBatch(env, batch.length);
	}
}

/**
 * D1 queries a batch that failed may spend on retries: under the Workers Free plan's 50 D1 queries
 * per invocation (developers.cloudflare.com/d1/platform/limits), whatever else the writer queried.
 */
export const RETRY_QUERIES = 40;

async function write(db: D1Database, batch: UsageRow[]): Promise<void> {
	try {
		await insertMany(db, batch).run();
		return;
	} catch {
		// Retried below.
	}
	const lost: UsageRow[] = [];
	let retries = RETRY_QUERIES;
	// Once as a whole (a passing failure), then in halves: one bad row costs about 2·log2(n)
	// queries, and a D1 outage no more than the budget.
	const retry = async (rows: UsageRow[]): Promise<void> => {
		if (retries <= 0) {
			lost.push(...rows);
			return;
		}
		retries--;
		try {
			await (rows.length === 1 ? insert(db, rows[0] as UsageRow) : insertMany(db, rows)).run();
		} catch {
			if (rows.length === 1) {
				lost.push(...rows);
				return;
			}
			const half = Math.ceil(rows.length / 2);
			await retry(rows.slice(0, half));
			await retry(rows.slice(half));
		}
	};
	await retry(batch);
	// The whole row goes to the log: with LOG_REQUESTS off, it is the only record left of the request.
	for (const row of lost)
		console.error(JSON.stringify({ message: "usage row not stored", ...logFields(row) }));
	if (lost.length > 0) throw new Error(`${lost.length} usage rows not stored`);
}

/** A row's facts for a log line: ids, numbers and codes, never content or secrets (rows hold none). */
export function logFields(row: UsageRow) {
	return {
		gate_id: row.id,
		key_id: row.keyId,
		ingress: row.ingress,
		model: row.model,
		provider: row.provider,
		status: row.status,
		outcome: row.outcome,
		error_code: row.errorCode,
		streamed: row.streamed,
		latency_ms: row.latencyMs,
		prompt_tokens: row.promptTokens,
		completion_tokens: row.completionTokens,
		cost_usd: row.costUsd,
		created_at: row.createdAt,
		attempts: row.attempts.length,
	};
}

const COLUMNS = [
	"id",
	"key_id",
	"model",
	"provider",
	"upstream_model",
	"prompt_tokens",
	"completion_tokens",
	"total_tokens",
	"cached_tokens",
	"reasoning_tokens",
	"cost_usd",
	"outcome",
	"status",
	"error_code",
	"streamed",
	"latency_ms",
	"ttft_ms",
	"created_at",
	"attempts",
	"estimated",
	"ingress",
	"cache_creation_tokens",
] as const;

function values(r: UsageRow): Array<string | number | null> {
	return [
		r.id,
		r.keyId,
		r.model,
		r.provider,
		r.upstreamModel,
		r.promptTokens,
		r.completionTokens,
		r.totalTokens,
		r.cachedTokens,
		r.reasoningTokens,
		r.costUsd,
		r.outcome,
		r.status,
		r.errorCode,
		r.streamed ? 1 : 0,
		r.latencyMs,
		r.ttftMs,
		r.createdAt,
		JSON.stringify(r.attempts),
		r.estimated ? 1 : 0,
		r.ingress,
		r.cacheCreationTokens,
	];
}

// INSERT OR REPLACE: a retried row never fails on its own earlier copy.
const SINGLE_ROW = `INSERT OR REPLACE INTO usage (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`;

/**
 * Many rows in one statement with one parameter: a JSON array of row arrays, unpacked by SQLite's
 * json_each. D1 allows 100 bound parameters per statement (4 rows of 22 columns), and a batch of
 * one statement per row cost the Worker far more CPU per row than this does.
 */
const MANY_ROWS = `INSERT OR REPLACE INTO usage (${COLUMNS.join(", ")})
	SELECT ${COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ")} FROM json_each(?)`;

function insertMany(db: D1Database, rows: UsageRow[]): D1PreparedStatement {
	return db.prepare(MANY_ROWS).bind(JSON.stringify(rows.map(values)));
}

function insert(db: D1Database, r: UsageRow): D1PreparedStatement {
	return db.prepare(SINGLE_ROW).bind(...values(r));
}
