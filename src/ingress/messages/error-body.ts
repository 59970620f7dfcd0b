import type { GatewayError } from "../../errors";
import type { AnthropicErrorBody } from "./wire";

/**
 * Anthropic's error type for each status it documents (https://docs.anthropic.com/en/api/errors).
 * Clients and the Anthropic SDKs pick their exception class by status, so a status is kept unless
 * Anthropic has a different one for the same condition; the type names the condition.
 */
const typeByStatus: Record<number, string> = {
	400: "invalid_request_error",
	401: "authentication_error",
	402: "billing_error",
	403: "permission_error",
	404: "not_found_error",
	413: "request_too_large",
	429: "rate_limit_error",
	500: "api_error",
	// Gateway statuses Anthropic does not document: the nearest type, the status kept.
	502: "api_error",
	503: "api_error",
	504: "timeout_error",
};

/**
 * A gateway failure as Anthropic reports one, message kept. Decisions beyond the plain table:
 * - 503 `overloaded` (an overloaded provider) is Anthropic's own 529 `overloaded_error`, which the
 *   SDKs and Claude Code know to back off from; any other 503 is the gateway's own condition (a
 *   provider not configured, limits unavailable) and keeps its status as an `api_error`.
 * - 429 `insufficient_quota` (the key's budget is spent) keeps its 429 and retry-after, but says
 *   `billing_error`: it is a spending limit, not a rate.
 * - Other 4xx (405, 409, 422 …) are `invalid_request_error`; other 5xx are `api_error`.
 */
export function anthropicError(error: GatewayError): { status: number; body: AnthropicErrorBody } {
	let status: number = error.status;
	let type = typeByStatus[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
	if (status === 503 && error.code === "overloaded") {
		status = 529;
		type = "overloaded_error";
	} else if (status === 429 && error.code === "insufficient_quota") {
		type = "billing_error";
	}
	return { status, body: { type: "error", error: { type, message: error.message } } };
}
