import { GatewayError } from "../../errors";
import { upstreamAuthFailed } from "../upstream-errors";
import { errorWire } from "./wire";

/** An OpenAI-protocol upstream's error, as a status a client can act on and OpenAI's own body shape. */
export function mapError(status: number, bodyText: string, headers: Headers): GatewayError {
	// OpenAI's 401 message quotes part of the key it was given: never pass it on.
	if (status === 401 || status === 403) return upstreamAuthFailed();
	let parsed: ReturnType<typeof errorWire.safeParse> | undefined;
	try {
		parsed = errorWire.safeParse(JSON.parse(bodyText));
	} catch {
		parsed = undefined;
	}
	const upstream = parsed?.success ? parsed.data.error : undefined;
	const message = upstream?.message || `HTTP ${status}`;
	const code = upstream?.code === undefined || upstream.code === null ? null : String(upstream.code);
	if (status === 429) {
		const retryAfter = headers.get("retry-after");
		return new GatewayError(429, `The upstream provider is rate-limiting requests: ${message}`, {
			type: upstream?.type ?? "rate_limit_error",
			code: code ?? "rate_limit_exceeded",
			headers: retryAfter ? { "retry-after": retryAfter } : {},
		});
	}
	if (status >= 500) {
		const passOn = status === 503 || status === 504 ? status : 502;
		return new GatewayError(passOn, `The upstream provider failed (HTTP ${status}): ${message}`, {
			type: "server_error",
			code: code ?? "upstream_error",
		});
	}
	if (status >= 400 && status < 500 && upstream) {
		return new GatewayError(
			status === 404 || status === 413 || status === 422 || status === 409 ? status : 400,
			message,
			{
				type: upstream.type ?? "invalid_request_error",
				param: upstream.param ?? null,
				code,
				retryable: false,
			},
		);
	}
	// An unreadable 4xx (a proxy, a wrong base URL) will not get better by asking again.
	return new GatewayError(502, `The upstream provider answered with an unexpected HTTP ${status}.`, {
		retryable: status >= 500 || status === 429,
		code: "upstream_bad_response",
	});
}
