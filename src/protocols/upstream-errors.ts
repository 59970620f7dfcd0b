import { GatewayError } from "../errors";

/** Shared by every adapter: the provider refused the gateway's own credentials (a gateway misconfiguration). */
export const upstreamAuthFailed = () =>
	new GatewayError(
		502,
		"The provider rejected the gateway's credentials; the gateway operator must check its API key.",
		{
			code: "upstream_auth_failed",
			retryable: false,
		},
	);

export const upstreamGarbage = (what: string) =>
	new GatewayError(502, `The upstream provider sent ${what} the gateway could not understand.`, {
		code: "upstream_bad_response",
	});
