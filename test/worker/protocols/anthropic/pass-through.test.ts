import { describe, expect, it } from "vitest";
import type { NativeRequest, SseEvent, UpstreamTarget } from "../../../../src/protocols/adapter";
import { passThrough } from "../../../../src/protocols/anthropic/pass-through";
import { runStage } from "../../streaming/collect";

const IDS = { id: "gate-abc", model: "anthropic/claude-test" };
const TARGET: UpstreamTarget = {
	baseUrl: "https://api.anthropic.test",
	apiKey: "sk-ant-upstream",
	upstreamModel: "claude-upstream-1",
	defaultMaxTokens: 1024,
	capabilities: { vision: true, tools: true, json: true, image_output: false },
};

const START =
	'{"type":"message_start","message":{"id":"msg_01XYZ","type":"message","role":"assistant","model":"claude-upstream-1","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":300,"cache_read_input_tokens":2000,"output_tokens":1}}}     ';
const sse = (data: string): SseEvent => ({ event: (JSON.parse(data) as { type: string }).type, data });

describe("the Anthropic pass-through", () => {
	it("sends the client's body with only the model mapped, and its protocol headers", () => {
		const body = {
			model: "claude-sonnet-4-5",
			max_tokens: 100,
			system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
			messages: [{ role: "user", content: "Hi" }],
			metadata: { user_id: "u-1" },
			tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 2 }],
		};
		const request: NativeRequest = {
			api: "messages",
			body,
			headers: { "anthropic-version": "2023-06-01", "anthropic-beta": "prompt-caching-2024-07-31,x" },
		};
		const built = passThrough.buildRequest(request, TARGET);
		expect(built.url).toBe("https://api.anthropic.test/v1/messages");
		expect(built.headers).toEqual({
			"x-api-key": "sk-ant-upstream",
			"anthropic-version": "2023-06-01",
			"anthropic-beta": "prompt-caching-2024-07-31,x",
			"content-type": "application/json",
		});
		expect(JSON.parse(built.body)).toEqual({ ...body, model: "claude-upstream-1" });
		const count = passThrough.countTokens?.request({ ...request, headers: {} }, TARGET);
		expect(count?.url).toBe("https://api.anthropic.test/v1/messages/count_tokens");
		expect(count?.headers["anthropic-version"]).toBe("2023-06-01");
		expect(count?.headers).not.toHaveProperty("anthropic-beta");
		expect(passThrough.countTokens?.parse({ input_tokens: 2095 })).toBe(2095);
		expect(() => passThrough.countTokens?.parse({ tokens: 1 })).toThrow(
			/token count the gateway could not understand/,
		);
	});

	it("stamps a non-streamed answer with the gateway's id and model, and reads its usage", () => {
		const answer = {
			id: "msg_01",
			type: "message",
			role: "assistant",
			model: "claude-upstream-1",
			content: [{ type: "text", text: "Hi", citations: null }],
			stop_reason: "end_turn",
			stop_sequence: null,
			usage: {
				input_tokens: 10,
				cache_creation_input_tokens: 300,
				cache_read_input_tokens: 2000,
				output_tokens: 5,
			},
		};
		const { body, usage } = passThrough.parseResponse(answer, IDS);
		expect(body).toEqual({ ...answer, id: "gate-abc", model: "anthropic/claude-test" });
		expect(usage).toEqual({
			prompt_tokens: 2310,
			completion_tokens: 5,
			total_tokens: 2315,
			prompt_tokens_details: { cached_tokens: 2000, cache_creation_tokens: 300 },
			completion_tokens_details: { reasoning_tokens: 0 },
		});
		expect(() => passThrough.parseResponse({ hello: "not a message" }, IDS)).toThrow(/could not understand/);
	});

	it("passes events on byte for byte, rewriting only message_start's id and model", async () => {
		const delta = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Héllo"}}   ';
		const events = [
			sse(START),
			{ event: "ping", data: '{"type": "ping"}' },
			sse('{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'),
			sse(delta),
			sse('{"type":"content_block_stop","index":0        }'),
			sse('{"type":"brand_new_event","x":1}'),
			sse(
				'{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}',
			),
			sse('{"type":"message_stop"}'),
		];
		const items = await runStage(passThrough.createStreamStage(IDS), events);
		expect(items.map((item) => (item.type === "native" ? item.data : item.type))).toEqual([
			START.replace('"id":"msg_01XYZ"', '"id":"gate-abc"').replace(
				'"model":"claude-upstream-1"',
				'"model":"anthropic/claude-test"',
			),
			...events.slice(1).map((event) => event.data),
		]);
		expect(items.map((item) => (item.type === "native" ? item.event : null))).toEqual(
			events.map((event) => event.event),
		);
		const facts = items.map((item) =>
			item.type === "native"
				? [item.outputChars, item.completes ?? false, item.usage?.total_tokens ?? null]
				: null,
		);
		expect(facts).toEqual([
			[0, false, 2326],
			[0, false, null],
			[0, false, null],
			[5, false, null],
			[0, false, null],
			[0, false, null],
			// message_delta's final output count replaces message_start's placeholder.
			[0, false, 2334],
			[0, true, null],
		]);
	});

	it("re-serializes message_start when its id is not written as expected", async () => {
		const spaced =
			'{"type": "message_start", "message": {"id": "msg_1", "model": "m", "usage": {"input_tokens": 3}}}';
		const [item] = await runStage(passThrough.createStreamStage(IDS), [sse(spaced)]);
		expect(item?.type === "native" && JSON.parse(item.data)).toEqual({
			type: "message_start",
			message: { id: "gate-abc", model: "anthropic/claude-test", usage: { input_tokens: 3 } },
		});
	});

	it("ends with one error item for an in-band error or an event that is not JSON", async () => {
		const overloaded = await runStage(passThrough.createStreamStage(IDS), [
			sse(START),
			sse('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
			sse('{"type":"message_stop"}'),
		]);
		expect(overloaded.map((item) => item.type)).toEqual(["native", "error"]);
		const error = overloaded[1]?.type === "error" ? overloaded[1].error : null;
		expect([error?.status, error?.code]).toEqual([503, "overloaded"]);
		const garbage = await runStage(passThrough.createStreamStage(IDS), [{ event: "x", data: "{not json" }]);
		expect(garbage.map((item) => (item.type === "error" ? item.error.code : item.type))).toEqual([
			"upstream_bad_response",
		]);
	});
});
