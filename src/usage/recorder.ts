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
}

/**
 * Usage rows are written in batches: one D1 call for many rows, flushed when BATCH_SIZE rows are
 * waiting or BATCH_DELAY_MS after the first one. A single D1 write costs a Worker more CPU than the
 * rest of a request, so under load this is most of the gateway's overhead saved. Each request's
 * `waitUntil` holds the promise of its own row, so the isolate stays alive until it is stored.
 */
const BATCH_SIZE = 25;
const BATCH_DELAY_MS = 5;

interface Pending {
	row: UsageRow;
	resolve: () => void;
	reject: (error: unknown) => void;
}

let pending: Pending[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;
let boundDb: D1Database | null = null;

export function recordUsage(env: Env, row: UsageRow): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		pending.push({ row, resolve, reject });
		boundDb = env.DB;
		if (pending.length >= BATCH_SIZE) void flush();
		else timer ??= setTimeout(() => void flush(), BATCH_DELAY_MS);
	});
}

async function flush(): Promise<void> {
	if (timer) clearTimeout(timer);
	timer = null;
	const batch = pending;
	pending = [];
	const db = boundDb;
	if (batch.length === 0 || !db) return;
	try {
		await db.batch(batch.map(({ row }) => insert(db, row)));
		for (const item of batch) item.resolve();
	} catch {
		// One bad row must not lose the others: fall back to writing them one by one.
		await Promise.all(
			batch.map(async (item) => {
				try {
					await insert(db, item.row).run();
					item.resolve();
				} catch (error) {
					console.error(JSON.stringify({ message: "usage row not stored", gate_id: item.row.id }));
					item.reject(error);
				}
			}),
		);
	}
}

function insert(db: D1Database, r: UsageRow): D1PreparedStatement {
	return db
		.prepare(
			`INSERT OR REPLACE INTO usage (id, key_id, model, provider, upstream_model, prompt_tokens, completion_tokens,
				total_tokens, cached_tokens, reasoning_tokens, cost_usd, outcome, status, error_code, streamed, latency_ms,
				ttft_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		)
		.bind(
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
		);
}
