// The thinnest Worker that does the gateway's job at all: forward the client's request to the upstream
// (swapping in the provider key) and hand back the upstream's body as it arrives. What it costs is the
// platform's own floor; the benchmark reports the gateway against it. A request to /v1/messages goes
// to Anthropic's Messages API with the key in x-api-key, any other to OpenAI's Chat Completions. A
// request to /v1/responses goes to Anthropic's Messages API too: the gateway translates the bench's
// Responses requests (to anthropic/bench) into Messages requests, so relaying the fake Claude's answer
// prices the same upstream bytes (the fake reads the chunk count from the Responses body's
// max_output_tokens, as from the translated body's max_tokens). A request to /v1/embeddings goes to
// OpenAI's embeddings endpoint, whichever provider the gateway's model is of: the bare proxy relays
// an answer of the shape and size the client gets (the gateway makes it from Gemini's calls for a
// Gemini model).
export default {
	async fetch(request, env) {
		const headers = new Headers(request.headers);
		let url;
		if (request.url.endsWith("/v1/embeddings")) {
			headers.set("authorization", `Bearer ${env.OPENAI_API_KEY}`);
			url = `${env.OPENAI_BASE_URL}/embeddings`;
		} else if (request.url.endsWith("/v1/messages") || request.url.endsWith("/v1/responses")) {
			headers.set("x-api-key", env.ANTHROPIC_API_KEY);
			url = `${env.ANTHROPIC_BASE_URL}/v1/messages`;
		} else {
			headers.set("authorization", `Bearer ${env.OPENAI_API_KEY}`);
			url = `${env.OPENAI_BASE_URL}/chat/completions`;
		}
		const upstream = await fetch(url, { method: "POST", headers, body: request.body });
		return new Response(upstream.body, upstream);
	},
};
