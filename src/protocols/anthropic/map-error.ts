import { GatewayError } from "../../errors";
import { upstreamAuthFailed } from "../upstream-errors";
import { type WireErrorDetail, wireErrorBody } from "./wire";

/**
 * Anthropic's errors as the status and OpenAI body a client can act on. Error types and statuses:
 * https://docs.anthropic.com/en/api/errors. Messages that could reveal the provider account (rate
 * limits quote the organisation's limits) or its key are replaced by our own words; request
 * validation messages pass through because the client needs them to fix its request.
 */

type Kind =
	| "invalid_request"
	| "credentials"
	| "billing"
	| "not_found"
	| "too_large"
	| "rate_limit"
	| "overloaded"
	| "failure"
	| "timeout";

const kindOfType = new Map<string, Kind>([
	["invalid_request_error", "invalid_request"],
	["authentication_error", "credentials"],
	["permission_error", "credentials"],
	["billing_error", "billing"],
	["not_found_error", "not_found"],
	["request_too_large", "too_large"],
	["rate_limit_error", "rate_limit"],
	["overloaded_error", "overloaded"],
	["api_error", "failure"],
	["timeout_error", "timeout"],
]);

/** Statuses that mean the same whatever the body says (413 comes from Cloudflare, before the API). */
function kindOfStatus(status: number): Kind | undefined {
	switch (status) {
		case 400:
			return "invalid_request";
		case 401:
		case 403:
			return "credentials";
		case 402:
			return "billing";
		case 404:
			return "not_found";
		case 413:
			return "too_large";
		case 429:
			return "rate_limit";
		case 503:
		case 529:
			return "overloaded";
		case 504:
			return "timeout";
		default:
			return status >= 500 ? "failure" : undefined;
	}
}

function readBody(bodyText: string): WireErrorDetail | undefined {
	try {
		const parsed = wireErrorBody.safeParse(JSON.parse(bodyText));
		return parsed.success ? parsed.data.error : undefined;
	} catch {
		return undefined;
	}
}

function retryAfterOf(headers: Headers | undefined): Record<string, string> {
	const value = headers?.get("retry-after");
	return value ? { "retry-after": value } : {};
}

function errorOf(kind: Kind, upstreamMessage: string | undefined, headers?: Headers): GatewayError {
	switch (kind) {
		case "invalid_request":
			return new GatewayError(400, upstreamMessage || "The provider rejected the request as invalid.", {
				type: "invalid_request_error",
				retryable: false,
			});
		case "credentials":
			// Never the upstream message: a wrong key is the operator's problem and its text may quote the key.
			return upstreamAuthFailed();
		case "billing":
			return new GatewayError(
				502,
				"The provider refused the request for a billing reason; the gateway operator must check the provider account.",
				{
					code: "upstream_billing_error",
					retryable: false,
				},
			);
		case "not_found":
			// Anthropic's message for an unknown model is "model: <name>".
			if (!upstreamMessage || /\bmodel\b/i.test(upstreamMessage)) {
				return new GatewayError(404, "The model is not available from the upstream provider.", {
					code: "model_not_found",
				});
			}
			return new GatewayError(404, upstreamMessage);
		case "too_large":
			return new GatewayError(413, "The request is too large for the upstream provider.", {
				retryable: false,
			});
		case "rate_limit":
			return new GatewayError(429, "The upstream provider is rate-limiting requests; retry later.", {
				type: "rate_limit_error",
				code: "rate_limit_exceeded",
				headers: retryAfterOf(headers),
			});
		case "overloaded":
			return new GatewayError(503, "The upstream provider is temporarily overloaded; retry later.", {
				type: "server_error",
				code: "overloaded",
				headers: retryAfterOf(headers),
			});
		case "failure":
			return new GatewayError(502, "The upstream provider failed to process the request.", {
				type: "server_error",
				code: "upstream_error",
			});
		case "timeout":
			return new GatewayError(504, "The upstream provider timed out.", {
				type: "server_error",
				code: "upstream_timeout",
			});
	}
}

/** A non-2xx answer to POST /v1/messages. */
export function mapError(status: number, bodyText: string, headers: Headers): GatewayError {
	const detail = readBody(bodyText);
	// Credential failures are decided by status first, so no body can talk us into echoing it.
	const byStatus = kindOfStatus(status);
	if (byStatus === "credentials") return errorOf(byStatus, undefined);
	if (!detail) {
		return byStatus && opaqueBodyMatters(status) ? errorOf(byStatus, undefined, headers) : unexpected(status);
	}
	const kind = kindOfType.get(detail.type) ?? byStatus;
	return kind ? errorOf(kind, detail.message, headers) : unexpected(status);
}

const unexpected = (status: number) =>
	new GatewayError(502, `The upstream provider answered with an unexpected HTTP ${status}.`, {
		code: "upstream_bad_response",
		// An unreadable 4xx (a proxy, a wrong base URL) will not get better by asking again.
		retryable: status >= 500 || status === 429,
	});

/** Statuses whose meaning survives a body we cannot read (proxies and load balancers answer these). */
function opaqueBodyMatters(status: number): boolean {
	return status === 413 || status === 429 || status === 503 || status === 504 || status === 529;
}

/** An `event: error` that arrives after HTTP 200, mid-stream: only the type tells what happened. */
export function mapStreamError(detail: WireErrorDetail): GatewayError {
	return errorOf(kindOfType.get(detail.type) ?? "failure", detail.message);
}
