import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	GROQ_KEY,
	OPENAI_KEY,
	PARTIAL,
	RELEASED,
	STREAMED_TOOL_CALLS,
	SYSTEM_FINGERPRINT,
	TEXT,
	TEXT_PIECES,
	USAGE,
} from "../fakes/scenarios/openai";
import { GATE_ID } from "../shared/patterns";
import { replayIt } from "../shared/replay";
import { chat, createKey, dripStatusAfterClose, putModel, readSse, uniqueModelId, usageRow } from "./helpers";

const CACHED = USAGE.prompt_tokens_details.cached_tokens;
// input 1 $/M on the uncached prompt tokens, cached 0.5 $/M, output 2 $/M.
const COST = ((USAGE.prompt_tokens - CACHED) * 1 + CACHED * 0.5 + USAGE.completion_tokens * 2) / 1e6;

let key: string;
let keyId: string;
const models: Record<string, string> = {};

async function model(scenario: string): Promise<string> {
	if (!models[scenario]) {
		const id = uniqueModelId("openai", scenario.replace(/[^a-z0-9-]/g, ""));
		await putModel(id, {
			provider: "openai",
			upstream_model: scenario,
			input_price: 1,
			output_price: 2,
			cached_input_price: 0.5,
		});
		models[scenario] = id;
	}
	return models[scenario] as string;
}

const user = [{ role: "user", content: "Say hello" }];

beforeAll(async () => {
	({ key, id: keyId } = await createKey());
});

describe("non-streamed chat completions", () => {
	it("returns the upstream answer under the gate id and the client's model id, with cost", async () => {
		const id = await model("text");
		const res = await chat(key, { model: id, messages: user });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		const gateId = res.headers.get("x-request-id") ?? "";
		expect(gateId).toMatch(GATE_ID);
		const body = await res.json();
		expect(body).toEqual({
			id: gateId,
			object: "chat.completion",
			created: expect.any(Number),
			model: id,
			choices: [
				{
					index: 0,
					message: { role: "assistant", content: TEXT, refusal: null, annotations: [] },
					logprobs: null,
					finish_reason: "stop",
				},
			],
			usage: { ...USAGE, cost: COST },
			system_fingerprint: SYSTEM_FINGERPRINT,
			service_tier: "default",
		});
		expect(Object.keys(body as object).slice(0, 4)).toEqual(["id", "object", "created", "model"]);

		const row = await usageRow(gateId);
		expect(row).toMatchObject({
			key_id: keyId,
			model: id,
			provider: "openai",
			upstream_model: "text",
			prompt_tokens: USAGE.prompt_tokens,
			completion_tokens: USAGE.completion_tokens,
			total_tokens: USAGE.total_tokens,
			cached_tokens: CACHED,
			reasoning_tokens: USAGE.completion_tokens_details.reasoning_tokens,
			cost_usd: COST,
			outcome: "ok",
			status: 200,
			streamed: 0,
			ttft_ms: null,
		});
		expect(row.latency_ms).toEqual(expect.any(Number));
	});

	it("sends the upstream model name and the provider key, and passes unknown fields through", async () => {
		const id = await model("echo-request");
		const res = await chat(key, {
			model: id,
			messages: user,
			temperature: 0.2,
			reasoning_effort: "low",
			metadata: { team: "search" },
			web_search_options: { search_context_size: "low" },
		});
		expect(res.status).toBe(200);
		const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
		const echoed = JSON.parse(body.choices[0]?.message.content ?? "");
		expect(echoed).toEqual({
			body: {
				model: "echo-request",
				messages: user,
				temperature: 0.2,
				reasoning_effort: "low",
				metadata: { team: "search" },
				web_search_options: { search_context_size: "low" },
			},
			headers: { authorization: `Bearer ${OPENAI_KEY}`, "content-type": "application/json" },
		});
	});

	it("always asks a streaming upstream for usage, whatever the client asked", async () => {
		const id = await model("echo-request");
		const res = await chat(key, { model: id, messages: user, stream: true });
		const { events } = await readSse(res);
		const first = events[0] as { choices: Array<{ delta: { content: string } }> };
		const echoed = JSON.parse(first.choices[0]?.delta.content ?? "");
		expect(echoed.body.stream_options).toEqual({ include_usage: true });
		expect(echoed.body.stream).toBe(true);
	});

	it("reaches extra OpenAI-protocol providers configured only through PROVIDERS", async () => {
		const id = uniqueModelId("groq", "echo");
		await putModel(id, { provider: "groq", upstream_model: "echo-request" });
		const res = await chat(key, { model: id, messages: user });
		expect(res.status).toBe(200);
		const body = (await res.json()) as { model: string; choices: Array<{ message: { content: string } }> };
		expect(body.model).toBe(id);
		const echoed = JSON.parse(body.choices[0]?.message.content ?? "");
		expect(echoed.headers.authorization).toBe(`Bearer ${GROQ_KEY}`);
		expect(echoed.body.model).toBe("echo-request");
	});
});

