import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ChaosLogEntry, type ChaosStats, faultKinds } from "../fakes/scenarios/chaos";
import { GATE_ID } from "../shared/patterns";
import { parseSse } from "../shared/sse";
import { chat, createKey, putModel, uniqueModelId } from "./helpers";

/**
 * Fault injection: 200 concurrent requests (half streamed, with include_usage) against the chaos fake
 * (test/fakes/chaos-fake.ts), which drops connections before headers and mid-body, stalls past the idle
 * timeout, sends garbage and answers 5xx and 429 at random. Every request must end with a complete
 * answer or a clean error — a JSON error, or a stream ending in exactly one error event — and D1 must
 * hold exactly one usage row per request, `ok` exactly for the successes (with the tokens the fake
 * sent) and `upstream_error` for the failures, each listing its attempts.
 *
 * Requests go through `exports.default.fetch` (helpers.chat): each one is its own invocation with its
 * own waitUntil, as in production. The fake's seed is printed at startup; CHAOS_SEED replays it (the
 * order in which concurrent requests reach the fake still varies).
 *
 * Expect one "Uncaught (in promise) Error: Network connection lost" line from workerd per
 * `drop_before_headers` fault: workerd logs it even when the failed fetch is awaited inside a
 * try/catch (checked with a bare `try { await fetch(…) } catch {}` against this fake), so it is
 * runtime noise, not an unhandled rejection in the gateway.
 */

const REQUESTS = 200;
const REQUEST_DEADLINE_MS = 20_000;
const ROWS_DEADLINE_MS = 10_000;

const chaosUrl = (() => {
	const providers = JSON.parse(env.PROVIDERS ?? "[]") as Array<{ name: string; base_url: string }>;
	const chaos = providers.find((p) => p.name === "chaos");
	if (!chaos) throw new Error("the chaos provider is missing from PROVIDERS (vitest.config.ts)");
	return chaos.base_url.replace(/\/v1$/, "");
})();

/** GET /__stats of test/fakes/chaos-fake.ts. */
async function chaosStats(): Promise<ChaosStats> {
	const res = await fetch(`${chaosUrl}/__stats`);
	return (await res.json()) as ChaosStats;
}

interface ErrorBody {
	error: { message: string; type: string; param: string | null; code: string | null };
}
interface UsageBody {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	prompt_tokens_details?: { cached_tokens?: number };
	completion_tokens_details?: { reasoning_tokens?: number };
}

/** How one request ended, as the client saw it. */
type Ending =
	| { kind: "complete"; content: string; usage: UsageBody | null }
	| { kind: "json_error"; status: number; error: ErrorBody["error"] }
	| { kind: "stream_error"; error: ErrorBody["error"] }
	| { kind: "malformed"; detail: string };

interface Outcome {
	index: number;
	streamed: boolean;
	gateId: string;
	status: number;
	ending: Ending;
	ms: number;
}

function isErrorBody(value: unknown): value is ErrorBody {
	if (typeof value !== "object" || value === null) return false;
	if (Object.keys(value).join() !== "error") return false;
	const error = (value as { error: unknown }).error;
	if (typeof error !== "object" || error === null) return false;
	const e = error as Record<string, unknown>;
	return (
		Object.keys(e).sort().join() === "code,message,param,type" &&
		typeof e.message === "string" &&
		e.message.length > 0 &&
		typeof e.type === "string" &&
		(e.param === null || typeof e.param === "string") &&
		(e.code === null || typeof e.code === "string")
	);
}

