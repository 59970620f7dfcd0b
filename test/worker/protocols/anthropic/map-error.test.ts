import { describe, expect, it } from "vitest";
import { adapter as anthropicAdapter } from "../../../../src/protocols/anthropic";

const body = (type: string, message: string) =>
	JSON.stringify({ type: "error", error: { type, message }, request_id: "req_test" });

function mapped(status: number, text: string, headers: Record<string, string> = {}) {
	const error = anthropicAdapter.mapError(status, text, new Headers(headers));
	return {
		status: error.status,
		body: error.toBody().error,
		headers: error.headers,
		retryable: error.retryable,
	};
}

describe("anthropic error mapping", () => {
	it("passes a 400's message through", () => {
		const message =
			"messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_x. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.";
		expect(mapped(400, body("invalid_request_error", message))).toEqual({
			status: 400,
			body: { message, type: "invalid_request_error", param: null, code: null },
			headers: {},
			retryable: false,
		});
	});

	it("keeps retry-after on 429 and hides the provider's rate-limit wording", () => {
		expect(
			mapped(
				429,
				body("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
				{
					"retry-after": "17",
				},
			),
		).toEqual({
			status: 429,
			body: {
				message: "The upstream provider is rate-limiting requests; retry later.",
				type: "rate_limit_error",
				param: null,
				code: "rate_limit_exceeded",
			},
			headers: { "retry-after": "17" },
			retryable: true,
		});
	});

	it("turns 529 overloaded into 503", () => {
		expect(mapped(529, body("overloaded_error", "Overloaded"))).toEqual({
			status: 503,
			body: {
				message: "The upstream provider is temporarily overloaded; retry later.",
				type: "server_error",
				param: null,
				code: "overloaded",
			},
			headers: {},
			retryable: true,
		});
		expect(mapped(500, body("overloaded_error", "Overloaded")).status).toBe(503);
		expect(mapped(529, "<html>busy</html>").status).toBe(503);
	});

	it("reports the provider refusing our key as 502 without echoing anything", () => {
		for (const status of [401, 403]) {
			const result = mapped(status, body("authentication_error", "invalid x-api-key sk-ant-upstream-SECRET"));
			expect(result.status).toBe(502);
			expect(result.body.code).toBe("upstream_auth_failed");
			expect(result.body.message).toMatch(/rejected the gateway's credentials/);
			expect(JSON.stringify(result)).not.toContain("SECRET");
		}
	});

	it("maps an unknown model to 404 model_not_found and other 404s to 404", () => {
		expect(mapped(404, body("not_found_error", "model: claude-sonet-4-5")).body).toEqual({
			message: "The model is not available from the upstream provider.",
			type: "invalid_request_error",
			param: null,
			code: "model_not_found",
		});
		expect(mapped(404, body("not_found_error", "File not found: file_1"))).toMatchObject({
			status: 404,
			body: { message: "File not found: file_1", code: null },
		});
	});

	it("maps 413, 500 and 504, and unreadable bodies", () => {
		expect(mapped(413, "<html>Request Entity Too Large</html>")).toMatchObject({ status: 413 });
		expect(mapped(500, body("api_error", "Internal server error"))).toMatchObject({
			status: 502,
			body: { type: "server_error", code: "upstream_error" },
		});
		expect(mapped(504, body("timeout_error", "timeout"))).toMatchObject({ status: 504 });
		expect(mapped(400, "not json")).toMatchObject({ status: 502, body: { code: "upstream_bad_response" } });
		expect(mapped(418, body("teapot_error", "short and stout"))).toMatchObject({ status: 502 });
	});
});
