import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	TEXT as CLAUDE_TEXT,
	TEXT_USAGE as CLAUDE_USAGE,
	THINKING_TOOL_LOOP,
} from "../../fakes/scenarios/anthropic";
import { TOOL_ANSWER_PREFIX as GEMINI_TOOL_ANSWER_PREFIX } from "../../fakes/scenarios/gemini";
import { OPENAI_KEY, snapshotOf, TEXT, USAGE } from "../../fakes/scenarios/openai-responses";
import { GATE_ID } from "../../shared/patterns";
import { createKey, gateway, putModel, uniqueModelId, usageRow } from "../helpers";

/**
 * POST /v1/responses, stateless so far: OpenAI-protocol models get the body as sent (pass-through
 * to the fake's /v1/responses), others the translation; ids are the gateway's `resp_…`.
 */

let key: string;
const RESP_ID = /^resp_[0-9a-z]{9}[A-Za-z0-9_-]{20}$/;

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	return gateway("/v1/responses", {
		method: "POST",
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
		body: JSON.stringify(body),
	});
}

async function model(provider: string, scenario: string): Promise<string> {
	const id = uniqueModelId(provider, scenario);
	await putModel(id, { provider, upstream_model: scenario });
	return id;
}

/** The fake OpenAI Responses API asked directly, as the gateway would ask it. */
function upstream(body: Record<string, unknown>): Promise<Response> {
	return fetch(`${env.OPENAI_BASE_URL}/responses`, {
		method: "POST",
		headers: { authorization: `Bearer ${OPENAI_KEY}`, "content-type": "application/json" },
		body: JSON.stringify(body),
	});
}

beforeAll(async () => {
	key = (await createKey()).key;
});

