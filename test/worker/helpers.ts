import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

/** Test helpers that drive the gateway through its public HTTP API, as a client would. */

export const ADMIN_TOKEN = "test-admin-token";
const ORIGIN = "http://gateway.test";

export function gateway(path: string, init?: RequestInit): Promise<Response> {
	return exports.default.fetch(new Request(`${ORIGIN}${path}`, init));
}

export function admin(path: string, init: RequestInit = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set("authorization", `Bearer ${ADMIN_TOKEN}`);
	if (init.body !== undefined) headers.set("content-type", "application/json");
	return gateway(path, { ...init, headers });
}

export async function createKey(models?: string[], name = "test"): Promise<{ id: string; key: string }> {
	const res = await admin("/admin/keys", { method: "POST", body: JSON.stringify({ name, models }) });
	expect(res.status).toBe(201);
	return (await res.json()) as { id: string; key: string };
}

export interface ModelSpec {
	provider: string;
	upstream_model: string;
	enabled?: boolean;
	input_price?: number;
	output_price?: number;
	cached_input_price?: number;
	cache_write_price?: number;
	cache_write_1h_price?: number;
	kind?: "chat" | "image" | "embeddings";
	max_output_tokens?: number;
	capabilities?: Partial<{ vision: boolean; tools: boolean; json: boolean; image_output: boolean }>;
}

/** Creates or updates a catalog entry; `id` is `provider/name`. */
export async function putModel(id: string, spec: ModelSpec): Promise<void> {
	const body = { enabled: true, input_price: 1, output_price: 2, ...spec };
	const res = await admin(`/admin/models/${id}`, { method: "PUT", body: JSON.stringify(body) });
	expect(res.status, await res.clone().text()).toBe(200);
}

export function chat(key: string, body: unknown, init: RequestInit = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set("authorization", `Bearer ${key}`);
	headers.set("content-type", "application/json");
	return gateway("/v1/chat/completions", {
		method: "POST",
		...init,
		headers,
		body: typeof body === "string" || body instanceof ReadableStream ? body : JSON.stringify(body),
	});
}

export { readSse } from "../shared/sse";

export type UsageRow = Record<string, string | number | null>;

/** Waits for the usage row of a request (written after the response, via waitUntil). */
export async function usageRow(gateId: string, timeoutMs = 5000): Promise<UsageRow> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const row = await env.DB.prepare("SELECT * FROM usage WHERE id = ?").bind(gateId).first<UsageRow>();
		if (row) return row;
		if (Date.now() > deadline) throw new Error(`no usage row for ${gateId}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

let counter = 0;
/** A model id unique to this test run, so test files do not step on each other's catalog rows. */
export function uniqueModelId(provider: string, hint: string): string {
	counter += 1;
	return `${provider}/${hint}-${crypto.randomUUID().slice(0, 8)}-${counter}`;
}

export type DripStatus = { closedEarly: boolean; sent: number; finished: boolean } | null;

/**
 * What the fake OpenAI's `drip-<token>` scenario saw of its connection, once it was closed early or
 * after about 2 s: whether the gateway cancelled the upstream when its client left.
 */
export async function dripStatusAfterClose(token: string): Promise<DripStatus> {
	const fakeBase = env.OPENAI_BASE_URL?.replace(/\/v1$/, "");
	const read = async () => (await (await fetch(`${fakeBase}/__status/${token}`)).json()) as DripStatus;
	let status = await read();
	for (let i = 0; i < 100 && !status?.closedEarly; i++) {
		await new Promise((r) => setTimeout(r, 20));
		status = await read();
	}
	return status;
}
