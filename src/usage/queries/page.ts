import { columnOf } from "./filter";

/** A row's place in the listings' order, created_at DESC then id DESC: what a cursor carries. */
export interface PagePosition {
	createdAt: number;
	id: string;
}

/** One page of a listing: the rows after `after` (from the top when null), at most `limit` of them. */
export interface Page {
	after: PagePosition | null;
	limit: number;
}

/**
 * The rows strictly after a position, as a fixed SQL fragment and its parameters. The plain bound on
 * created_at comes first so that an index on created_at starts its scan at the cursor
 * (`SEARCH … USING INDEX usage_by_time (created_at<?)`, bench/usage-queries.mjs prints the plans);
 * the id decides only between rows of the same millisecond.
 */
export function afterPosition(
	position: PagePosition,
	alias = "",
): { sql: string; params: Array<string | number> } {
	const column = columnOf(alias);
	return {
		sql: `${column("created_at")} <= ? AND (${column("created_at")} < ? OR ${column("id")} < ?)`,
		params: [position.createdAt, position.createdAt, position.id],
	};
}
