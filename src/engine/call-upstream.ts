import { GatewayError } from "../errors";
import type { UpstreamRequest, UpstreamTarget } from "../protocols/adapter";

/**
 * One timer for the whole exchange, moved rather than replaced: first the time to the response
 * headers, then the idle allowance while a body is read. When it expires the exchange's controller
 * aborts, which ends the fetch or the body read. (A timer armed and cleared per phase, plus a
 * Promise.race, were a visible share of a request's CPU.)
 */
export class Deadline {
	expired = false;
	private at: number;
	private timer: ReturnType<typeof setTimeout> | null;

	constructor(
		private readonly controller: AbortController,
		ms: number,
	) {
		this.at = Date.now() + ms;
		this.timer = setTimeout(this.check, ms);
	}

	/** From now on the exchange may take `ms` more; the timer re-arms itself lazily when extended. */
	extend(ms: number): void {
		const at = Date.now() + ms;
		if (at < this.at && this.timer !== null) {
			clearTimeout(this.timer);
			this.timer = setTimeout(this.check, ms);
		}
		this.at = at;
	}

	clear(): void {
		if (this.timer !== null) clearTimeout(this.timer);
		this.timer = null;
	}

	private readonly check = () => {
		const left = this.at - Date.now();
		if (left > 0) {
			this.timer = setTimeout(this.check, left);
			return;
		}
		this.timer = null;
		this.expired = true;
		this.controller.abort();
	};
}

export interface UpstreamExchange {
	response: Response;
	/** Still running: extend it to read a body, clear it when the stream pipeline takes over. */
	deadline: Deadline;
}

/**
 * POSTs the adapter's request. A network failure is a 502 and no first byte within the limit a 504;
 * neither message names the upstream host.
 */
export async function callUpstream(
	request: UpstreamRequest,
	options: { fetch: typeof fetch; firstByteTimeoutMs: number; clientSignal?: AbortSignal },
): Promise<UpstreamExchange> {
	// One controller for the whole exchange: aborting it after the headers also ends the body, which
	// is how a client's disconnect stops the upstream from generating tokens nobody will read.
	const { clientSignal } = options;
	if (clientSignal?.aborted) throw clientGone();
	const controller = new AbortController();
	clientSignal?.addEventListener("abort", () => controller.abort(), { once: true });
	const deadline = new Deadline(controller, options.firstByteTimeoutMs);
	try {
		const response = await options.fetch(request.url, {
			method: "POST",
			headers: request.headers,
			body: request.body,
			signal: controller.signal,
		});
		return { response, deadline };
	} catch {
		deadline.clear();
		if (clientSignal?.aborted) throw clientGone();
		if (deadline.expired) {
			throw new GatewayError(504, `The upstream did not answer within ${options.firstByteTimeoutMs} ms.`, {
				code: "upstream_timeout",
				retryable: false,
			});
		}
		throw new GatewayError(502, "The upstream provider could not be reached.", {
			code: "upstream_unreachable",
		});
	}
}

/** Not sent to anyone (the client has left); it only labels the usage row. */
export const clientGone = () =>
	new GatewayError(499 as 400, "The client closed the request.", {
		code: "client_disconnected",
		retryable: false,
	});

/** Reads a whole (non-streamed) body, giving up when the upstream stalls longer than the idle limit. */
export async function readBodyText(
	{ response, deadline }: UpstreamExchange,
	idleTimeoutMs: number,
): Promise<string> {
	deadline.extend(idleTimeoutMs);
	try {
		return await response.text();
	} catch {
		if (deadline.expired) {
			// Like a first-byte timeout: the client already waited this long, so not retried on this model.
			throw new GatewayError(504, `The upstream stopped sending for ${idleTimeoutMs} ms.`, {
				code: "upstream_idle_timeout",
				retryable: false,
			});
		}
		throw new GatewayError(502, "The upstream connection failed while sending its answer.", {
			code: "upstream_connection_lost",
		});
	} finally {
		deadline.clear();
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

/** Scrubs what a target's upstream may echo back: its key, its base URL and its host. */
export function scrubUpstream(
	error: GatewayError,
	target: Pick<UpstreamTarget, "apiKey" | "baseUrl">,
): GatewayError {
	let host: string | undefined;
	try {
		host = new URL(target.baseUrl).host;
	} catch {
		host = undefined;
	}
	return scrub(error, [target.apiKey, target.baseUrl, host]);
}
