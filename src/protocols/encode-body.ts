import { GatewayError } from "../errors";

/**
 * The upstream request body as JSON text. The client's JSON was parsed without a depth limit, but
 * V8's JSON.stringify recurses on some object shapes and overflows the stack some ten thousand
 * levels down: such a body is the client's to fix (400), not an internal failure (500).
 */
export function encodeBody(body: unknown): string {
	try {
		return JSON.stringify(body);
	} catch (cause) {
		if (!(cause instanceof RangeError)) throw cause;
		throw new GatewayError(400, "The request body nests JSON too deeply to be forwarded.", {
			code: "nesting_too_deep",
		});
	}
}
