import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import {
	type ResponseItem,
	type ResponsesRequest,
	responsesRequest,
} from "../../../../src/ingress/responses/schema";
import { toCanonical } from "../../../../src/ingress/responses/to-canonical";
import { validated } from "../../../../src/schemas/zod-error";

const request = (body: Record<string, unknown>): ResponsesRequest =>
	validated(responsesRequest, { model: "claude-x", ...body });
const items = (list: unknown[]): ResponseItem[] => request({ input: list }).input as ResponseItem[];

/** The 400 toCanonical throws for a body. */
function refusal(body: Record<string, unknown>, history?: unknown[]) {
	try {
		toCanonical(request(body), history ? items(history) : undefined);
	} catch (error) {
		if (!(error instanceof GatewayError)) throw error;
		expect(error.status).toBe(400);
		return { message: error.message, param: error.param, code: error.code };
	}
	throw new Error("expected a 400");
}

describe("toCanonical", () => {
	it("turns a string input and the settings into a chat request", () => {
		const chat = toCanonical(
			request({
				instructions: "Be brief.",
				input: "Hi",
				max_output_tokens: 100,
				temperature: 0.5,
				top_p: 0.9,
				user: "u1",
				safety_identifier: "s1",
				parallel_tool_calls: false,
				reasoning: { effort: "high", summary: "auto" },
				text: { format: { type: "json_object" }, verbosity: "low" },
				stream: true,
				metadata: { a: "b" },
				store: true,
				include: ["reasoning.encrypted_content"],
				truncation: "disabled",
			}),
		);
		expect(chat).toEqual({
			model: "claude-x",
			messages: [
				{ role: "system", content: "Be brief." },
				{ role: "user", content: "Hi" },
			],
			stream: true,
			stream_options: { include_usage: true },
			max_completion_tokens: 100,
			temperature: 0.5,
			top_p: 0.9,
			user: "u1",
			safety_identifier: "s1",
			parallel_tool_calls: false,
			reasoning_effort: "high",
			verbosity: "low",
			response_format: { type: "json_object" },
		});
	});

	it("turns items into messages: parts, a turn's calls in one assistant message, outputs as tool messages", () => {
		const chat = toCanonical(
			request({
				input: [
					{ role: "developer", content: [{ type: "input_text", text: "Use tools." }] },
					{
						role: "user",
						content: [
							{ type: "input_text", text: "Look:" },
							{ type: "input_image", image_url: "https://x/a.png", detail: "low" },
							{ type: "input_image", image_url: "data:image/png;base64,AA", detail: "original" },
							{ type: "input_file", file_data: "data:application/pdf;base64,JV", filename: "a.pdf" },
						],
					},
					{ type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "t" }] },
					{
						type: "message",
						role: "assistant",
						content: [
							{ type: "output_text", text: "Checking.", annotations: [] },
							{ type: "refusal", refusal: "Not that." },
						],
					},
					{ type: "function_call", call_id: "call_a", name: "weather", arguments: '{"c":"P"}' },
					{ type: "function_call", call_id: "call_b", name: "clock", arguments: "" },
					{ type: "function_call_output", call_id: "call_a", output: "sunny" },
					{
						type: "function_call_output",
						call_id: "call_b",
						output: [
							{ type: "input_text", text: "noon" },
							{ type: "input_image", image_url: "https://x/clock.png" },
						],
					},
					{ role: "assistant", content: "Sunny at noon." },
					{ type: "function_call", call_id: "call_c", name: "clock", arguments: "{}" },
				],
			}),
		);
		expect(chat.messages).toEqual([
			{ role: "developer", content: [{ type: "text", text: "Use tools." }] },
			{
				role: "user",
				content: [
					{ type: "text", text: "Look:" },
					{ type: "image_url", image_url: { url: "https://x/a.png", detail: "low" } },
					{ type: "image_url", image_url: { url: "data:image/png;base64,AA", detail: "high" } },
					{ type: "file", file: { file_data: "data:application/pdf;base64,JV", filename: "a.pdf" } },
				],
			},
			{
				role: "assistant",
				content: [
					{ type: "text", text: "Checking." },
					{ type: "text", text: "Not that." },
				],
				tool_calls: [
					{ id: "call_a", type: "function", function: { name: "weather", arguments: '{"c":"P"}' } },
					{ id: "call_b", type: "function", function: { name: "clock", arguments: "" } },
				],
			},
			{ role: "tool", tool_call_id: "call_a", content: "sunny" },
			{ role: "tool", tool_call_id: "call_b", content: [{ type: "text", text: "noon" }] },
			{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/clock.png" } }] },
			{
				role: "assistant",
				content: "Sunny at noon.",
				tool_calls: [{ id: "call_c", type: "function", function: { name: "clock", arguments: "{}" } }],
			},
		]);
	});

	it("opens an assistant message for calls that follow no assistant text", () => {
		const chat = toCanonical(
			request({
				input: [
					{ role: "user", content: "Go" },
					{ type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
				],
			}),
		);
		expect(chat.messages[1]).toEqual({
			role: "assistant",
			content: null,
			tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
		});
	});

	it("puts the stored conversation after the instructions and before the input", () => {
		const history = [
			{ role: "user", content: "Weather?" },
			{ type: "reasoning", id: "rs_1", summary: [], encrypted_content: "opaque" },
			{
				type: "function_call",
				id: "fc_1",
				call_id: "call_1",
				name: "weather",
				arguments: "{}",
				status: "completed",
			},
		];
		const chat = toCanonical(
			request({
				instructions: "Now",
				previous_response_id: "resp_1",
				input: [{ type: "function_call_output", call_id: "call_1", output: "rain" }],
			}),
			items(history),
		);
		expect(chat.messages).toEqual([
			{ role: "system", content: "Now" },
			{ role: "user", content: "Weather?" },
			{
				role: "assistant",
				content: null,
				tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{}" } }],
			},
			{ role: "tool", tool_call_id: "call_1", content: "rain" },
		]);
	});

	it("maps tools, tool_choice and json_schema formats", () => {
		const chat = toCanonical(
			request({
				input: "x",
				tools: [
					{ type: "function", name: "f", description: "F.", parameters: { type: "object" }, strict: true },
					{ type: "function", name: "g", parameters: null, strict: null },
				],
				tool_choice: { type: "function", name: "f" },
				text: {
					format: {
						type: "json_schema",
						name: "out",
						description: "D.",
						schema: { type: "object" },
						strict: true,
					},
				},
			}),
		);
		expect([chat.tools, chat.tool_choice, chat.response_format]).toEqual([
			[
				{
					type: "function",
					function: { name: "f", parameters: { type: "object" }, description: "F.", strict: true },
				},
				{ type: "function", function: { name: "g" } },
			],
			{ type: "function", function: { name: "f" } },
			{
				type: "json_schema",
				json_schema: { name: "out", schema: { type: "object" }, description: "D.", strict: true },
			},
		]);
		for (const choice of ["none", "auto", "required"]) {
			expect(toCanonical(request({ input: "x", tool_choice: choice })).tool_choice).toBe(choice);
		}
		expect(toCanonical(request({ input: "x", text: { format: { type: "text" } } })).response_format).toEqual({
			type: "text",
		});
	});

	it("refuses built-in tools and choices, naming them", () => {
		expect(refusal({ input: "x", tools: [{ type: "function", name: "f" }, { type: "web_search" }] })).toEqual(
			{
				message:
					"tools[1] is a built-in tool of type 'web_search', which only OpenAI models run; use a function tool.",
				param: "tools[1]",
				code: "unsupported_value",
			},
		);
		expect(refusal({ input: "x", tool_choice: { type: "file_search" } }).param).toBe("tool_choice");
	});

	it("refuses input it cannot carry, naming where it is", () => {
		const image = { role: "user", content: [{ type: "input_image", file_id: "file_1" }] };
		expect(refusal({ input: [image] })).toEqual({
			message:
				"input[0].content[0].file_id: an image given by file_id cannot be translated for this model; only OpenAI models accept it.",
			param: "input[0].content[0].file_id",
			code: "unsupported_value",
		});
		const byId = { role: "user", content: [{ type: "input_file", file_id: "file_1" }] };
		expect(refusal({ input: [byId] }).param).toBe("input[0].content[0].file_id");
		const byUrl = { role: "user", content: [{ type: "input_file", file_url: "https://x/a.pdf" }] };
		expect(refusal({ input: [byUrl] }).param).toBe("input[0].content[0].file_url");
		const raw = { role: "user", content: [{ type: "input_file", file_data: "JVBERi0" }] };
		expect(refusal({ input: [raw] }).param).toBe("input[0].content[0].file_data");
		const audio = { role: "user", content: [{ type: "input_audio", input_audio: {} }] };
		expect(refusal({ input: [audio] }).param).toBe("input[0].content[0]");
		const systemImage = { role: "system", content: [{ type: "input_image", image_url: "https://x" }] };
		expect(refusal({ input: [systemImage] }).param).toBe("input[0].content[0]");
		expect(refusal({ input: [{ type: "item_reference", id: "msg_1" }] })).toEqual({
			message:
				"input[0]: an item of type 'item_reference' cannot be translated for this model; only OpenAI models accept it.",
			param: "input[0]",
			code: "unsupported_value",
		});
		const output = {
			type: "function_call_output",
			call_id: "c",
			output: [{ type: "output_text", text: "x" }],
		};
		expect(refusal({ input: [output] }).param).toBe("input[0].output[0]");
	});

	it("names the stored conversation when an item of it cannot be translated", () => {
		const stored = [{ type: "web_search_call", id: "ws_1", status: "completed" }];
		expect(refusal({ input: "x", previous_response_id: "resp_1" }, stored)).toEqual({
			message:
				"item 0 of the stored conversation: an item of type 'web_search_call' cannot be translated for this model; only OpenAI models accept it.",
			param: "previous_response_id",
			code: "unsupported_value",
		});
	});

	it("refuses fields only OpenAI honours, and a request with nothing to answer", () => {
		expect(refusal({ input: "x", background: true })).toEqual({
			message: "'background' cannot be translated for this model; only OpenAI models accept it.",
			param: "background",
			code: "unsupported_parameter",
		});
		expect(refusal({ input: "x", conversation: "conv_1" }).param).toBe("conversation");
		expect(refusal({ input: "x", text: { format: { type: "text" }, other: 1 } }).param).toBe("text.other");
		expect(refusal({ input: "x", reasoning: { effort: "low", generate_summary: "auto" } }).param).toBe(
			"reasoning.generate_summary",
		);
		expect(toCanonical(request({ input: "x", background: false, prompt: null })).messages).toHaveLength(1);
		expect(refusal({ instructions: "Only this." })).toEqual({
			message:
				"The request has no input for the model to answer: send `input`, or `previous_response_id` with it.",
			param: "input",
			code: "missing_required_parameter",
		});
		expect(refusal({ input: [{ type: "reasoning", summary: [] }] }).param).toBe("input");
	});
});
