import OpenAI from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { describe, expect, inject, it } from "vitest";
import {
	ERROR_EVENT,
	FAILED_ERROR,
	GROQ_KEY,
	INCOMPLETE,
	INCOMPLETE_USAGE,
	OPENAI_KEY,
	PARTIAL,
	RATE_LIMITED_RETRY_AFTER,
	REASONING,
	snapshotOf,
	TEXT,
	TEXT_PIECES,
	TOOL_CALLS,
	TOOL_LOOP_CALL,
	toolLoopAnswer,
	USAGE,
} from "../fakes/scenarios/openai-responses";

/**
 * The fake OpenAI Responses API (test/fakes/openai-responses-fake.ts) driven directly by the official
 * `openai` package: if the SDK's own parsing and stream accumulation accept it, the gateway's
 * pass-through and its tests meet a realistic upstream.
 */

const TOOLS: OpenAI.Responses.FunctionTool[] = [
	{
		type: "function",
		name: "get_weather",
		parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
		strict: false,
	},
	{
		type: "function",
		name: "get_time",
		parameters: { type: "object", properties: { tz: { type: "string" } }, required: ["tz"] },
		strict: false,
	},
];

const RESPONSE_ID = /^resp_[0-9a-f]{48}$/;

async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
	const events: ResponseStreamEvent[] = [];
	for await (const event of stream) events.push(event);
	return events;
}

/** Every event numbered 0, 1, 2… in order. */
function expectSequenced(events: ResponseStreamEvent[]): void {
	expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
}

