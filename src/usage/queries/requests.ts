import { type UsageFilter, whereOf } from "./filter";
import { afterPosition, type Page } from "./page";

/** One request as the dashboard lists it: the usage row's facts, never content or secrets. */
export interface RequestItem {
	id: string;
	created_at: string;
	key_id: string;
	key_name: string | null;
	model: string;
	ingress: string;
	status: number;
	outcome: string;
	error_code: string | null;
	streamed: boolean;
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	cost_usd: number;
	latency_ms: number;
	ttft_ms: number | null;
	/** Upstream tries (retries and fallbacks): the length of the row's `attempts` array. */
	attempts: number;
}

interface Row extends Omit<RequestItem, "created_at" | "streamed"> {
	created_at: number;
	streamed: number;
}

// The attempts column is a JSON array written by src/usage/recorder.ts; a hand-edited row holding
// anything else counts 0 rather than failing the whole page.
const SELECT = `SELECT u.id, u.created_at, u.key_id, k.name AS key_name, u.model, u.ingress, u.status, u.outcome,
	u.error_code, u.streamed, u.prompt_tokens, u.completion_tokens, u.total_tokens, u.cost_usd, u.latency_ms,
	u.ttft_ms, CASE WHEN json_valid(u.attempts) THEN json_array_length(u.attempts) ELSE 0 END AS attempts
FROM usage u LEFT JOIN api_keys k ON k.id = u.key_id`;

/** The newest usage rows matching the filter, newest first (created_at DESC, id DESC), one page. */
export async function listRequests(db: D1Database, filter: UsageFilter, page: Page): Promise<RequestItem[]> {
	const where = whereOf(filter, "u");
	if (page.after) {
		const after = afterPosition(page.after, "u");
		where.sql.push(after.sql);
		where.params.push(...after.params);
	}
	const sql = `${SELECT} ${where.sql.length ? `WHERE ${where.sql.join(" AND ")}` : ""}
		ORDER BY u.created_at DESC, u.id DESC LIMIT ?`;
	const { results } = await db
		.prepare(sql)
		.bind(...where.params, page.limit)
		.all<Row>();
	return results.map((row) => ({
		...row,
		created_at: new Date(row.created_at).toISOString(),
		streamed: row.streamed === 1,
	}));
}
