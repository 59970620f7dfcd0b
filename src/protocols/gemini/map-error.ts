import { GatewayError } from "../../errors";
import { type ErrorBody, errorBodySchema } from "./wire";

const AUTH_FAILED = "The provider rejected the gateway's credentials.";

/**
 * A Gemini error answer → the error the client sees. Gemini reports an invalid API key as 400
 * INVALID_ARGUMENT with an ErrorInfo detail of reason API_KEY_INVALID; that and 401/403 are the
 * operator's problem, not the client's, so they become 502 and never show the upstream message
 * (which may quote the key). Quota (429) keeps its status and turns RetryInfo.retryDelay into a
 * retry-after header. Messages are passed on for 400s only, with anything key-like redacted.
 */
export function mapError(status: number, bodyText: string, headers: Headers): GatewayError {
	const body = parseErrorBody(bodyText);
	if (!body) {
		return new GatewayError(502, `The provider returned an unreadable error (HTTP ${status}).`, {
			code: "upstream_error",
			// An unreadable 4xx (a proxy, a wrong base URL) will not get better by asking again.
			retryable: status >= 500 || status === 429,
		});
	}
	return errorFromBody(status, body, headers);
}

/** Also used for an error object that arrives inside a 200 stream. */
export function errorFromBody(status: number, body: ErrorBody, headers?: Headers): GatewayError {
	const { error } = body;
	const upstreamStatus = error.status ?? "";
	const message = redact(error.message ?? "");

	if (
		status === 401 ||
		status === 403 ||
		hasReason(body, "API_KEY_INVALID") ||
		upstreamStatus === "UNAUTHENTICATED"
	) {
		return new GatewayError(502, AUTH_FAILED, { code: "upstream_auth_failed" });
	}
	if (status === 429 || upstreamStatus === "RESOURCE_EXHAUSTED") {
		const retryAfter = retryAfterSeconds(body) ?? headers?.get("retry-after") ?? undefined;
		return new GatewayError(429, "The provider's rate limit or quota was exceeded. Try again later.", {
			code: "rate_limit_exceeded",
			headers: retryAfter ? { "retry-after": retryAfter } : {},
		});
	}
	if (status === 404 || upstreamStatus === "NOT_FOUND") {
		return new GatewayError(404, "The provider does not offer this model.", { code: "model_not_found" });
	}
	if (status === 400 || status === 413 || status === 422) {
		const code = upstreamStatus ? upstreamStatus.toLowerCase() : null;
		return new GatewayError(status === 413 ? 413 : 400, message || "The provider rejected the request.", {
			code,
		});
	}
	if (status === 503 || upstreamStatus === "UNAVAILABLE") {
		return new GatewayError(503, "The provider is overloaded or unavailable. Try again later.", {
			code: "upstream_unavailable",
		});
	}
	if (status === 504 || upstreamStatus === "DEADLINE_EXCEEDED") {
		return new GatewayError(504, "The provider timed out.", { code: "upstream_timeout" });
	}
	return new GatewayError(
		502,
		`The provider failed (HTTP ${status}${upstreamStatus ? ` ${upstreamStatus}` : ""}).`,
		{
			code: "upstream_error",
		},
	);
}

function parseErrorBody(text: string): ErrorBody | null {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return null;
	}
	// Some Google front ends wrap the error in a one-element array.
	const candidate = Array.isArray(json) ? json[0] : json;
	const parsed = errorBodySchema.safeParse(candidate);
	return parsed.success ? parsed.data : null;
}

function hasReason(body: ErrorBody, reason: string): boolean {
	return (body.error.details ?? []).some((detail) => detail.reason === reason);
}

/** RetryInfo.retryDelay is a protobuf Duration in JSON ("37s", "34.4s"); retry-after wants whole seconds. */
function retryAfterSeconds(body: ErrorBody): string | undefined {
	for (const detail of body.error.details ?? []) {
		if (!String(detail["@type"] ?? "").endsWith("google.rpc.RetryInfo")) continue;
		const match = /^(\d+(?:\.\d+)?)s$/.exec(String(detail.retryDelay ?? ""));
		if (match) return String(Math.ceil(Number(match[1])));
	}
	return undefined;
}

/** Google API keys start with "AIza"; a message must never carry one, nor a URL with a key parameter. */
function redact(message: string): string {
	return message.replace(/AIza[0-9A-Za-z_-]+/g, "[redacted]").replace(/([?&]key=)[^&\s]+/g, "$1[redacted]");
}
