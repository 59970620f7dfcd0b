import { describe, expect, it } from "vitest";
import { adapter as geminiAdapter } from "../../../../src/protocols/gemini";

const map = (status: number, body: unknown, headers: Record<string, string> = {}) => {
	const error = geminiAdapter.mapError(
		status,
		typeof body === "string" ? body : JSON.stringify(body),
		new Headers(headers),
	);
	return {
		status: error.status,
		headers: error.headers,
		retryable: error.retryable,
		...error.toBody().error,
	};
};
const googleError = (code: number, status: string, message: string, details?: unknown[]) => ({
	error: { code, message, status, ...(details ? { details } : {}) },
});

describe("gemini error mapping", () => {
	it("passes a 400's message on, with the canonical status as code", () => {
		expect(
			map(400, googleError(400, "INVALID_ARGUMENT", "Penalty is not enabled for models/gemini-2.5-flash")),
		).toEqual({
			status: 400,
			headers: {},
			retryable: false,
			message: "Penalty is not enabled for models/gemini-2.5-flash",
			type: "invalid_request_error",
			param: null,
			code: "invalid_argument",
		});
		expect(
			map(400, googleError(400, "FAILED_PRECONDITION", "User location is not supported.")),
		).toMatchObject({
			status: 400,
			code: "failed_precondition",
		});
	});

	it("turns a rejected key into a 502 that says nothing about the key", () => {
		const body = googleError(
			400,
			"INVALID_ARGUMENT",
			"API key not valid. Please pass a valid API key. AIzaSyFAKE123",
			[
				{
					"@type": "type.googleapis.com/google.rpc.ErrorInfo",
					reason: "API_KEY_INVALID",
					domain: "googleapis.com",
				},
			],
		);
		const expected = {
			status: 502,
			headers: {},
			retryable: true,
			message: "The provider rejected the gateway's credentials.",
			type: "server_error",
			param: null,
			code: "upstream_auth_failed",
		};
		expect(map(400, body)).toEqual(expected);
		expect(
			map(403, googleError(403, "PERMISSION_DENIED", "Consumer 'api_key:AIzaSECRET' has been suspended.")),
		).toEqual(expected);
		expect(
			map(401, googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")),
		).toEqual(expected);
	});

	it("keeps 429 and turns RetryInfo into retry-after (recorded 34.4s rounds up)", () => {
		const body = googleError(
			429,
			"RESOURCE_EXHAUSTED",
			"You exceeded your current quota, please check your plan.",
			[
				{ "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId: "PerMinute" }] },
				{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "34.4s" },
			],
		);
		expect(map(429, body)).toEqual({
			status: 429,
			headers: { "retry-after": "35" },
			retryable: true,
			message: "The provider's rate limit or quota was exceeded. Try again later.",
			type: "rate_limit_error",
			param: null,
			code: "rate_limit_exceeded",
		});
		expect(
			map(429, googleError(429, "RESOURCE_EXHAUSTED", "quota"), { "retry-after": "12" }).headers,
		).toEqual({ "retry-after": "12" });
		expect(map(429, googleError(429, "RESOURCE_EXHAUSTED", "quota")).headers).toEqual({});
	});

	it("maps 404 to model_not_found without naming the upstream model", () => {
		const body = googleError(
			404,
			"NOT_FOUND",
			"models/gemini-3.6-flahs is not found for API version v1beta.",
		);
		expect(map(404, body)).toMatchObject({
			status: 404,
			message: "The provider does not offer this model.",
			code: "model_not_found",
		});
	});

	it("maps server failures: 500 → 502, 503 → 503, 504 → 504", () => {
		expect(map(500, googleError(500, "INTERNAL", "Internal error encountered."))).toMatchObject({
			status: 502,
			retryable: true,
			message: "The provider failed (HTTP 500 INTERNAL).",
			code: "upstream_error",
		});
		expect(map(503, googleError(503, "UNAVAILABLE", "The model is overloaded."))).toMatchObject({
			status: 503,
			retryable: true,
			code: "upstream_unavailable",
		});
		expect(map(504, googleError(504, "DEADLINE_EXCEEDED", "Deadline exceeded."))).toMatchObject({
			status: 504,
		});
	});

	it("reads array-wrapped errors and redacts key-like strings from passed-on messages", () => {
		const body = [
			googleError(
				400,
				"INVALID_ARGUMENT",
				"Bad value near AIzaSyABC_def-123 in https://x.example/?key=abc&y=1",
			),
		];
		expect(map(400, body).message).toBe("Bad value near [redacted] in https://x.example/?key=[redacted]&y=1");
	});

	it("answers an unreadable error with a 502", () => {
		expect(map(500, "<html>oops</html>")).toEqual({
			status: 502,
			headers: {},
			retryable: true,
			message: "The provider returned an unreadable error (HTTP 500).",
			type: "server_error",
			param: null,
			code: "upstream_error",
		});
		expect(map(400, { message: "no error envelope" })).toMatchObject({ status: 502 });
	});
});