describe("POST /v1/responses", () => {
	it("passes an OpenAI model's request through, stamping the gateway's resp_ id and the catalog model", async () => {
		const id = await model("openai", "text");
		const res = await post({ model: id, input: "Hello", store: false });
		expect(res.status, await res.clone().text()).toBe(200);
		const gateId = res.headers.get("x-request-id") ?? "";
		expect(gateId).toMatch(GATE_ID);
		const body = (await res.json()) as Record<string, unknown> & {
			output: Array<{ content: Array<{ text: string }> }>;
		};
		expect(body.id).toBe(`resp_${gateId.slice("gate-".length)}`);
		expect(body.id).toMatch(RESP_ID);
		expect(body.model).toBe(id);
		expect(body.object).toBe("response");
		expect(body.output[0]?.content[0]?.text).toBe(TEXT);
		expect(body.usage).toEqual(USAGE);
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "responses",
			model: id,
			upstream_model: "text",
			prompt_tokens: USAGE.input_tokens,
			completion_tokens: USAGE.output_tokens,
			cached_tokens: USAGE.input_tokens_details.cached_tokens,
			reasoning_tokens: USAGE.output_tokens_details.reasoning_tokens,
			outcome: "ok",
		});
	});

	it("streams an OpenAI model's events as they came, but for the lifecycle events' id and model", async () => {
		const id = await model("openai", "text");
		const body = { model: id, input: "Hello", store: false, stream: true };
		const [res, direct] = await Promise.all([
			post(body),
			upstream({ ...body, model: "text" }).then((r) => r.text()),
		]);
		expect(res.status).toBe(200);
		const gateId = res.headers.get("x-request-id") ?? "";
		const raw = await res.text();
		const upstreamId = /"id":"(resp_[0-9a-f]+)"/.exec(direct)?.[1] ?? "";
		// The fake mints its own ids per request: compare with them swapped for the gateway's.
		const theirs = /"id":"(resp_[0-9a-f]+)"/.exec(raw)?.[1];
		expect(theirs).toBeUndefined();
		const normalize = (text: string, responseId: string, model: string) =>
			text
				.replaceAll(`"id":"${responseId}"`, '"id":"RESP"')
				.replaceAll(`"model":"${model}"`, '"model":"MODEL"')
				.replace(/(msg|fc|rs)_[0-9a-f]{48}/g, "$1_ITEM")
				.replace(/"created_at":\d+/g, '"created_at":0');
		expect(normalize(raw, `resp_${gateId.slice(5)}`, id)).toBe(
			normalize(direct, upstreamId, snapshotOf("text")),
		);
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "responses",
			streamed: 1,
			outcome: "ok",
			total_tokens: 33,
		});
	});

	it("translates for a Claude model: a response object with the text, usage and the gateway's ids", async () => {
		const id = await model("anthropic", "text");
		const res = await post({ model: id, input: "Hello", instructions: "Be brief." });
		expect(res.status, await res.clone().text()).toBe(200);
		const gateId = res.headers.get("x-request-id") ?? "";
		const body = (await res.json()) as Record<string, unknown>;
		expect(body).toMatchObject({
			id: `resp_${gateId.slice(5)}`,
			object: "response",
			status: "completed",
			model: id,
			instructions: "Be brief.",
			output: [
				{
					type: "message",
					role: "assistant",
					status: "completed",
					content: [{ type: "output_text", text: CLAUDE_TEXT, annotations: [] }],
				},
			],
			usage: {
				input_tokens: CLAUDE_USAGE.input_tokens,
				output_tokens: CLAUDE_USAGE.output_tokens,
				total_tokens: CLAUDE_USAGE.input_tokens + CLAUDE_USAGE.output_tokens,
			},
		});
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "responses",
			provider: "anthropic",
			outcome: "ok",
		});
	});

	it("answers OpenAI's 400 for a previous_response_id it never stored for this key", async () => {
		const id = await model("anthropic", "text");
		const res = await post({ model: id, input: "Hello", previous_response_id: "resp_unknown" });
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			error: {
				message: "Previous response with id 'resp_unknown' not found.",
				type: "invalid_request_error",
				param: "previous_response_id",
				code: "previous_response_not_found",
			},
		});
	});

	it("stores a response for its key: GET returns it, input_items lists its input, DELETE removes it", async () => {
		const id = await model("anthropic", "text");
		const res = await post({ model: id, input: [{ role: "user", content: "Hello" }] });
		const answer = (await res.json()) as { id: string };
		const get = (path: string, init: RequestInit = {}, apiKey = key) =>
			gateway(path, { ...init, headers: { authorization: `Bearer ${apiKey}` } });
		const stored = await get(`/v1/responses/${answer.id}`);
		expect(stored.status).toBe(200);
		expect(await stored.json()).toEqual(answer);
		const items = await get(`/v1/responses/${answer.id}/input_items`);
		expect(await items.json()).toEqual({
			object: "list",
			data: [
				{
					id: `item_${answer.id.slice(5)}_0`,
					type: "message",
					role: "user",
					content: [{ type: "input_text", text: "Hello" }],
				},
			],
			first_id: `item_${answer.id.slice(5)}_0`,
			last_id: `item_${answer.id.slice(5)}_0`,
			has_more: false,
		});
		const other = (await createKey()).key;
		expect((await get(`/v1/responses/${answer.id}`, {}, other)).status).toBe(404);
		const deleted = await get(`/v1/responses/${answer.id}`, { method: "DELETE" });
		expect(await deleted.json()).toEqual({ id: answer.id, object: "response", deleted: true });
		const gone = await get(`/v1/responses/${answer.id}`);
		expect(gone.status).toBe(404);
		expect(await gone.json()).toEqual({
			error: {
				message: `Response with id '${answer.id}' not found.`,
				type: "invalid_request_error",
				param: null,
				code: null,
			},
		});
	});

	it("stores nothing with store: false", async () => {
		const id = await model("anthropic", "text");
		const answer = (await (await post({ model: id, input: "Hello", store: false })).json()) as { id: string };
		const res = await gateway(`/v1/responses/${answer.id}`, { headers: { authorization: `Bearer ${key}` } });
		expect(res.status).toBe(404);
	});

	it("continues a stored conversation: a translated model gets it as history", async () => {
		const first = (await (
			await post({ model: await model("anthropic", "text"), input: "Hello" })
		).json()) as {
			id: string;
		};
		const echo = await model("anthropic", "echo-request");
		const res = await post({ model: echo, input: "And now?", previous_response_id: first.id });
		expect(res.status, await res.clone().text()).toBe(200);
		const body = (await res.json()) as { output: Array<{ content: Array<{ text: string }> }> };
		const upstream = JSON.parse(body.output[0]?.content[0]?.text ?? "") as { body: { messages: unknown } };
		expect(upstream.body.messages).toEqual([
			{ role: "user", content: [{ type: "text", text: "Hello" }] },
			{ role: "assistant", content: [{ type: "text", text: CLAUDE_TEXT }] },
			{ role: "user", content: [{ type: "text", text: "And now?" }] },
		]);
	});

	it("continues a stored conversation: a pass-through gets it inlined as input, with no id the upstream never saw", async () => {
		const firstRes = await post({ model: await model("openai", "text"), input: "Hello" });
		const first = (await firstRes.json()) as { id: string; output: unknown[] };
		const echo = await model("openai", "echo-request");
		const res = await post({ model: echo, input: "And now?", previous_response_id: first.id });
		expect(res.status, await res.clone().text()).toBe(200);
		const body = (await res.json()) as { output: Array<{ content: Array<{ text: string }> }> };
		const upstream = JSON.parse(body.output[0]?.content[0]?.text ?? "") as { body: Record<string, unknown> };
		expect(upstream.body).not.toHaveProperty("previous_response_id");
		expect(upstream.body.input).toEqual([
			{ type: "message", role: "user", content: [{ type: "input_text", text: "Hello" }] },
			...first.output,
			{ type: "message", role: "user", content: [{ type: "input_text", text: "And now?" }] },
		]);
	});

	it("keeps Claude's signed thinking through a tool loop continued by previous_response_id", async () => {
		const id = await model("anthropic", "thinking-tool-loop");
		const tools = [
			{
				type: "function",
				name: "get_weather",
				parameters: { type: "object", properties: { city: { type: "string" } } },
			},
		];
		const reasoning = { effort: "low" };
		const first = await post({ model: id, input: THINKING_TOOL_LOOP.question, tools, reasoning });
		expect(first.status, await first.clone().text()).toBe(200);
		const turn1 = (await first.json()) as { id: string; output: Array<{ type: string; call_id?: string }> };
		const call = turn1.output.find((item) => item.type === "function_call");
		expect(call?.call_id).toBe(THINKING_TOOL_LOOP.call.id);
		// The fake refuses the second turn unless the signed and redacted thinking come back first, unchanged.
		const second = await post({
			model: id,
			previous_response_id: turn1.id,
			input: [{ type: "function_call_output", call_id: call?.call_id, output: THINKING_TOOL_LOOP.result }],
			tools,
			reasoning,
		});
		expect(second.status, await second.clone().text()).toBe(200);
		const turn2 = (await second.json()) as {
			output_text?: string;
			output: Array<{ type: string; content?: Array<{ text: string }> }>;
		};
		const message = turn2.output.find((item) => item.type === "message");
		expect(message?.content?.[0]?.text).toBe(THINKING_TOOL_LOOP.answer);
	});

	it("keeps Gemini's thought signature through a streamed tool call continued by previous_response_id", async () => {
		const id = await model("google", "tool-call");
		const tools = [
			{
				type: "function",
				name: "get_weather",
				parameters: { type: "object", properties: { city: { type: "string" } } },
			},
		];
		const first = await post({ model: id, input: "Weather in Paris?", tools, stream: true });
		const raw = await first.text();
		const done = raw
			.split("\n\n")
			.find((block) => block.startsWith("event: response.completed"))
			?.split("\ndata: ")[1];
		const turn1 = (
			JSON.parse(done ?? "{}") as {
				response: { id: string; output: Array<{ type: string; call_id?: string }> };
			}
		).response;
		const call = turn1.output.find((item) => item.type === "function_call");
		expect(call?.call_id).toBeTruthy();
		// Stored once the stream ended: wait for it, then answer the call by reference.
		for (let i = 0; i < 50; i++) {
			const stored = await gateway(`/v1/responses/${turn1.id}`, {
				headers: { authorization: `Bearer ${key}` },
			});
			if (stored.status === 200) break;
			await new Promise((r) => setTimeout(r, 20));
		}
		// The fake refuses a replayed call without the signature it was made with (as Gemini 3 does).
		const second = await post({
			model: id,
			previous_response_id: turn1.id,
			input: [{ type: "function_call_output", call_id: call?.call_id, output: '{"temp":18}' }],
			tools,
		});
		expect(second.status, await second.clone().text()).toBe(200);
		const turn2 = (await second.json()) as {
			output: Array<{ type: string; content?: Array<{ text: string }> }>;
		};
		const text = turn2.output.find((item) => item.type === "message")?.content?.[0]?.text ?? "";
		expect(text.startsWith(GEMINI_TOOL_ANSWER_PREFIX)).toBe(true);
	});

	it("stores a streamed response once the stream has finished", async () => {
		const id = await model("openai", "text");
		const res = await post({ model: id, input: "Hello", stream: true });
		const raw = await res.text();
		const completed = raw
			.split("\n\n")
			.find((block) => block.startsWith("event: response.completed"))
			?.split("\ndata: ")[1];
		const final = (JSON.parse(completed ?? "{}") as { response: { id: string } }).response;
		let stored: Response | null = null;
		for (let i = 0; i < 50; i++) {
			stored = await gateway(`/v1/responses/${final.id}`, { headers: { authorization: `Bearer ${key}` } });
			if (stored.status === 200) break;
			await new Promise((r) => setTimeout(r, 20));
		}
		expect(stored?.status).toBe(200);
		expect(await stored?.json()).toEqual(final);
	});

	it("streams a translated answer as the semantic events, numbered from 0, ending with response.completed", async () => {
		const id = await model("anthropic", "text");
		const res = await post({ model: id, input: "Hello", stream: true, store: false });
		expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
		const events = parseEvents(await res.text());
		expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
		for (const e of events) expect(e.event).toBe(e.data.type);
		expect(events.map((e) => e.event)).toEqual([
			"response.created",
			"response.in_progress",
			"response.output_item.added",
			"response.content_part.added",
			...events
				.filter((e) => e.event === "response.output_text.delta")
				.map(() => "response.output_text.delta"),
			"response.output_text.done",
			"response.content_part.done",
			"response.output_item.done",
			"response.completed",
		]);
		const text = events
			.filter((e) => e.event === "response.output_text.delta")
			.map((e) => e.data.delta)
			.join("");
		expect(text).toBe(CLAUDE_TEXT);
		expect((events.at(-1)?.data.response as { usage: unknown } | undefined)?.usage).toMatchObject({
			input_tokens: CLAUDE_USAGE.input_tokens,
			output_tokens: CLAUDE_USAGE.output_tokens,
		});
	});

	it("ends a translated stream whose upstream fails with error and response.failed, and records the failure", async () => {
		const id = await model("anthropic", "error-midstream");
		const res = await post({ model: id, input: "Hello", stream: true });
		const gateId = res.headers.get("x-request-id") ?? "";
		const events = parseEvents(await res.text());
		expect(events.slice(-2).map((e) => e.event)).toEqual(["error", "response.failed"]);
		expect((events.at(-1)?.data.response as { status: string } | undefined)?.status).toBe("failed");
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "responses",
			outcome: "upstream_error",
			status: 503,
		});
	});

	it("answers an answer cut by max tokens as incomplete, with the reason", async () => {
		const id = await model("anthropic", "max-tokens");
		const body = (await (await post({ model: id, input: "Hello", max_output_tokens: 5 })).json()) as Record<
			string,
			unknown
		>;
		expect([body.status, body.incomplete_details]).toEqual(["incomplete", { reason: "max_output_tokens" }]);
	});

	it("refuses a built-in tool for a model that does not have it, and passes it on to an OpenAI-protocol one", async () => {
		const search = { type: "web_search" };
		const translated = await post({ model: await model("google", "text"), input: "News?", tools: [search] });
		expect(translated.status).toBe(400);
		expect(((await translated.json()) as { error: { param: string } }).error.param).toBe("tools[0]");
		const passed = await post({
			model: await model("openai", "echo-request"),
			input: "News?",
			tools: [search],
		});
		expect(passed.status).toBe(200);
		const body = (await passed.json()) as { output: Array<{ content: Array<{ text: string }> }> };
		const upstream = JSON.parse(body.output[0]?.content[0]?.text ?? "") as { body: { tools: unknown } };
		expect(upstream.body.tools).toEqual([search]);
	});

	it("applies the input limits: too many items is a 400, an image over the limit a 413, naming the field", async () => {
		const id = await model("anthropic", "text");
		const many = Array.from({ length: 101 }, () => ({ role: "user", content: "Hi" }));
		const tooMany = await post({ model: id, input: many });
		expect(tooMany.status).toBe(400);
		expect(((await tooMany.json()) as { error: unknown }).error).toMatchObject({
			param: "input",
			code: "too_many_messages",
		});
		const big = `data:image/png;base64,${"A".repeat(90_000)}`;
		const tooBig = await post({
			model: id,
			input: [{ role: "user", content: [{ type: "input_image", image_url: big }] }],
		});
		expect(tooBig.status).toBe(413);
		expect(((await tooBig.json()) as { error: unknown }).error).toMatchObject({
			param: "input[0].content[0].image_url",
			code: "image_too_large",
		});
	});

	it("falls over from an overloaded Claude model to an OpenAI model, which gets the body passed through", async () => {
		const fallback = await model("openai", "text");
		const res = await post(
			{ model: await model("anthropic", "overloaded"), input: "Hello", store: false },
			{ "x-aigate-fallbacks": fallback },
		);
		expect(res.status, await res.clone().text()).toBe(200);
		const gateId = res.headers.get("x-request-id") ?? "";
		const body = (await res.json()) as { model: string; usage: unknown };
		expect([body.model, body.usage]).toEqual([fallback, USAGE]);
		const row = await usageRow(gateId);
		expect(row.model).toBe(fallback);
		expect(JSON.parse(String(row.attempts)).map((a: { status: number }) => a.status)).toContain(200);
	});

	it("needs the API key as a Bearer token", async () => {
		const res = await gateway("/v1/responses", { method: "POST", body: "{}" });
		expect(res.status).toBe(401);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
	});
});

interface Event {
	event: string | null;
	data: Record<string, unknown>;
}

/** A Responses event stream as its named events, in order. */
function parseEvents(raw: string): Event[] {
	return raw
		.split("\n\n")
		.filter((block) => block.trim() !== "")
		.map((block) => {
			const lines = block.split("\n");
			const event = lines.find((line) => line.startsWith("event: "))?.slice("event: ".length) ?? null;
			const data = lines.find((line) => line.startsWith("data: "))?.slice("data: ".length) ?? "{}";
			return { event, data: JSON.parse(data) as Record<string, unknown> };
		});
}
