interface EchoRequest {
	stream?: boolean;
	messages?: Array<{ role?: string; content?: unknown }>;
}

const countTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

function lastUserText(body: EchoRequest): string {
	const last = [...(body.messages ?? [])].reverse().find((m) => m.role === "user");
	if (!last) return "";
	if (typeof last.content === "string") return last.content;
	if (Array.isArray(last.content)) {
		return last.content
			.map((part: { type?: string; text?: string }) => (part.type === "text" ? (part.text ?? "") : ""))
			.join(" ");
	}
	return "";
}

/**
 * The upstream of the built-in demo model (the catalog's `demo/echo`, provider `demo`), so a newcomer
 * without provider keys still gets an answer. It speaks the OpenAI protocol from inside the Worker
 * (no network), as the provider's `fetch`, and goes through the same adapter, stream pipeline and
 * usage accounting as a real upstream.
 */
export async function echoFetch(_input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
	const body = JSON.parse(String(init?.body ?? "{}")) as EchoRequest;
	const said = lastUserText(body);
	const answer = `Echo: ${said}`;
	const usage = {
		prompt_tokens: countTokens(JSON.stringify(body.messages ?? [])),
		completion_tokens: countTokens(answer),
		total_tokens: 0,
	};
	usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
	const base = { id: "echo-1", created: Math.floor(Date.now() / 1000), model: "echo" };
	if (!body.stream) {
		return Response.json({
			...base,
			object: "chat.completion",
			choices: [{ index: 0, message: { role: "assistant", content: answer }, finish_reason: "stop" }],
			usage,
		});
	}
	const words = answer.split(/(?<= )/);
	const chunk = (choices: unknown[], extra: object = {}) =>
		`data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...extra })}\n\n`;
	const events = [
		chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
		...words.map((word) => chunk([{ index: 0, delta: { content: word }, finish_reason: null }])),
		chunk([{ index: 0, delta: {}, finish_reason: "stop" }]),
		chunk([], { usage }),
		"data: [DONE]\n\n",
	];
	return new Response(events.join(""), { headers: { "content-type": "text/event-stream" } });
}
