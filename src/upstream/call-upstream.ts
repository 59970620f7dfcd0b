import { GatewayError } from "../errors";
import type { UpstreamRequest } from "../protocols/adapter";

/**
 * POSTs the adapter's request. A network failure is a 502 and no first byte within the limit a 504;
 * neither message names the upstream host.
 */
export async function callUpstream(
	request: UpstreamRequest,
	options: { fetch: typeof fetch; firstByteTimeoutMs: number; clientSignal?: AbortSignal },
): Promise<Response> {
	// One controller for the whole exchange: aborting it after the headers also ends the body, which
	// is how a client's disconnect stops the upstream from generating tokens nobody will read.
	const controller = new AbortController();
	const { clientSignal } = options;
	clientSignal?.addEventListener("abort", () => controller.abort(), { once: true });
	const timer = setTimeout(() => controller.abort(), options.firstByteTimeoutMs);
	try {
		return await options.fetch(request.url, {
			method: "POST",
			headers: request.headers,
			body: request.body,
			signal: controller.signal,
		});
	} catch {
		if (clientSignal?.aborted) throw clientGone();
		if (controller.signal.aborted) {
			throw new GatewayError(504, `The upstream did not answer within ${options.firstByteTimeoutMs} ms.`, {
				code: "upstream_timeout",
				retryable: false,
			});
		}
		throw new GatewayError(502, "The upstream provider could not be reached.", {
			code: "upstream_unreachable",
		});
	} finally {
		clearTimeout(timer ?? null);
	}
}

/** Not sent to anyone (the client has left); it only labels the usage row. */
export const clientGone = () =>
	new GatewayError(499 as 400, "The client closed the request.", {
		code: "client_disconnected",
		retryable: false,
	});

/** Reads a whole (non-streamed) body, giving up when the upstream stalls longer than the idle limit. */
export async function readBodyText(response: Response, idleTimeoutMs: number): Promise<string> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const stalled = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() =>
				reject(
					new GatewayError(504, `The upstream stopped sending for ${idleTimeoutMs} ms.`, {
						code: "upstream_idle_timeout",
					}),
				),
			idleTimeoutMs,
		);
	});
	try {
		return await Promise.race([response.text(), stalled]);
	} catch (error) {
		response.body?.cancel().catch(() => {});
		if (error instanceof GatewayError) throw error;
		throw new GatewayError(502, "The upstream connection failed while sending its answer.", {
			code: "upstream_connection_lost",
		});
	} finally {
		clearTimeout(timer ?? null);
	}
}

/** Removes the provider key and upstream address from a message that may have come from upstream. */
export function scrub(error: GatewayError, secrets: Array<string | undefined>): GatewayError {
	let message = error.message;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) message = message.split(secret).join("[redacted]");
	}
	if (message === error.message) return error;
	return new GatewayError(error.status, message, {
		type: error.type,
		code: error.code,
		param: error.param,
		retryable: error.retryable,
		headers: error.headers,
	});
}
