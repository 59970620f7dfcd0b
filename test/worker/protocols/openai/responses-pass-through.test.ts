import { describe, expect, it } from "vitest";
import type { NativeRequest, SseEvent, UpstreamTarget } from "../../../../src/protocols/adapter";
import { chatUsage, responsesPassThrough } from "../../../../src/protocols/openai/responses-pass-through";
import { runStage } from "../../streaming/collect";

const IDS = { id: "gate-xyz", model: "openai/gpt-test" };
const TARGET: UpstreamTarget = {
	baseUrl: "https://api.openai.test/v1/",
	apiKey: "sk-upstream",
	upstreamModel: "gpt-upstream",
	defaultMaxTokens: 1024,
	capabilities: { vision: true, tools: true, json: true, image_output: false },
};
const USAGE = {
	input_tokens: 21,
	input_tokens_details: { cached_tokens: 5 },
	output_tokens: 12,
	output_tokens_details: { reasoning_tokens: 4 },
	total_tokens: 33,
};
const response = (status: string, extra: Record<string, unknown> = {}) =>
	`{"id":"resp_up1","object":"response","created_at":1,"status":"${status}","model":"gpt-upstream-2025-01-01","output":[]${Object.entries(
		extra,
	)
		.map(([k, v]) => `,"${k}":${JSON.stringify(v)}`)
		.join("")}}`;
const sse = (data: string): SseEvent => ({ event: (JSON.parse(data) as { type: string }).type, data });

describe("the OpenAI Responses pass-through", () => {
	it("sends the client's body to {base}/responses with only the model mapped", () => {
		const body = { model: "openai/gpt-test", input: "Hi", store: false, reasoning: { effort: "low" } };
		const request: NativeRequest = { api: "responses", body, headers: {} };
		const built = responsesPassThrough.buildRequest(request, TARGET);
		expect(built.url).toBe("https://api.openai.test/v1/responses");
		expect(built.headers).toEqual({
			authorization: "Bearer sk-upstream",
			"content-type": "application/json",
		});
		expect(JSON.parse(built.body)).toEqual({ ...body, model: "gpt-upstream" });
	});

	it("stamps a response with the gateway's id and model and reads its usage in chat's shape", () => {
		const answer = JSON.parse(response("completed", { usage: USAGE })) as Record<string, unknown>;
		const { body, usage } = responsesPassThrough.parseResponse(answer, IDS);
		expect(body).toEqual({ ...answer, id: "gate-xyz", model: "openai/gpt-test" });
		expect(usage).toEqual({
			prompt_tokens: 21,
			completion_tokens: 12,
			total_tokens: 33,
			prompt_tokens_details: { cached_tokens: 5 },
			completion_tokens_details: { reasoning_tokens: 4 },
		});
		expect(chatUsage(null)).toBeNull();
		expect(() => responsesPassThrough.parseResponse({ object: "chat.completion" }, IDS)).toThrow(
			/could not understand/,
		);
	});

	it("passes events on as they came, stamping the lifecycle events' response, and completes on response.completed", async () => {
		const events = [
			sse(`{"type":"response.created","response":${response("in_progress")},"sequence_number":0}`),
			sse(
				'{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Héllo","sequence_number":1}',
			),
			sse(
				`{"type":"response.completed","response":${response("completed", { usage: USAGE })},"sequence_number":2}`,
			),
		];
		const items = await runStage(responsesPassThrough.createStreamStage(IDS), events);
		const stamp = (data: string) =>
			data
				.replace('"id":"resp_up1"', '"id":"gate-xyz"')
				.replace('"model":"gpt-upstream-2025-01-01"', '"model":"openai/gpt-test"');
		expect(items.map((item) => (item.type === "native" ? item.data : item.type))).toEqual([
			stamp(events[0]?.data ?? ""),
			events[1]?.data,
			stamp(events[2]?.data ?? ""),
		]);
		expect(
			items.map((item) =>
				item.type === "native"
					? [item.outputChars, item.completes ?? false, item.usage?.total_tokens ?? null]
					: null,
			),
		).toEqual([
			[0, false, null],
			[5, false, null],
			[0, true, 33],
		]);
	});

	it("passes response.failed and the flat error event on, each marked as the request's failure", async () => {
		const failed = await runStage(responsesPassThrough.createStreamStage(IDS), [
			sse(
				`{"type":"response.failed","response":${response("failed", { error: { code: "server_error", message: "The model failed." } })},"sequence_number":3}`,
			),
			sse('{"type":"response.output_text.delta","delta":"after","sequence_number":4}'),
		]);
		expect(failed).toHaveLength(1);
		const item = failed[0];
		expect(
			item?.type === "native" && [item.failure?.status, item.failure?.code, item.failure?.message],
		).toEqual([502, "server_error", "The model failed."]);
		const flat = await runStage(responsesPassThrough.createStreamStage(IDS), [
			sse(
				'{"type":"error","code":"rate_limit_exceeded","message":"Slow down.","param":null,"sequence_number":2}',
			),
		]);
		expect(flat[0]?.type === "native" && flat[0].failure?.code).toBe("rate_limit_exceeded");
		const garbage = await runStage(responsesPassThrough.createStreamStage(IDS), [
			{ event: "x", data: "nope" },
		]);
		expect(garbage.map((i) => (i.type === "error" ? i.error.code : i.type))).toEqual([
			"upstream_bad_response",
		]);
	});
});
