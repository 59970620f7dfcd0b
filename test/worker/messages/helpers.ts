import { gateway } from "../helpers";

/** POST /v1/messages (or a sub-path) as Anthropic's SDK sends it: the key in x-api-key. */
export function messages(
	key: string,
	body: unknown,
	init: { headers?: Record<string, string>; path?: string } = {},
): Promise<Response> {
	return gateway(init.path ?? "/v1/messages", {
		method: "POST",
		headers: {
			"x-api-key": key,
			"anthropic-version": "2023-06-01",
			"content-type": "application/json",
			...init.headers,
		},
		body: typeof body === "string" ? body : JSON.stringify(body),
	});
}

export interface NamedEvent {
	event: string | null;
	data: unknown;
}

/** An Anthropic event stream as its named events, in order; every `data:` line must be JSON. */
export function namedEvents(raw: string): NamedEvent[] {
	return raw
		.split("\n\n")
		.filter((block) => block.trim() !== "")
		.map((block) => {
			const lines = block.split("\n");
			const event = lines.find((line) => line.startsWith("event: "))?.slice("event: ".length) ?? null;
			const data = lines.find((line) => line.startsWith("data: "))?.slice("data: ".length);
			if (data === undefined) throw new Error(`an SSE block without data: ${block}`);
			return { event, data: JSON.parse(data) as unknown };
		});
}
