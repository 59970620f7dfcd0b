import { describe, expect, it } from "vitest";
import { GatewayError, invalidRequest } from "../../../../src/errors";
import { anthropicError } from "../../../../src/ingress/messages/error-body";

const as = (status: number, code: string | null = null) =>
	anthropicError(new GatewayError(status as 400, `message ${status}`, { code }));

describe("anthropicError", () => {
	it("writes Anthropic's body, message kept", () => {
		expect(anthropicError(invalidRequest("Bad tools.", "tools[0]", "unsupported_value"))).toEqual({
			status: 400,
			body: { type: "error", error: { type: "invalid_request_error", message: "Bad tools." } },
		});
	});

	it("maps each status to Anthropic's type", () => {
		const types = [400, 401, 402, 403, 404, 405, 409, 413, 429, 500, 502, 503, 504].map((status) => {
			const { status: sent, body } = as(status);
			return [status, sent, body.error.type];
		});
		expect(types).toEqual([
			[400, 400, "invalid_request_error"],
			[401, 401, "authentication_error"],
			[402, 402, "billing_error"],
			[403, 403, "permission_error"],
			[404, 404, "not_found_error"],
			[405, 405, "invalid_request_error"],
			[409, 409, "invalid_request_error"],
			[413, 413, "request_too_large"],
			[429, 429, "rate_limit_error"],
			[500, 500, "api_error"],
			[502, 502, "api_error"],
			[503, 503, "api_error"],
			[504, 504, "timeout_error"],
		]);
	});

	it("sends an overloaded provider as Anthropic's 529", () => {
		expect(as(503, "overloaded")).toEqual({
			status: 529,
			body: { type: "error", error: { type: "overloaded_error", message: "message 503" } },
		});
		expect(as(503, "provider_not_configured").status).toBe(503);
	});

	it("says billing_error for a spent budget, keeping its 429", () => {
		expect(as(429, "insufficient_quota")).toEqual({
			status: 429,
			body: { type: "error", error: { type: "billing_error", message: "message 429" } },
		});
		expect(as(429, "rate_limit_exceeded").body.error.type).toBe("rate_limit_error");
	});
});
