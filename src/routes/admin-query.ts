import * as z from "zod/mini";
import { base64Url } from "../auth/crypto";
import type { PagePosition } from "../usage/queries/page";

/** The admin API's list parameters: time bounds, page sizes and cursors, as query strings. */

export const timeBound = z.pipe(
	z.string().check(z.refine((v) => !Number.isNaN(Date.parse(v)), "expected an ISO 8601 date or time")),
	z.transform((v: string) => Date.parse(v)),
);

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export const pageLimit = z.pipe(
	z
		.string()
		.check(
			z.regex(/^[0-9]{1,9}$/, `expected an integer from 1 to ${MAX_LIMIT}`),
			z.describe(`Rows per page, 1 to ${MAX_LIMIT}; default ${DEFAULT_LIMIT}.`),
		),
	z.pipe(
		z.transform((v: string) => Number(v)),
		z.number().check(z.int(), z.gte(1), z.lte(MAX_LIMIT)),
	),
);

/**
 * A cursor is base64url of "<created_at ms>:<id>", the last row of the page before. Opaque to
 * clients: only its round trip is promised. Text is UTF-8 encoded first, so any id survives.
 */
export const encodeCursor = (position: PagePosition): string =>
	base64Url(new TextEncoder().encode(`${position.createdAt}:${position.id}`));

export function decodeCursor(text: string): PagePosition | null {
	if (!/^[A-Za-z0-9_-]{3,2000}$/.test(text)) return null;
	let plain: string;
	try {
		const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
		plain = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
			Uint8Array.from(binary, (c) => c.charCodeAt(0)),
		);
	} catch {
		return null;
	}
	const match = /^(\d{1,16}):(.+)$/s.exec(plain);
	const createdAt = Number(match?.[1]);
	if (!match?.[2] || !Number.isSafeInteger(createdAt)) return null;
	return { createdAt, id: match[2] };
}

export const pageCursor = z.pipe(
	z.string().check(z.describe("`next_cursor` from the page before.")),
	z.transform((text: string, ctx) => {
		const position = decodeCursor(text);
		if (position) return position;
		ctx.issues.push({ code: "custom", message: "expected a next_cursor from an earlier page", input: text });
		return z.NEVER;
	}),
);

/**
 * A page of `size` rows and the cursor of the next one (null on the last page), from the up to
 * size + 1 rows its query returned: the extra row only tells that another page follows.
 */
export function pageOf<T extends { id: string; created_at: string }>(
	rows: T[],
	size: number,
): { data: T[]; next_cursor: string | null } {
	const data = rows.slice(0, size);
	const last = data[data.length - 1];
	const more = rows.length > size && last !== undefined;
	return {
		data,
		next_cursor: more ? encodeCursor({ createdAt: Date.parse(last.created_at), id: last.id }) : null,
	};
}
