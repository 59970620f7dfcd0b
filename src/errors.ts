import type { ContentfulStatusCode } from "hono/utils/http-status";

/** OpenAI's error body: every failure the gateway reports takes this shape. */
export interface OpenAIErrorBody {
	error: { message: string; type: string; param: string | null; code: string | null };
}

export interface GatewayErrorInit {
	type?: string;
	code?: string | null;
	param?: string | null;
	/** Whether trying the request again (or on another model) may succeed. */
	retryable?: boolean;
	headers?: Record<string, string>;
}

const defaultType: Record<number, string> = {
	400: "invalid_request_error",
	401: "invalid_request_error",
	403: "permission_error",
	404: "invalid_request_error",
	405: "invalid_request_error",
	413: "invalid_request_error",
	429: "rate_limit_error",
};

export class GatewayError extends Error {
	readonly status: ContentfulStatusCode;
	readonly type: string;
	readonly code: string | null;
	readonly param: string | null;
	readonly retryable: boolean;
	readonly headers: Record<string, string>;

	constructor(status: ContentfulStatusCode, message: string, init: GatewayErrorInit = {}) {
		super(message);
		this.status = status;
		this.type =
			init.type ?? defaultType[status] ?? (status >= 500 ? "server_error" : "invalid_request_error");
		this.code = init.code ?? null;
		this.param = init.param ?? null;
		this.retryable = init.retryable ?? (status === 429 || status >= 500);
		this.headers = init.headers ?? {};
	}

	toBody(): OpenAIErrorBody {
		return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
	}
}

/** Anything but a GatewayError is a 500 that says nothing more: its message may hold request content. */
export const asGatewayError = (cause: unknown): GatewayError =>
	cause instanceof GatewayError ? cause : new GatewayError(500, "Internal gateway error.");

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
	new GatewayError(400, message, { param, code });
