import { asGatewayError } from "../../errors";
import { jsonResponse } from "../../respond";
import { anthropicError } from "./error-body";

/** A failure as Anthropic reports one, with the gateway's headers (retry-after, allow) kept. */
export function messagesErrorResponse(cause: unknown, gateId: string): Response {
	const error = asGatewayError(cause);
	if (error !== cause) {
		// Unexpected failures are logged by type only: messages may hold request content.
		const name = cause instanceof Error ? cause.name : typeof cause;
		console.error(JSON.stringify({ message: "unhandled error", gate_id: gateId, error: name }));
	}
	const { status, body } = anthropicError(error);
	return jsonResponse(gateId, body, status, error.headers);
}
