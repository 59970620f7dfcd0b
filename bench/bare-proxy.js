// The thinnest Worker that does the gateway's job at all: forward the client's request to the upstream
// (swapping in the provider key) and hand back the upstream's body as it arrives. What it costs is the
// platform's own floor; the benchmark reports the gateway against it.
export default {
	async fetch(request, env) {
		const headers = new Headers(request.headers);
		headers.set("authorization", `Bearer ${env.OPENAI_API_KEY}`);
		const upstream = await fetch(`${env.OPENAI_BASE_URL}/chat/completions`, {
			method: "POST",
			headers,
			body: request.body,
		});
		return new Response(upstream.body, upstream);
	},
};