interface ChunkShape {
	id: string;
	object: string;
	created: number;
	model: string;
	choices: Array<{ index: number; delta: Record<string, unknown>; finish_reason: string | null }>;
	usage?: unknown;
}

describe("streamed chat completions", () => {
	for (const scenario of ["text", "text-crlf"]) {
		it(`rewrites every chunk and puts usage on the finish chunk when asked (${scenario})`, async () => {
			const id = await model(scenario);
			const res = await chat(key, {
				model: id,
				messages: user,
				stream: true,
				stream_options: { include_usage: true },
			});
			expect(res.status).toBe(200);
			expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
			const gateId = res.headers.get("x-request-id") ?? "";
			const { events, raw } = await readSse(res);
			expect(raw).not.toContain("event:");
			expect(events.at(-1)).toBe("[DONE]");
			const chunks = events.slice(0, -1) as ChunkShape[];
			for (const chunk of chunks) {
				expect(chunk.id).toBe(gateId);
				expect(chunk.model).toBe(id);
				expect(chunk.object).toBe("chat.completion.chunk");
				expect(chunk.created).toBe(chunks[0]?.created);
			}
			expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([
				{ role: "assistant", content: "", refusal: null },
				...TEXT_PIECES.map((content) => ({ content })),
				{},
			]);
			expect(chunks.slice(0, -1).every((c) => !("usage" in c))).toBe(true);
			const last = chunks.at(-1);
			expect(last?.choices[0]?.finish_reason).toBe("stop");
			expect(last?.usage).toEqual({ ...USAGE, cost: COST });

			const row = await usageRow(gateId);
			expect(row).toMatchObject({
				outcome: "ok",
				status: 200,
				streamed: 1,
				prompt_tokens: USAGE.prompt_tokens,
				completion_tokens: USAGE.completion_tokens,
			});
			expect(row.ttft_ms).toEqual(expect.any(Number));
		});
	}

	it("does not show usage to a client that did not ask, but still records it", async () => {
		const id = await model("text");
		const res = await chat(key, { model: id, messages: user, stream: true });
		const gateId = res.headers.get("x-request-id") ?? "";
		const { events } = await readSse(res);
		const chunks = events.slice(0, -1) as ChunkShape[];
		expect(chunks).toHaveLength(TEXT_PIECES.length + 2);
		expect(chunks.every((c) => !("usage" in c))).toBe(true);
		expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
		expect(await usageRow(gateId)).toMatchObject({
			outcome: "ok",
			total_tokens: USAGE.total_tokens,
			cost_usd: COST,
		});
	});

	it("passes parallel tool-call deltas through with their indexes and argument fragments", async () => {
		const id = await model("tools");
		const res = await chat(key, { model: id, messages: user, stream: true });
		const { events } = await readSse(res);
		const deltas = (events.slice(0, -1) as ChunkShape[]).map((c) => c.choices[0]?.delta);
		expect(deltas).toEqual([
			{ role: "assistant", content: null },
			...STREAMED_TOOL_CALLS.flatMap(({ id, name, pieces }, index) => [
				{ tool_calls: [{ index, id, type: "function", function: { name, arguments: "" } }] },
				...pieces.map((piece) => ({ tool_calls: [{ index, function: { arguments: piece } }] })),
			]),
			{},
		]);
	});

	it("forwards each event as soon as it is complete, before the upstream has finished", async () => {
		const token = crypto.randomUUID();
		const id = await model(`gated-${token}`);
		const res = await chat(key, { model: id, messages: user, stream: true });
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		const decoder = new TextDecoder();
		let seen = "";
		while (!seen.includes(PARTIAL)) {
			const { value, done } = await reader.read();
			if (done) throw new Error("stream ended early");
			seen += decoder.decode(value, { stream: true });
		}
		// The upstream is still holding the rest back: we got the first events without it.
		expect(seen).not.toContain(RELEASED);
		await fetch(`${env.OPENAI_BASE_URL?.replace(/\/v1$/, "")}/__release/${token}`, { method: "POST" });
		for (;;) {
			const { value, done } = await reader.read();
			if (done) break;
			seen += decoder.decode(value, { stream: true });
		}
		expect(seen).toContain(RELEASED);
		expect(seen.trimEnd().endsWith("data: [DONE]")).toBe(true);
	});

	replayIt("replays a recorded OpenAI stream (tool call with role and header in one chunk)", async () => {
		const id = await model("fixture-openai-stream-tool-call-then-answer.0");
		const res = await chat(key, {
			model: id,
			messages: user,
			stream: true,
			stream_options: { include_usage: true },
		});
		expect(res.status, await res.clone().text()).toBe(200);
		const { events } = await readSse(res);
		const chunks = events.slice(0, -1) as ChunkShape[];
		const args = chunks
			.flatMap((c) => (c.choices[0]?.delta.tool_calls as Array<{ function?: { arguments?: string } }>) ?? [])
			.map((t) => t.function?.arguments ?? "")
			.join("");
		expect(JSON.parse(args)).toEqual(expect.any(Object));
		expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
		expect(chunks.at(-1)?.usage).toMatchObject({
			prompt_tokens: expect.any(Number),
			cost: expect.any(Number),
		});
	});
});

