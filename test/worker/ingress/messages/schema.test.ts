import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import { countTokensRequest, messagesRequest } from "../../../../src/ingress/messages/schema";
import { jsonSchema } from "../../../../src/openapi/json-schema";
import { validated } from "../../../../src/schemas/zod-error";

const base = { model: "m", max_tokens: 16, messages: [{ role: "user", content: "hi" }] };

/** The 400 `validated()` sends for a body, as the client reads it. */
function refusal(body: unknown): { message: string; param: string | null } {
	try {
		validated(messagesRequest, body);
	} catch (error) {
		if (!(error instanceof GatewayError)) throw error;
		expect(error.status).toBe(400);
		return { message: error.message, param: error.param };
	}
	throw new Error("expected a 400");
}

describe("messagesRequest", () => {
	it("keeps unknown fields at every level, for the pass-through", () => {
		const body = {
			...base,
			container: "c1",
			messages: [
				{
					role: "user",
					id: "x",
					content: [
						{ type: "text", text: "hi", cache_control: { type: "ephemeral" } },
						{ type: "search_result", source: "s", title: "t", content: [] },
						{ type: "image", source: { type: "future_source", handle: 1 } },
					],
				},
			],
			tools: [
				{ name: "f", input_schema: { type: "object" }, input_examples: [{}] },
				{ type: "web_search_20250305", name: "web_search", max_uses: 3 },
			],
			thinking: { type: "enabled", budget_tokens: 2048, display: "summarized" },
		};
		expect(validated(messagesRequest, body)).toEqual(body);
	});

	it("accepts role system inside messages, and system as a string or text blocks", () => {
		const body = {
			...base,
			system: [{ type: "text", text: "a" }],
			messages: [
				{ role: "system", content: "b" },
				{ role: "user", content: "hi" },
			],
		};
		expect(validated(messagesRequest, body)).toEqual(body);
		expect(validated(messagesRequest, { ...base, system: "s" })).toEqual({ ...base, system: "s" });
	});

	it("accepts thinking that carries only a signature (LiteLLM #41361)", () => {
		const body = {
			...base,
			messages: [
				{ role: "user", content: "q" },
				{ role: "assistant", content: [{ type: "thinking", thinking: "", signature: "sig" }] },
			],
		};
		expect(validated(messagesRequest, body)).toEqual(body);
	});

	it("names the missing field of a known block type", () => {
		expect(refusal({ ...base, messages: [{ role: "user", content: [{ type: "text" }] }] })).toEqual({
			message:
				"Invalid value for 'messages[0].content[0].text': Invalid input: expected string, received undefined.",
			param: "messages[0].content[0].text",
		});
		const badImage = { type: "image", source: { type: "base64", data: "AAAA" } };
		expect(refusal({ ...base, messages: [{ role: "user", content: [badImage] }] }).param).toBe(
			"messages[0].content[0].source.media_type",
		);
		const badResult = {
			type: "tool_result",
			tool_use_id: "t",
			content: [{ type: "image", source: { type: "url" } }],
		};
		expect(refusal({ ...base, messages: [{ role: "user", content: [badResult] }] }).param).toBe(
			"messages[0].content[0].content[0].source.url",
		);
		const badUse = { type: "tool_use", id: "t", name: "f", input: "{}" };
		expect(refusal({ ...base, messages: [{ role: "assistant", content: [badUse] }] }).param).toBe(
			"messages[0].content[0].input",
		);
	});

	it("treats a block type named like an Object property as an unknown type", () => {
		const body = {
			...base,
			messages: [{ role: "user", content: [{ type: "constructor" }, { type: "toString" }] }],
		};
		expect(validated(messagesRequest, body)).toEqual(body);
	});

	it("checks custom tools, not server tools", () => {
		expect(refusal({ ...base, tools: [{ name: "f" }] }).param).toBe("tools[0].input_schema");
		expect(refusal({ ...base, tools: [{ type: "custom", name: "", input_schema: {} }] }).param).toBe(
			"tools[0].name",
		);
		const server = { ...base, tools: [{ type: "bash_20250124", name: "bash" }] };
		expect(validated(messagesRequest, server)).toEqual(server);
	});

	it("refuses what Anthropic's contract refuses", () => {
		expect(refusal({ ...base, max_tokens: 0 }).param).toBe("max_tokens");
		expect(refusal({ model: "m", messages: base.messages }).param).toBe("max_tokens");
		expect(refusal({ ...base, model: "" }).param).toBe("model");
		expect(refusal({ ...base, messages: [] }).param).toBe("messages");
		expect(refusal({ ...base, messages: [{ role: "tool", content: "x" }] }).param).toBe("messages[0].role");
		expect(refusal({ ...base, temperature: 1.5 }).param).toBe("temperature");
		expect(refusal({ ...base, tool_choice: { type: "tool" } }).param).toBe("tool_choice.name");
		expect(refusal({ ...base, thinking: { type: "enabled" } }).param).toBe("thinking.budget_tokens");
		expect(refusal({ ...base, stop_sequences: "END" }).param).toBe("stop_sequences");
		expect(refusal({ ...base, output_config: { format: { type: "json_schema" } } }).param).toBe(
			"output_config.format.schema",
		);
	});
});

describe("countTokensRequest", () => {
	it("needs no max_tokens", () => {
		const body = { model: "m", messages: [{ role: "user", content: "hi" }], tools: [] };
		expect(validated(countTokensRequest, body)).toEqual(body);
	});
});

describe("the schemas in /openapi.json", () => {
	it("render as JSON Schema for requests", () => {
		const request = jsonSchema(messagesRequest, "input");
		expect(request.required).toEqual(["model", "messages", "max_tokens"]);
		expect(jsonSchema(countTokensRequest, "input").required).toEqual(["model", "messages"]);
	});
});