/** Classifies a fully read response; anything not clean is `malformed`, with the reason. */
function classify(res: Response, raw: string, streamed: boolean, gateId: string): Ending {
	const contentType = res.headers.get("content-type") ?? "";
	if (res.status !== 200) {
		if (!contentType.startsWith("application/json"))
			return { kind: "malformed", detail: `${res.status} ${contentType}` };
		try {
			const body: unknown = JSON.parse(raw);
			if (isErrorBody(body)) return { kind: "json_error", status: res.status, error: body.error };
		} catch {}
		return { kind: "malformed", detail: `${res.status} ${raw.slice(0, 200)}` };
	}
	if (!streamed) {
		try {
			const body = JSON.parse(raw) as {
				id?: string;
				object?: string;
				choices?: Array<{ message?: { content?: string }; finish_reason?: string }>;
				usage?: UsageBody;
			};
			const choice = body.choices?.[0];
			if (body.id === gateId && body.object === "chat.completion" && choice?.finish_reason === "stop") {
				return { kind: "complete", content: choice.message?.content ?? "", usage: body.usage ?? null };
			}
		} catch {}
		return { kind: "malformed", detail: `200 ${raw.slice(0, 200)}` };
	}
	if (!contentType.startsWith("text/event-stream"))
		return { kind: "malformed", detail: `200 ${contentType}` };
	const { blocks, terminated } = parseSse(raw);
	if (!terminated)
		return { kind: "malformed", detail: `stream does not end with a blank line: ${raw.slice(-200)}` };
	let content = "";
	let usage: UsageBody | null = null;
	for (const [i, block] of blocks.entries()) {
		const last = i === blocks.length - 1;
		if (block.kind === "not-data") return { kind: "malformed", detail: `block ${block.block.slice(0, 100)}` };
		if (block.kind === "done") {
			return last
				? { kind: "complete", content, usage }
				: { kind: "malformed", detail: "[DONE] before the end" };
		}
		if (block.kind === "not-json")
			return { kind: "malformed", detail: `event is not JSON: ${block.data.slice(0, 100)}` };
		const event = block.value;
		if (typeof event === "object" && event !== null && "error" in event) {
			if (!last) return { kind: "malformed", detail: "error event before the end" };
			if (!isErrorBody(event))
				return { kind: "malformed", detail: `error event ${block.data.slice(0, 200)}` };
			return { kind: "stream_error", error: event.error };
		}
		const chunk = event as {
			id?: string;
			choices?: Array<{ delta?: { content?: string } }>;
			usage?: UsageBody | null;
		};
		if (chunk.id !== gateId) return { kind: "malformed", detail: `chunk id ${String(chunk.id)}` };
		for (const choice of chunk.choices ?? []) content += choice.delta?.content ?? "";
		if (chunk.usage) usage = chunk.usage;
	}
	return { kind: "malformed", detail: "stream ended without [DONE] or an error event" };
}

async function oneRequest(key: string, model: string, index: number): Promise<Outcome> {
	const streamed = index % 2 === 0;
	const started = Date.now();
	const body = {
		model,
		messages: [{ role: "user", content: `request ${index}` }],
		...(streamed ? { stream: true, stream_options: { include_usage: true } } : {}),
	};
	let timer: ReturnType<typeof setTimeout> | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new Error(`request ${index} did not end within ${REQUEST_DEADLINE_MS} ms`)),
			REQUEST_DEADLINE_MS,
		);
	});
	try {
		return await Promise.race([
			(async () => {
				const res = await chat(key, body);
				const raw = await res.text();
				const gateId = res.headers.get("x-request-id") ?? "";
				return {
					index,
					streamed,
					gateId,
					status: res.status,
					ending: classify(res, raw, streamed, gateId),
					ms: Date.now() - started,
				};
			})(),
			deadline,
		]);
	} finally {
		if (timer !== undefined) clearTimeout(timer);
	}
}

interface Row {
	id: string;
	key_id: string;
	outcome: string;
	status: number;
	error_code: string | null;
	streamed: number;
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	cached_tokens: number;
	reasoning_tokens: number;
	attempts: string;
}

async function rowsFor(ids: string[]): Promise<Row[]> {
	const { results } = await env.DB.prepare("SELECT * FROM usage WHERE id IN (SELECT value FROM json_each(?))")
		.bind(JSON.stringify(ids))
		.all<Row>();
	return results;
}

const percentile = (sorted: number[], p: number) =>
	sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

let key = "";
let keyId = "";
let model = "";
let logSpy: { mockRestore(): void } | undefined;
beforeAll(async () => {
	model = uniqueModelId("chaos", "x");
	await putModel(model, { provider: "chaos", upstream_model: "chaos" });
	({ key, id: keyId } = await createKey(undefined, "faults"));
	// With LOG_REQUESTS=on the gateway logs one line per request (same isolate): 200 of them would
	// bury the figures.
	logSpy = vi.spyOn(console, "log").mockImplementation(() => {});
});
afterAll(() => logSpy?.mockRestore());

