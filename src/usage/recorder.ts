import type { Env } from "../env";

export type Outcome = "ok" | "upstream_error" | "client_disconnected" | "rejected";

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
}

/**
 * Usage rows are written in batches: one D1 call for many rows, flushed when BATCH_SIZE rows are
 * waiting or BATCH_DELAY_MS after the first one. A single D1 write costs a Worker more CPU than the
 * rest of a request, so under load this saves most of the gateway's overhead.
 *
 * The batch is written from whichever request flushes it, but each request waits for its own row in
 * its own context by polling a plain flag: workerd cancels a request whose promise is resolved from
 * another request's context as hung. The request's `waitUntil` holds this wait, so the isolate stays
 * alive until the row is stored. A row whose batch failed, or that waited too long, is written alone.
 */
const BATCH_SIZE = 50;
const BATCH_DELAY_MS = 20;
const MAX_WAIT_MS = 2_000;

interface Pending {
	row: UsageRow;
	state: "waiting" | "stored" | "failed";
}

let pending: Pending[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function recordUsage(env: Env, row: UsageRow): Promise<void> {
	const entry: Pending = { row, state: "waiting" };
	pending.push(entry);
	if (pending.length >= BATCH_SIZE) void flush(env.DB);
	else timer ??= setTimeout(() => void flush(env.DB), BATCH_DELAY_MS);

	const deadline = Date.now() + MAX_WAIT_MS;
	while (entry.state === "waiting" && Date.now() < deadline) await sleep(BATCH_DELAY_MS);
	if (entry.state === "stored") return;
	pending = pending.filter((other) => other !== entry);
	try {
		// INSERT OR REPLACE: harmless if a slow batch stores the same row after all.
		await insert(env.DB, row).run();
	} catch (error) {
		console.error(JSON.stringify({ message: "usage row not stored", gate_id: row.id }));
		throw error;
	}
}

async function flush(db: D1Database): Promise<void> {
	if (timer) clearTimeout(timer);
	timer = null;
	const batch = pending;
	pending = [];
	if (batch.length === 0) return;
	let state: Pending["state"] = "stored";
	try {
		await insertMany(
			db,
			batch.map(({ row }) => row),
		).run();
	} catch {
		state = "failed";
	}
	for (const entry of batch) entry.state = state;
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
	];
}

// INSERT OR REPLACE: harmless if a slow batch stores the same row after all.
const SINGLE_ROW = `INSERT OR REPLACE INTO usage (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`;

/**
 * Many rows in one statement with one parameter: a JSON array of row arrays, unpacked by SQLite's
 * json_each. D1 allows 100 bound parameters per statement (5 rows of 20 columns), and a batch of
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
