import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import { messagesRequest } from "../../../../src/ingress/messages/schema";
import { toCanonical } from "../../../../src/ingress/messages/to-canonical";
import { type ChatRequest, chatRequest } from "../../../../src/schemas/chat-request";
import { validated } from "../../../../src/schemas/zod-error";

const base = { model: "gpt-4o", max_tokens: 100 };
const user = (content: unknown) => ({ role: "user", content });
const assistant = (content: unknown) => ({ role: "assistant", content });

/** The translation of a body as the ingress validates it; the result must be a valid chat request. */
function translate(body: Record<string, unknown>): ChatRequest {
	const canonical = toCanonical(validated(messagesRequest, { ...base, ...body }));
	expect(validated(chatRequest, canonical)).toEqual(canonical);
	return canonical;
}

function refusal(body: Record<string, unknown>) {
	try {
		translate(body);
	} catch (error) {
		if (!(error instanceof GatewayError)) throw error;
		return { status: error.status, message: error.message, param: error.param, code: error.code };
	}
	throw new Error("expected a 400");
}

const PNG = "iVBORw0KGgo=";
const PDF = "JVBERi0xLjQK";
const weather = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

describe("toCanonical", () => {
	it("translates a plain request", () => {
		expect(translate({ messages: [user("Hello")] })).toEqual({
			model: "gpt-4o",
			messages: [{ role: "user", content: "Hello" }],
			max_completion_tokens: 100,
		});
	});

	it("puts the system prompt and role:system messages at the front, in order", () => {
		const result = translate({
			system: [
				{ type: "text", text: "Be terse.", cache_control: { type: "ephemeral" } },
				{ type: "text", text: "Use metric." },
			],
			messages: [user("q1"), { role: "system", content: "Late rule." }, assistant("a1"), user("q2")],
		});
		expect(result.messages).toEqual([
			{
				role: "system",
				content: [
					{ type: "text", text: "Be terse." },
					{ type: "text", text: "Use metric." },
				],
			},
			{ role: "system", content: "Late rule." },
			{ role: "user", content: "q1" },
			{ role: "assistant", content: "a1" },
			{ role: "user", content: "q2" },
		]);
		expect(translate({ system: "S", messages: [user("q")] }).messages[0]).toEqual({
			role: "system",
			content: "S",
		});
		expect(translate({ system: [], messages: [user("q")] }).messages).toEqual([
			{ role: "user", content: "q" },
		]);
	});

	it("translates images and documents", () => {
		const result = translate({
			messages: [
				user([
					{ type: "text", text: "Look:", cache_control: { type: "ephemeral" } },
					{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
					{ type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
					{ type: "document", source: { type: "base64", media_type: "application/pdf", data: PDF } },
					{
						type: "document",
						title: "report.pdf",
						context: "Q3 figures",
						citations: { enabled: true },
						source: { type: "base64", media_type: "application/pdf", data: PDF },
					},
					{
						type: "document",
						title: "notes",
						source: { type: "text", media_type: "text/plain", data: "Plain." },
					},
				]),
			],
		});
		expect(result.messages).toEqual([
			{
				role: "user",
				content: [
					{ type: "text", text: "Look:" },
					{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
					{ type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
					{
						type: "file",
						file: { file_data: `data:application/pdf;base64,${PDF}`, filename: "document.pdf" },
					},
					{ type: "text", text: "Q3 figures" },
					{ type: "file", file: { file_data: `data:application/pdf;base64,${PDF}`, filename: "report.pdf" } },
					{ type: "text", text: "Plain." },
				],
			},
		]);
	});

	it("translates a tool loop: calls, results first, result images in the next user message", () => {
		const result = translate({
			messages: [
				user("Weather in Paris and a photo?"),
				assistant([
					{ type: "thinking", thinking: "Two tools.", signature: "c2ln" },
					{ type: "redacted_thinking", data: "b3BhcXVl" },
					{ type: "text", text: "Checking." },
					{ type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
					{ type: "tool_use", id: "toolu_2", name: "photo", input: {} },
				]),
				user([
					{ type: "tool_result", tool_use_id: "toolu_1", content: "18°C", is_error: false },
					{
						type: "tool_result",
						tool_use_id: "toolu_2",
						content: [
							{ type: "text", text: "Here:" },
							{ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PNG } },
						],
					},
					{ type: "text", text: "Thanks." },
				]),
				assistant([{ type: "thinking", thinking: "", signature: "only-a-signature" }]),
				user([{ type: "tool_result", tool_use_id: "toolu_3" }]),
			],
		});
		expect(result.messages).toEqual([
			{ role: "user", content: "Weather in Paris and a photo?" },
			{
				role: "assistant",
				content: [{ type: "text", text: "Checking." }],
				tool_calls: [
					{ id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
					{ id: "toolu_2", type: "function", function: { name: "photo", arguments: "{}" } },
				],
			},
			{ role: "tool", tool_call_id: "toolu_1", content: "18°C" },
			{ role: "tool", tool_call_id: "toolu_2", content: [{ type: "text", text: "Here:" }] },
			{
				role: "user",
				content: [
					{ type: "image_url", image_url: { url: `data:image/jpeg;base64,${PNG}` } },
					{ type: "text", text: "Thanks." },
				],
			},
			// The thinking-only assistant turn is gone; a result-only user turn is tool messages alone.
			{ role: "tool", tool_call_id: "toolu_3", content: "" },
		]);
	});

	it("takes an image block of an assistant turn (a picture a model drew) as the turn's images", () => {
		const url = "https://gw.example/v1/images/abc.png";
		const result = translate({
			messages: [
				user("Draw"),
				assistant([
					{ type: "text", text: "Here." },
					{ type: "image", source: { type: "url", url } },
				]),
				assistant([{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }]),
				user("Bluer."),
			],
		});
		expect(result.messages).toEqual([
			{ role: "user", content: "Draw" },
			{
				role: "assistant",
				content: [{ type: "text", text: "Here." }],
				images: [{ type: "image_url", image_url: { url } }],
			},
			{
				role: "assistant",
				content: null,
				images: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }],
			},
			{ role: "user", content: "Bluer." },
		]);
	});

	it("gives a tool result that held only an image an empty text", () => {
		const image = { type: "image", source: { type: "url", url: "https://example.com/x.png" } };
		const result = translate({
			messages: [user([{ type: "tool_result", tool_use_id: "t", content: [image] }])],
		});
		expect(result.messages).toEqual([
			{ role: "tool", tool_call_id: "t", content: "" },
			{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/x.png" } }] },
		]);
	});

	it("translates every parameter it can carry", () => {
		expect(
			translate({
				messages: [user("q")],
				stream: true,
				temperature: 0.5,
				top_p: 0.9,
				top_k: 40,
				stop_sequences: ["END", "STOP"],
				metadata: { user_id: "u-1" },
				service_tier: "auto",
				tools: [
					{
						name: "weather",
						description: "Weather now",
						input_schema: weather,
						cache_control: { type: "ephemeral" },
					},
					{ type: "custom", name: "clock", input_schema: { type: "object" }, strict: true },
				],
				tool_choice: { type: "any", disable_parallel_tool_use: true },
				thinking: { type: "enabled", budget_tokens: 8000 },
				output_config: { format: { type: "json_schema", schema: weather } },
			}),
		).toEqual({
			model: "gpt-4o",
			messages: [{ role: "user", content: "q" }],
			max_completion_tokens: 100,
			stream: true,
			stream_options: { include_usage: true },
			temperature: 0.5,
			top_p: 0.9,
			top_k: 40,
			stop: ["END", "STOP"],
			user: "u-1",
			tools: [
				{ type: "function", function: { name: "weather", description: "Weather now", parameters: weather } },
				{ type: "function", function: { name: "clock", parameters: { type: "object" }, strict: true } },
			],
			tool_choice: "required",
			parallel_tool_calls: false,
			reasoning_effort: "medium",
			response_format: {
				type: "json_schema",
				json_schema: { name: "output", schema: weather, strict: true },
			},
		});
	});

	it("maps tool_choice", () => {
		const choice = (tool_choice: unknown) => {
			const { tool_choice: mapped, parallel_tool_calls } = translate({ messages: [user("q")], tool_choice });
			return { mapped, parallel_tool_calls };
		};
		expect(choice({ type: "auto" })).toEqual({ mapped: "auto", parallel_tool_calls: undefined });
		expect(choice({ type: "auto", disable_parallel_tool_use: true })).toEqual({
			mapped: "auto",
			parallel_tool_calls: false,
		});
		expect(choice({ type: "any" })).toEqual({ mapped: "required", parallel_tool_calls: undefined });
		expect(choice({ type: "none" })).toEqual({ mapped: "none", parallel_tool_calls: undefined });
		expect(choice({ type: "tool", name: "weather", disable_parallel_tool_use: false })).toEqual({
			mapped: { type: "function", function: { name: "weather" } },
			parallel_tool_calls: undefined,
		});
	});

	it("maps thinking and effort to reasoning_effort", () => {
		const effort = (extra: Record<string, unknown>) =>
			translate({ messages: [user("q")], ...extra }).reasoning_effort;
		const budget = (budget_tokens: number) => effort({ thinking: { type: "enabled", budget_tokens } });
		expect([budget(1024), budget(4095), budget(4096), budget(16383), budget(16384)]).toEqual([
			"low",
			"low",
			"medium",
			"medium",
			"high",
		]);
		expect(effort({ thinking: { type: "adaptive" } })).toBe("medium");
		expect(effort({ thinking: { type: "disabled" } })).toBeUndefined();
		expect(effort({})).toBeUndefined();
		expect(effort({ output_config: { effort: "low" } })).toBe("low");
		expect(effort({ output_config: { effort: "max" } })).toBe("high");
		// The explicit effort wins over a thinking budget.
		expect(
			effort({ thinking: { type: "enabled", budget_tokens: 30000 }, output_config: { effort: "low" } }),
		).toBe("low");
	});

	it("leaves out empty lists, null user ids and stream: false", () => {
		expect(
			translate({
				messages: [user("q")],
				stream: false,
				stop_sequences: [],
				tools: [],
				metadata: { user_id: null },
			}),
		).toEqual({ model: "gpt-4o", messages: [{ role: "user", content: "q" }], max_completion_tokens: 100 });
	});

	it("ignores a null in a field only Claude takes", () => {
		expect(translate({ messages: [user("q")], container: null }).messages).toEqual([
			{ role: "user", content: "q" },
		]);
	});
});

describe("toCanonical refuses what it cannot carry", () => {
	/** The 400 of a block no translation can carry: the message starts with where it is. */
	const unsupported = (param: string, what: string) => ({
		status: 400,
		message: `${param}: ${what} cannot be translated for this model; only Claude models accept it.`,
		param,
		code: "unsupported_value",
	});

	it("refuses fields only Claude takes", () => {
		for (const field of ["container", "mcp_servers", "context_management", "betas"]) {
			expect(refusal({ messages: [user("q")], [field]: [{ x: 1 }] })).toEqual({
				status: 400,
				message: `'${field}' cannot be translated for this model; only Claude models accept it.`,
				param: field,
				code: "unsupported_parameter",
			});
		}
		expect(refusal({ messages: [user("q")], output_config: { task_budget: 5 } }).param).toBe(
			"output_config.task_budget",
		);
	});

	it("refuses sources no other provider reads", () => {
		const image = { type: "image", source: { type: "file", file_id: "file_1" } };
		expect(
			refusal({ messages: [user("q"), assistant("a"), user([{ type: "text", text: "x" }, image])] }),
		).toEqual(unsupported("messages[2].content[1].source", "an image with a 'file' source"));
		const urlDoc = { type: "document", source: { type: "url", url: "https://example.com/a.pdf" } };
		expect(refusal({ messages: [user([urlDoc])] })).toEqual(
			unsupported("messages[0].content[0].source", "a document with a 'url' source"),
		);
		const fileDoc = { type: "document", source: { type: "file", file_id: "file_1" } };
		expect(refusal({ messages: [user([fileDoc])] }).param).toBe("messages[0].content[0].source");
		const contentDoc = { type: "document", source: { type: "content", content: "x" } };
		expect(refusal({ messages: [user([contentDoc])] }).param).toBe("messages[0].content[0].source");
		const wordDoc = {
			type: "document",
			source: { type: "base64", media_type: "application/msword", data: "AA" },
		};
		expect(refusal({ messages: [user([wordDoc])] })).toEqual(
			unsupported(
				"messages[0].content[0].source.media_type",
				"a base64 document of type 'application/msword'",
			),
		);
	});

	it("refuses blocks of other types, wherever they are", () => {
		expect(
			refusal({ messages: [user([{ type: "search_result", source: "s", title: "t", content: [] }])] }),
		).toEqual(unsupported("messages[0].content[0]", "a block of type 'search_result' in a user message"));
		expect(refusal({ messages: [user([{ type: "container_upload", file_id: "f" }])] }).param).toBe(
			"messages[0].content[0]",
		);
		const serverUse = { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} };
		expect(refusal({ messages: [user("q"), assistant([{ type: "text", text: "a" }, serverUse])] })).toEqual(
			unsupported("messages[1].content[1]", "a block of type 'server_tool_use' in an assistant message"),
		);
		const searchResult = { type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: [] };
		expect(refusal({ messages: [user("q"), assistant([searchResult])] }).param).toBe(
			"messages[1].content[0]",
		);
		expect(refusal({ messages: [user([{ type: "tool_use", id: "t", name: "f", input: {} }])] }).param).toBe(
			"messages[0].content[0]",
		);
		const innerDoc = { type: "document", source: { type: "text", media_type: "text/plain", data: "x" } };
		expect(
			refusal({ messages: [user([{ type: "tool_result", tool_use_id: "t", content: [innerDoc] }])] }),
		).toEqual(
			unsupported("messages[0].content[0].content[0]", "a block of type 'document' in a tool result"),
		);
		const image = { type: "image", source: { type: "url", url: "https://example.com/x.png" } };
		expect(refusal({ system: "s", messages: [{ role: "system", content: [image] }, user("q")] })).toEqual(
			unsupported("messages[0].content[0]", "a block of type 'image' in a system message"),
		);
	});

	it("refuses a request with nothing left but thinking", () => {
		const thinking = { type: "thinking", thinking: "", signature: "s" };
		expect(refusal({ messages: [assistant([thinking])] })).toEqual({
			status: 400,
			message:
				"The messages hold nothing but thinking, which this model cannot take: nothing is left to send.",
			param: "messages",
			code: "unsupported_value",
		});
	});

	it("refuses server tools, naming them", () => {
		const tools = [
			{ name: "f", input_schema: { type: "object" } },
			{ type: "web_search_20250305", name: "web_search" },
		];
		expect(refusal({ messages: [user("q")], tools })).toEqual({
			status: 400,
			message:
				"tools[1] is an Anthropic server tool of type 'web_search_20250305', which only Claude models run.",
			param: "tools[1]",
			code: "unsupported_value",
		});
	});

	it("refuses more than 4 stop sequences, an unknown effort and other output formats", () => {
		expect(refusal({ messages: [user("q")], stop_sequences: ["a", "b", "c", "d", "e"] })).toEqual({
			status: 400,
			message: "At most 4 stop_sequences can be translated for this model (OpenAI's limit); 5 were given.",
			param: "stop_sequences",
			code: "unsupported_value",
		});
		expect(refusal({ messages: [user("q")], output_config: { effort: "extreme" } }).param).toBe(
			"output_config.effort",
		);
		expect(
			refusal({ messages: [user("q")], output_config: { format: { type: "regex", pattern: "a+" } } }),
		).toEqual({
			status: 400,
			message: "output_config.format of type 'regex' cannot be translated for this model.",
			param: "output_config.format",
			code: "unsupported_value",
		});
	});
});
