import { type UsageFilter, whereClause, whereOf } from "./filter";
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
	/**
	 * Upstream tries (retries and fallbacks): the entries of the row's `attempts` array, less the
	 * fallbacks skipped without a call (`"skipped": true`: unknown, disabled or not allowed).
	 */
	attempts: number;
}

interface Row extends Omit<RequestItem, "created_at" | "streamed"> {
	created_at: number;
	streamed: number;
}

// The attempts column is a JSON array written by src/usage/recorder.ts, one entry per try; a fallback
// skipped without a call (src/engine/dispatch.ts) is an entry with "skipped": true and is not counted.
// A hand-edited row holding anything but a JSON array counts 0 rather than failing the whole page: CASE
// tries its branches in order, so json_type and json_each only ever see a valid array, and
// json_extract only an entry that is an object.
const SELECT = `SELECT u.id, u.created_at, u.key_id, k.name AS key_name, u.model, u.ingress, u.status, u.outcome,
	u.error_code, u.streamed, u.prompt_tokens, u.completion_tokens, u.total_tokens, u.cost_usd, u.latency_ms,
	u.ttft_ms, CASE
		WHEN NOT json_valid(u.attempts) THEN 0
		WHEN json_type(u.attempts) <> 'array' THEN 0
		ELSE (
			SELECT COUNT(*) FROM json_each(u.attempts) AS a
			WHERE CASE WHEN a.type = 'object' THEN json_extract(a.value, '$.skipped') END IS NOT 1
		)
	END AS attempts
FROM usage u LEFT JOIN api_keys k ON k.id = u.key_id`;

/** The newest usage rows matching the filter, newest first (created_at DESC, id DESC), one page. */
export async function listRequests(db: D1Database, filter: UsageFilter, page: Page): Promise<RequestItem[]> {
	const where = whereOf(filter, "u");
	if (page.after) {
		const after = afterPosition(page.after, "u");
		where.sql.push(after.sql);
		where.params.push(...after.params);
	}
	const sql = `${SELECT} ${whereClause(where.sql)}
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
