// The admin API, same origin only. The admin token lives in this tab's sessionStorage (gone when the
// tab closes; never localStorage, never a URL) and travels only in the Authorization header.

const TOKEN_KEY = "aigate.adminToken";

export const session = {
	token: () => sessionStorage.getItem(TOKEN_KEY),
	save: (token) => sessionStorage.setItem(TOKEN_KEY, token),
	clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer of the admin API other than 2xx: its status, and the message and code of its error body. */
export class ApiError extends Error {
	constructor(status, message, code) {
		super(message);
		this.name = "ApiError";
		this.status = status;
		this.code = code ?? null;
	}
}

let onUnauthorized = () => {};

/** Called when the stored token is refused (401): the app signs out. */
export function setUnauthorizedHandler(handler) {
	onUnauthorized = handler;
}

/**
 * Calls `/admin/…` on this origin. `query` entries that are undefined, null or "" are left out;
 * `body` is sent as JSON; `token` (sign-in) replaces the stored token for this one call.
 */
export async function api(path, { method = "GET", query, body, token } = {}) {
	if (!path.startsWith("/admin/")) throw new Error(`not an admin API path: ${path}`);
	const url = new URL(path, window.location.origin);
	for (const [name, value] of Object.entries(query ?? {})) {
		if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
	}
	const headers = { authorization: `Bearer ${token ?? session.token() ?? ""}` };
	if (body !== undefined) headers["content-type"] = "application/json";
	let response;
	try {
		response = await fetch(url, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			cache: "no-store",
			credentials: "omit",
			redirect: "error",
		});
	} catch (cause) {
		throw new ApiError(0, `Could not reach the gateway (${cause instanceof Error ? cause.message : cause}).`);
	}
	const text = await response.text();
	let data = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch {
		data = null;
	}
	if (!response.ok) {
		const error = data && typeof data === "object" ? data.error : null;
		const message = typeof error?.message === "string" ? error.message : `HTTP ${response.status}`;
		const failure = new ApiError(response.status, message, error?.code);
		if (response.status === 401 && token === undefined) onUnauthorized(failure);
		throw failure;
	}
	return data;
}

/** `/admin/models/openai/gpt-5.5` from `openai/gpt-5.5`: each part of the id encoded. */
export function modelPath(id) {
	const slash = id.indexOf("/");
	return `/admin/models/${encodeURIComponent(id.slice(0, slash))}/${encodeURIComponent(id.slice(slash + 1))}`;
}

/** Every page of a cursor-paged listing, up to `maxPages`. */
export async function allPages(path, query = {}, maxPages = 10) {
	const items = [];
	let cursor;
	for (let page = 0; page < maxPages; page++) {
		const answer = await api(path, { query: { ...query, cursor } });
		items.push(...(answer?.data ?? []));
		cursor = answer?.next_cursor;
		if (!cursor) break;
	}
	return items;
}