describe("the fake OpenAI Responses API, through the openai package", () => {
	const fakeUrl = inject("openaiUrl");
	const client = new OpenAI({ apiKey: OPENAI_KEY, baseURL: `${fakeUrl}/v1`, maxRetries: 0 });

	it("answers text, not streamed, with the usage's cached and reasoning tokens", async () => {
		const response = await client.responses.create({ model: "text", input: "Say hello" });
		expect(response.id).toMatch(RESPONSE_ID);
		expect(response).toMatchObject({
			object: "response",
			status: "completed",
			model: snapshotOf("text"),
			store: true,
			error: null,
			incomplete_details: null,
			usage: USAGE,
		});
		expect(response.output_text).toBe(TEXT);
		expect(response.output).toEqual([
			{
				id: expect.stringMatching(/^msg_[0-9a-f]{48}$/),
				type: "message",
				status: "completed",
				role: "assistant",
				content: [{ type: "output_text", annotations: [], logprobs: [], text: TEXT }],
			},
		]);
	});

	it("streams text that the SDK's accumulator turns into the same final response", async () => {
		const stream = client.responses.stream({ model: "text", input: "Say hello" });
		const deltas: string[] = [];
		stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
		const final = await stream.finalResponse();
		expect(deltas).toEqual(TEXT_PIECES);
		expect(final.output_text).toBe(TEXT);
		expect(final.status).toBe("completed");
		expect(final.usage).toEqual(USAGE);

		const events = await collect(await client.responses.create({ model: "text", input: "hi", stream: true }));
		expectSequenced(events);
		expect(events.map((event) => event.type)).toEqual([
			"response.created",
			"response.in_progress",
			"response.output_item.added",
			"response.content_part.added",
			...TEXT_PIECES.map(() => "response.output_text.delta"),
			"response.output_text.done",
			"response.content_part.done",
			"response.output_item.done",
			"response.completed",
		]);
		const created = events[0];
		expect(created?.type === "response.created" && created.response).toMatchObject({
			status: "in_progress",
			output: [],
			usage: null,
		});
	});

	it("writes each event as `event: <type>` and `data: <json>` with that type, blank-line separated", async () => {
		const res = await fetch(`${fakeUrl}/v1/responses`, {
			method: "POST",
			headers: { authorization: `Bearer ${OPENAI_KEY}`, "content-type": "application/json" },
			body: JSON.stringify({ model: "text", input: "hi", stream: true }),
		});
		expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
		const frames = (await res.text()).split("\n\n");
		expect(frames.pop()).toBe("");
		for (const frame of frames) {
			const [eventLine, dataLine, ...rest] = frame.split("\n");
			expect(rest).toEqual([]);
			const data = JSON.parse(dataLine?.replace(/^data: /, "") ?? "") as { type: string };
			expect(eventLine).toBe(`event: ${data.type}`);
		}
	});

	it("serves the same API under the Groq base with the Groq key, and refuses another key", async () => {
		const groq = new OpenAI({ apiKey: GROQ_KEY, baseURL: `${fakeUrl}/groq/v1`, maxRetries: 0 });
		expect((await groq.responses.create({ model: "text", input: "hi" })).output_text).toBe(TEXT);
		const wrong = new OpenAI({ apiKey: OPENAI_KEY, baseURL: `${fakeUrl}/groq/v1`, maxRetries: 0 });
		const error = await wrong.responses.create({ model: "text", input: "hi" }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
		expect(error).toMatchObject({ status: 401, code: "invalid_api_key" });
	});

	it("gives a reasoning item with its summary and encrypted content only when asked", async () => {
		const stream = client.responses.stream({
			model: "reasoning",
			input: "Weather?",
			reasoning: { effort: "low", summary: "auto" },
			include: ["reasoning.encrypted_content"],
		});
		const summaryDeltas: string[] = [];
		stream.on("response.reasoning_summary_text.delta", (event) => summaryDeltas.push(event.delta));
		const final = await stream.finalResponse();
		expect(summaryDeltas).toEqual(REASONING.summaryPieces);
		expect(final.output[0]).toEqual({
			id: expect.stringMatching(/^rs_/),
			type: "reasoning",
			summary: [{ type: "summary_text", text: REASONING.summary }],
			encrypted_content: REASONING.encryptedContent,
		});
		expect(final.output_text).toBe(REASONING.text);
		expect(final.reasoning).toEqual({ effort: "low", summary: "auto" });

		const plain = await client.responses.create({ model: "reasoning", input: "Weather?" });
		expect(plain.output[0]).toEqual({ id: expect.stringMatching(/^rs_/), type: "reasoning", summary: [] });
		expect(plain.output_text).toBe(REASONING.text);
	});

	it("streams two function calls whose arguments arrive split mid-escape", async () => {
		const stream = client.responses.stream({ model: "tools", input: "Weather and time?", tools: TOOLS });
		const argumentDeltas: string[] = [];
		stream.on("response.function_call_arguments.delta", (event) => argumentDeltas.push(event.delta));
		const final = await stream.finalResponse();
		expect(argumentDeltas).toEqual(TOOL_CALLS.flatMap((call) => call.pieces));
		expect(final.output).toEqual(
			TOOL_CALLS.map((call) => ({
				id: expect.stringMatching(/^fc_/),
				type: "function_call",
				status: "completed",
				call_id: call.call_id,
				name: call.name,
				arguments: call.arguments,
				parsed_arguments: null, // added by the SDK's stream helper, not on the wire
			})),
		);
		expect(JSON.parse(TOOL_CALLS[0]?.arguments ?? "")).toEqual({ city: 'Paris "France"' });
		expect(final.tools).toEqual(TOOLS);
	});

	it("runs a two-turn function-calling loop through previous_response_id", async () => {
		const first = await client.responses
			.stream({ model: "tool-loop", input: "Weather?", tools: TOOLS })
			.finalResponse();
		const call = first.output[0];
		expect(call).toMatchObject({ type: "function_call", ...TOOL_LOOP_CALL });
		if (call?.type !== "function_call") throw new Error("no call");

		const second = await client.responses.create({
			model: "tool-loop",
			previous_response_id: first.id,
			input: [{ type: "function_call_output", call_id: call.call_id, output: "18 °C" }],
			tools: TOOLS,
		});
		expect(second.output_text).toBe(toolLoopAnswer("18 °C"));
		expect(second.previous_response_id).toBe(first.id);

		// Without the stored turn, the whole history in `input` does the same.
		const stateless = await client.responses.create({
			model: "tool-loop",
			store: false,
			input: [
				{ role: "user", content: "Weather?" },
				{ type: "function_call", ...TOOL_LOOP_CALL },
				{ type: "function_call_output", call_id: TOOL_LOOP_CALL.call_id, output: "rain" },
			],
		});
		expect(stateless.output_text).toBe(toolLoopAnswer("rain"));
	});

	it("refuses outputs and calls that do not pair up by call_id, as OpenAI does", async () => {
		const first = await client.responses.create({ model: "tool-loop", input: "Weather?", tools: TOOLS });
		const wrongId = await client.responses
			.create({
				model: "tool-loop",
				previous_response_id: first.id,
				input: [{ type: "function_call_output", call_id: "call_other", output: "18 °C" }],
			})
			.catch((e: unknown) => e);
		expect(wrongId).toBeInstanceOf(OpenAI.BadRequestError);
		expect(wrongId).toMatchObject({
			status: 400,
			param: "input",
			message: expect.stringContaining(
				"No tool call found for function call output with call_id call_other.",
			),
		});
		const noOutput = await client.responses
			.create({ model: "tool-loop", previous_response_id: first.id, input: "and?" })
			.catch((e: unknown) => e);
		expect(noOutput).toMatchObject({
			status: 400,
			message: expect.stringContaining(`No tool output found for function call ${TOOL_LOOP_CALL.call_id}.`),
		});
	});

	it("retrieves, lists the input items of, and deletes a stored response", async () => {
		const created = await client.responses.create({
			model: "text",
			instructions: "Be brief.",
			input: [
				{ role: "user", content: "one" },
				{ role: "assistant", content: "two" },
				{ role: "user", content: [{ type: "input_text", text: "three" }] },
			],
			metadata: { ticket: "15" },
		});
		const retrieved = await client.responses.retrieve(created.id);
		expect(retrieved).toEqual(created);
		expect(retrieved).toMatchObject({ instructions: "Be brief.", metadata: { ticket: "15" } });

		const texts: string[] = [];
		for await (const item of client.responses.inputItems.list(created.id, { limit: 2 })) {
			if (item.type === "message") {
				texts.push(...item.content.map((part) => ("text" in part ? part.text : "")));
				expect(item.id).toMatch(/^msg_/);
			}
		}
		expect(texts).toEqual(["three", "two", "one"]);
		const ascending = await client.responses.inputItems.list(created.id, { order: "asc" });
		expect(ascending.data.map((item) => item.type === "message" && item.content[0])).toEqual([
			{ type: "input_text", text: "one" },
			{ type: "output_text", text: "two", annotations: [] },
			{ type: "input_text", text: "three" },
		]);
		const raw = await fetch(`${fakeUrl}/v1/responses/${created.id}/input_items?order=asc&limit=2`, {
			headers: { authorization: `Bearer ${OPENAI_KEY}` },
		});
		const page = (await raw.json()) as { data: Array<{ id: string }> };
		expect(page).toEqual({
			object: "list",
			data: ascending.data.slice(0, 2),
			first_id: ascending.data[0]?.id,
			last_id: ascending.data[1]?.id,
			has_more: true,
		});

		await client.responses.delete(created.id);
		const gone = await client.responses.retrieve(created.id).catch((e: unknown) => e);
		expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
		expect(gone).toMatchObject({
			status: 404,
			message: expect.stringContaining(`Response with id '${created.id}' not found.`),
		});
		const follow = await client.responses
			.create({ model: "text", previous_response_id: created.id, input: "more" })
			.catch((e: unknown) => e);
		expect(follow).toBeInstanceOf(OpenAI.BadRequestError);
		expect(follow).toMatchObject({
			status: 400,
			code: "previous_response_not_found",
			param: "previous_response_id",
			message: expect.stringContaining(`Previous response with id '${created.id}' not found.`),
		});
	});

	it("keeps nothing with store: false, and keeps each key's responses to that key", async () => {
		const unstored = await client.responses.create({ model: "text", input: "hi", store: false });
		expect(unstored).toMatchObject({ store: false }); // on the wire, though not in the SDK's Response type
		expect(await client.responses.retrieve(unstored.id).catch((e: unknown) => e)).toBeInstanceOf(
			OpenAI.NotFoundError,
		);
		const mine = await client.responses.create({ model: "text", input: "hi" });
		const groq = new OpenAI({ apiKey: GROQ_KEY, baseURL: `${fakeUrl}/groq/v1`, maxRetries: 0 });
		expect(await groq.responses.retrieve(mine.id).catch((e: unknown) => e)).toBeInstanceOf(
			OpenAI.NotFoundError,
		);
	});

	it("ends `incomplete` with status incomplete and its reason, streamed or not", async () => {
		const plain = await client.responses.create({ model: "incomplete", input: "hi", max_output_tokens: 2 });
		expect(plain).toMatchObject({
			status: "incomplete",
			incomplete_details: { reason: INCOMPLETE.reason },
			usage: INCOMPLETE_USAGE,
			max_output_tokens: 2,
		});
		expect(plain.output_text).toBe(INCOMPLETE.text);
		const events = await collect(
			await client.responses.create({ model: "incomplete", input: "hi", stream: true }),
		);
		expectSequenced(events);
		expect(events.at(-1)).toMatchObject({
			type: "response.incomplete",
			response: { status: "incomplete", incomplete_details: { reason: INCOMPLETE.reason } },
		});
		const final = await client.responses.stream({ model: "incomplete", input: "hi" }).finalResponse();
		expect(final.output_text).toBe(INCOMPLETE.text);
		expect(final.status).toBe("incomplete");
	});

	it("fails mid-stream with response.failed after some deltas, and with a 500 when not streamed", async () => {
		const events = await collect(
			await client.responses.create({ model: "error-midstream", input: "hi", stream: true }),
		);
		expectSequenced(events);
		const deltas = events.flatMap((event) =>
			event.type === "response.output_text.delta" ? [event.delta] : [],
		);
		expect(deltas.join("")).toBe(PARTIAL);
		expect(events.at(-1)).toMatchObject({
			type: "response.failed",
			response: { status: "failed", error: FAILED_ERROR },
		});
		const final = await client.responses.stream({ model: "error-midstream", input: "hi" }).finalResponse();
		expect(final).toMatchObject({ status: "failed", error: FAILED_ERROR });

		const plain = await client.responses
			.create({ model: "error-midstream", input: "hi" })
			.catch((e: unknown) => e);
		expect(plain).toBeInstanceOf(OpenAI.InternalServerError);
	});

	it("ends `error-event` with an `error` event and no lifecycle event", async () => {
		const events = await collect(
			await client.responses.create({ model: "error-event", input: "hi", stream: true }),
		);
		expectSequenced(events);
		expect(events.at(-1)).toEqual({ type: "error", ...ERROR_EVENT, sequence_number: events.length - 1 });
		expect(
			events.some((event) => event.type === "response.completed" || event.type === "response.failed"),
		).toBe(false);
	});

	it("answers the error scenarios with the SDK's error classes", async () => {
		const limited = await client.responses
			.create({ model: "rate-limited", input: "hi" })
			.catch((e: unknown) => e);
		expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
		expect(limited).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
		expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe(
			RATE_LIMITED_RETRY_AFTER,
		);

		const bad = await client.responses.create({ model: "bad-request", input: "hi" }).catch((e: unknown) => e);
		expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
		expect(bad).toMatchObject({ status: 400, code: "unsupported_parameter", param: "temperature" });

		const unknown = await client.responses
			.create({ model: "gpt-nope", input: "hi" })
			.catch((e: unknown) => e);
		expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
		expect(unknown).toMatchObject({
			status: 400,
			code: "model_not_found",
			param: "model",
			message: expect.stringContaining("The requested model 'gpt-nope' does not exist."),
		});

		const wrongKey = new OpenAI({ apiKey: "sk-wrong-key-1234", baseURL: `${fakeUrl}/v1`, maxRetries: 0 });
		expect(
			await wrongKey.responses.create({ model: "text", input: "hi" }).catch((e: unknown) => e),
		).toBeInstanceOf(OpenAI.AuthenticationError);
	});

	it("echoes what it received, body and headers, but never the key", async () => {
		const response = await client.responses.create({
			model: "echo-request",
			input: "ping",
			temperature: 0.2,
			metadata: { a: "b" },
		});
		expect(response.output_text).not.toContain(OPENAI_KEY);
		const echoed = JSON.parse(response.output_text) as { body: object; headers: Record<string, string> };
		expect(echoed.body).toEqual({
			model: "echo-request",
			input: "ping",
			temperature: 0.2,
			metadata: { a: "b" },
		});
		expect(echoed.headers).toMatchObject({
			"content-type": "application/json",
			authorization: "Bearer (checked)",
		});
	});
});
