// The thinnest Worker that does the gateway's job at all: forward the client's request to the upstream
// (swapping in the provider key) and hand back the upstream's body as it arrives. What it costs is the
// platform's own floor; the benchmark reports the gateway against it. A request to /v1/messages goes
// to Anthropic's Messages API with the key in x-api-key, any other to OpenAI's Chat Completions.
export default {
	async fetch(request, env) {
		const headers = new Headers(request.headers);
		let url;
		if (request.url.endsWith("/v1/messages")) {
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