describe("upstream failures mid-stream", () => {
	it("records an estimate when the upstream drops after the finish chunk, before its usage", async () => {
		const id = await model("finish-then-die");
		const res = await chat(key, {
			model: id,
			messages: user,
			stream: true,
			stream_options: { include_usage: true },
		});
		const gateId = res.headers.get("x-request-id") ?? "";
		const { events } = await readSse(res);
		// The answer was complete: the client gets it, with no usage to show.
		expect(events.at(-1)).toBe("[DONE]");
		const finish = events.at(-2) as { choices: Array<{ finish_reason: string }>; usage: unknown };
		expect([finish.choices[0]?.finish_reason, finish.usage]).toEqual(["stop", null]);
		// The row is not a free request: the completion is estimated from what was streamed.
		expect(await usageRow(gateId)).toMatchObject({
			outcome: "ok",
			estimated: 1,
			completion_tokens: Math.ceil(PARTIAL.length / 4),
		});
	});

	const cases: Array<[string, string, number]> = [
		["die-midstream", "upstream_connection_lost", 502],
		["truncated", "upstream_stream_truncated", 502],
		["error-event", "upstream_error", 502],
		["garbage-sse", "upstream_bad_response", 502],
		["stall", "upstream_idle_timeout", 504],
	];
	for (const [scenario, code, status] of cases) {
		it(`ends with one error event and records the failure (${scenario})`, async () => {
			const id = await model(scenario);
			const res = await chat(key, { model: id, messages: user, stream: true });
			expect(res.status).toBe(200);
			const gateId = res.headers.get("x-request-id") ?? "";
			const { events } = await readSse(res);
			const last = events.at(-1) as { error: { code: string; type: string; message: string } };
			expect(last.error.code).toBe(code);
			expect(last.error.type).toBe(status === 504 ? "server_error" : "server_error");
			expect(events).not.toContain("[DONE]");
			expect(events.filter((e) => typeof e === "object" && e !== null && "error" in e)).toHaveLength(1);
			expect(JSON.stringify(events)).not.toMatch(/127\.0\.0\.1|SECRET/);
			expect(await usageRow(gateId)).toMatchObject({
				outcome: "upstream_error",
				status,
				error_code: code,
				streamed: 1,
			});
		});
	}
});

describe("client disconnects", () => {
	it("cancels the upstream request and records client_disconnected", async () => {
		const token = crypto.randomUUID();
		const id = await model(`drip-${token}`);
		const res = await chat(key, { model: id, messages: user, stream: true });
		const gateId = res.headers.get("x-request-id") ?? "";
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		await reader.read();
		await reader.read();
		void reader.cancel().catch(() => {});
		const status = await dripStatusAfterClose(token);
		expect(status?.closedEarly).toBe(true);
		expect(status?.sent).toBeLessThan(100);
		// The provider never reported usage: the completion is estimated from what was forwarded.
		const row = await usageRow(gateId);
		expect(row).toMatchObject({ outcome: "client_disconnected", streamed: 1, estimated: 1 });
		expect(row.completion_tokens).toBeGreaterThanOrEqual(1);
		expect(status?.finished).toBe(false);
	});
});
