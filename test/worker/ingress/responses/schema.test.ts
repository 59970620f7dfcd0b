import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import { responsesRequest } from "../../../../src/ingress/responses/schema";
import { jsonSchema } from "../../../../src/openapi/json-schema";
import { validated } from "../../../../src/schemas/zod-error";

const base = { model: "m", input: "hi" };

/** The 400 `validated()` sends for a body, as the client reads it. */
function refusal(body: unknown): { message: string; param: string | null } {
	try {
		validated(responsesRequest, body);
	} catch (error) {
		if (!(error instanceof GatewayError)) throw error;
		expect(error.status).toBe(400);
		return { message: error.message, param: error.param };
	}
	throw new Error("expected a 400");
}

describe("responsesRequest", () => {
	it("accepts a full request and keeps unknown fields at every level, for the pass-through", () => {
		const body = {
			model: "gpt-5",
			instructions: "Be brief.",
			input: [
				{ role: "user", content: "What is the weather?", phase: null },
				{
					type: "message",
					role: "user",
					content: [
						{ type: "input_text", text: "and this?" },
						{ type: "input_image", image_url: "https://x/y.png", detail: "auto" },
						{ type: "input_file", file_data: "data:application/pdf;base64,AA", filename: "a.pdf" },
						{ type: "input_audio", input_audio: { data: "AA", format: "wav" } },
					],
				},
				{ type: "reasoning", summary: [], encrypted_content: "opaque" },
				{ type: "function_call", call_id: "call_1", name: "weather", arguments: "{}", id: "fc_1" },
				{ type: "function_call_output", call_id: "call_1", output: "sunny" },
				{ type: "item_reference", id: "msg_1" },
			],
			tools: [
				{
					type: "function",
					name: "weather",
					parameters: { type: "object" },
					strict: true,
					defer_loading: false,
				},
				{ type: "web_search", search_context_size: "low" },
			],
			tool_choice: { type: "function", name: "weather" },
			text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true } },
			reasoning: { effort: "low", summary: "auto" },
			max_output_tokens: 256,
			metadata: { team: "a" },
			store: false,
			include: ["reasoning.encrypted_content"],
			stream: true,
			prompt_cache_key: "k",
			background: false,
		};
		expect(validated(responsesRequest, body)).toEqual(body);
	});

	it("accepts the input as a string, absent input (previous_response_id), and built-in tool choices", () => {
		expect(validated(responsesRequest, base)).toEqual(base);
		const follow = { model: "m", previous_response_id: "resp_1" };
		expect(validated(responsesRequest, follow)).toEqual(follow);
		for (const tool_choice of ["none", "auto", "required", { type: "web_search_preview" }]) {
			expect(validated(responsesRequest, { ...base, tool_choice }).tool_choice).toEqual(tool_choice);
		}
	});

	it("names the broken field of a known item, part, tool or format", () => {
		expect(refusal({ ...base, input: [{ type: "function_call", call_id: "c", name: "f" }] })).toEqual({
			message: "Invalid value for 'input[0].arguments': Invalid input: expected string, received undefined.",
			param: "input[0].arguments",
		});
		expect(refusal({ ...base, input: [{ type: "function_call_output", output: "x" }] }).param).toBe(
			"input[0].call_id",
		);
		expect(refusal({ ...base, input: [{ role: "user", content: [{ type: "input_text" }] }] }).param).toBe(
			"input[0].content[0].text",
		);
		expect(refusal({ ...base, input: [{ role: "tool", content: "x" }] }).param).toBe("input[0].role");
		expect(refusal({ ...base, input: [{ type: "reasoning" }] }).param).toBe("input[0].summary");
		expect(refusal({ ...base, tools: [{ type: "function", parameters: {} }] }).param).toBe("tools[0].name");
		expect(refusal({ ...base, text: { format: { type: "json_schema", name: "o" } } }).param).toBe(
			"text.format.schema",
		);
	});

	it("refuses what OpenAI's contract refuses", () => {
		expect(refusal({ input: "hi" }).param).toBe("model");
		expect(refusal({ ...base, input: 3 }).param).toBe("input");
		expect(refusal({ ...base, temperature: 2.5 }).param).toBe("temperature");
		expect(refusal({ ...base, top_p: 1.5 }).param).toBe("top_p");
		expect(refusal({ ...base, max_output_tokens: 0 }).param).toBe("max_output_tokens");
		expect(refusal({ ...base, metadata: { a: 1 } }).param).toBe("metadata.a");
		expect(refusal({ ...base, tool_choice: "any" }).param).toBe("tool_choice");
	});

	it("treats an item type named like an Object property as an unknown type", () => {
		const body = { ...base, input: [{ type: "constructor" }, { type: "toString" }] };
		expect(validated(responsesRequest, body)).toEqual(body);
	});
});

describe("the schema in /openapi.json", () => {
	it("renders as JSON Schema for requests", () => {
		const schema = jsonSchema(responsesRequest, "input");
		expect(schema.required).toEqual(["model"]);
		expect(Object.keys(schema.properties ?? {})).toEqual([
			"model",
			"input",
			"instructions",
			"tools",
			"tool_choice",
			"parallel_tool_calls",
			"text",
			"reasoning",
			"max_output_tokens",
			"temperature",
			"top_p",
			"metadata",
			"store",
			"previous_response_id",
			"include",
			"stream",
			"user",
			"safety_identifier",
			"truncation",
			"service_tier",
		]);
		expect(schema.additionalProperties).toEqual({});
	});
});