describe("faults: 200 concurrent requests against a chaotic upstream", () => {
	it("every request ends cleanly and leaves exactly one correct usage row", async () => {
		const before = await chaosStats();
		const started = Date.now();
		const settled = await Promise.allSettled(
			Array.from({ length: REQUESTS }, (_, index) => oneRequest(key, model, index)),
		);
		const wallMs = Date.now() - started;
		const after = await chaosStats();

		// 1. Every request ended, with a complete answer or a clean error.
		const hung = settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
		expect(hung, "requests without a response").toEqual([]);
		const outcomes = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
		const malformed = outcomes.filter((o) => o.ending.kind === "malformed");
		expect(
			malformed.map(
				(o) => `#${o.index} ${o.gateId}: ${o.ending.kind === "malformed" ? o.ending.detail : ""}`,
			),
			"responses that are neither a complete answer nor a clean error",
		).toEqual([]);
		const ids = outcomes.map((o) => o.gateId);
		expect(ids.every((id) => GATE_ID.test(id))).toBe(true);
		expect(new Set(ids).size).toBe(REQUESTS);

		// 2. What the fake did meanwhile (only this test uses the chaos provider).
		const log: ChaosLogEntry[] = after.log.filter((entry) => entry.n > before.requests);
		const byN = new Map(log.map((entry) => [entry.n, entry]));
		const faults = Object.fromEntries(
			faultKinds.map((kind) => [kind, (after.faults[kind] ?? 0) - (before.faults[kind] ?? 0)]),
		);

		// 3. Exactly one usage row per request, once the waitUntil writes have landed.
		const rowsDeadline = Date.now() + ROWS_DEADLINE_MS;
		let rows = await rowsFor(ids);
		while (rows.length < REQUESTS && Date.now() < rowsDeadline) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			rows = await rowsFor(ids);
		}
		const rowsForKey = Number(
			await env.DB.prepare("SELECT COUNT(*) AS n FROM usage WHERE key_id = ?").bind(keyId).first("n"),
		);
		const rowById = new Map(rows.map((row) => [row.id, row]));

		const attempts = rows.map(
			(row) => JSON.parse(row.attempts) as Array<{ status: number; code: string | null }>,
		);
		const attemptsTotal = attempts.reduce((sum, list) => sum + list.length, 0);
		const count = (kind: Ending["kind"], streamed?: boolean) =>
			outcomes.filter((o) => o.ending.kind === kind && (streamed === undefined || o.streamed === streamed))
				.length;
		const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
		const errorCodes = new Map<string, number>();
		for (const o of outcomes) {
			if (o.ending.kind === "json_error" || o.ending.kind === "stream_error") {
				const label = `${o.ending.kind === "json_error" ? o.status : "stream"}:${o.ending.error.code}`;
				errorCodes.set(label, (errorCodes.get(label) ?? 0) + 1);
			}
		}
		const perKind = new Map<string, { stream: number; json: number }>();
		for (const entry of log) {
			const tally = perKind.get(entry.fault) ?? { stream: 0, json: 0 };
			if (entry.stream) tally.stream += 1;
			else tally.json += 1;
			perKind.set(entry.fault, tally);
		}
		const faultsInjected = Object.entries(faults)
			.filter(([kind]) => kind !== "ok")
			.reduce((sum, [, n]) => sum + n, 0);
		console.info(
			[
				`[faults] chaos seed ${after.seed}; ${REQUESTS} concurrent requests (${REQUESTS / 2} streamed) in ${wallMs} ms; latency p50 ${percentile(latencies, 0.5)} ms, p95 ${percentile(latencies, 0.95)} ms, max ${latencies.at(-1)} ms`,
				`[faults] upstream requests seen by the fake: ${log.length}; faults injected: ${faultsInjected} (${Object.entries(
					faults,
				)
					.map(([kind, n]) => {
						const split = perKind.get(kind);
						return `${kind} ${n}${split ? ` [stream ${split.stream}/json ${split.json}]` : ""}`;
					})
					.join(", ")})`,
				`[faults] endings: complete ${count("complete")} (streamed ${count("complete", true)}), JSON error ${count("json_error")}, stream error event ${count("stream_error")}, malformed ${malformed.length}, no response ${hung.length}`,
				`[faults] errors by status:code: ${[...errorCodes.entries()].map(([label, n]) => `${label} ×${n}`).join(", ")}`,
				`[faults] attempts recorded ${attemptsTotal}; retries made (attempts − requests) ${attemptsTotal - rows.length}`,
				`[faults] usage rows found ${rows.length} of ${REQUESTS}; rows for the key ${rowsForKey}; rows lost ${REQUESTS - rows.length}`,
				`[faults] upstream requests the fake refused (wrong key or body from the gateway): ${after.refused - before.refused}`,
			].join("\n"),
		);

		expect(after.refused - before.refused, "requests the fake refused").toBe(0);
		expect(rows.length, "rows lost").toBe(REQUESTS);
		expect(rowsForKey, "rows for the test key (no extra rows)").toBe(REQUESTS);
		// Every attempt the gateway recorded is one request the fake saw, and the other way round.
		expect(attemptsTotal, "attempts recorded vs upstream requests seen").toBe(log.length);

		// 4. Each row matches what its client saw and what the fake sent.
		const problems: string[] = [];
		for (const o of outcomes) {
			const row = rowById.get(o.gateId);
			const where = `#${o.index} ${o.gateId} (${o.streamed ? "stream" : "json"}, ${o.ending.kind})`;
			if (!row) {
				problems.push(`${where}: no usage row`);
				continue;
			}
			const tries = JSON.parse(row.attempts) as Array<{ status: number; code: string | null }>;
			if (tries.length < 1) problems.push(`${where}: attempts ${row.attempts}`);
			if (row.streamed !== (o.streamed ? 1 : 0)) problems.push(`${where}: streamed ${row.streamed}`);
			if (o.ending.kind === "complete") {
				if (row.outcome !== "ok") problems.push(`${where}: outcome ${row.outcome}, expected ok`);
				if (tries.at(-1)?.status !== 200)
					problems.push(`${where}: last attempt ${JSON.stringify(tries.at(-1))}`);
				const n = Number(/^\[chaos#(\d+)\]/.exec(o.ending.content)?.[1]);
				const sent = byN.get(n);
				if (!sent?.usage || sent.fault !== "ok") {
					problems.push(
						`${where}: content ${JSON.stringify(o.ending.content)} names no correct answer of the fake`,
					);
					continue;
				}
				if (o.ending.content !== sent.content)
					problems.push(
						`${where}: content ${JSON.stringify(o.ending.content)} ≠ ${JSON.stringify(sent.content)}`,
					);
				if (sent.stream !== o.streamed)
					problems.push(`${where}: answered by a ${sent.stream ? "stream" : "non-stream"} upstream call`);
				const expected = {
					prompt_tokens: sent.usage.prompt_tokens,
					completion_tokens: sent.usage.completion_tokens,
					total_tokens: sent.usage.total_tokens,
					cached_tokens: sent.usage.prompt_tokens_details.cached_tokens,
					reasoning_tokens: sent.usage.completion_tokens_details.reasoning_tokens,
				};
				const stored = {
					prompt_tokens: row.prompt_tokens,
					completion_tokens: row.completion_tokens,
					total_tokens: row.total_tokens,
					cached_tokens: row.cached_tokens,
					reasoning_tokens: row.reasoning_tokens,
				};
				if (JSON.stringify(stored) !== JSON.stringify(expected))
					problems.push(`${where}: row tokens ${JSON.stringify(stored)} ≠ sent ${JSON.stringify(expected)}`);
				const client = o.ending.usage;
				if (
					!client ||
					client.prompt_tokens !== expected.prompt_tokens ||
					client.completion_tokens !== expected.completion_tokens ||
					client.total_tokens !== expected.total_tokens
				)
					problems.push(
						`${where}: client usage ${JSON.stringify(client)} ≠ sent ${JSON.stringify(expected)}`,
					);
			} else if (o.ending.kind === "json_error" || o.ending.kind === "stream_error") {
				if (row.outcome !== "upstream_error")
					problems.push(`${where}: outcome ${row.outcome}, expected upstream_error`);
				if (row.error_code !== o.ending.error.code)
					problems.push(`${where}: row error_code ${row.error_code} ≠ client's ${o.ending.error.code}`);
				if (o.ending.kind === "json_error" && row.status !== o.status)
					problems.push(`${where}: row status ${row.status} ≠ response ${o.status}`);
			}
		}
		expect(problems).toEqual([]);
	}, 60_000);
});
