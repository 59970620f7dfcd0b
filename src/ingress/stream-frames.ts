import { GatewayError } from "../errors";

/**
 * An upstream event passed through, as SSE text: its `event:` line (when it had one) and one `data:`
 * line per line of its data, since a bare newline would end the field early. Upstream data is one
 * line, so the common case costs no split (it runs for every event of a pass-through stream).
 */
export function nativeFrame(event: string | undefined, data: string): string {
	const name = event === undefined ? "" : `event: ${event}\n`;
	if (!data.includes("\n")) return `${name}data: ${data}\n\n`;
	return `${name}${data
		.split("\n")
		.map((line) => `data: ${line}`)
		.join("\n")}\n\n`;
}

/**
 * More of a tool call whose block or item an encoder already closed: the adapters stream calls one
 * after another, so only a misbehaving upstream interleaves them. Reopening would break the client's
 * protocol and dropping the piece would hand it broken input: the encoder throws this, so the engine
 * records the failure, stops reading the upstream and asks for the error event.
 */
export const interleavedToolCalls = () =>
	new GatewayError(
		502,
		"The upstream interleaved the arguments of parallel tool calls, which cannot be streamed.",
		{
			code: "stream_translation_failed",
		},
	);
