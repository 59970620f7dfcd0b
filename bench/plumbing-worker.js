// `npm run bench -- --plumbing`: what the platform charges for the building blocks a streaming
// gateway is made of, measured on the bare proxy with one ingredient added at a time (chosen by the
// query string): JS stream stages between the upstream body and the response, a per-read idle timer
// like src/streaming/upstream-source.ts, and a D1 query per request. Not part of the main comparison.
export default {
	async fetch(request, env) {
		const url = new URL(request.url);
		const mode = url.searchParams.get("mode") ?? "bare";
		const n = Number(url.searchParams.get("n") ?? "1");
		if (mode === "d1") for (let i = 0; i < n; i++) await env.DB.prepare("SELECT ?1 AS one").bind(i).first();
		const headers = new Headers(request.headers);
		headers.set("authorization", `Bearer ${env.OPENAI_API_KEY}`);
		// mode=readpump: the gateway's way of sending: the whole request body read first, sent as text.
		const upstream = await fetch(`${env.OPENAI_BASE_URL}/chat/completions`, {
			method: "POST",
			headers,
			body: mode === "readpump" ? await request.text() : request.body,
		});
		let body = upstream.body;
		for (let i = 0; i < n; i++) {
			if (mode === "identity") body = body.pipeThrough(new TransformStream());
			else if (mode === "transform")
				body = body.pipeThrough(new TransformStream({ transform: (c, ctl) => ctl.enqueue(c) }));
			else if (mode === "pull") body = pullStage(body, false);
			else if (mode === "timer") body = pullStage(body, true);
			else if (mode === "pump" || mode === "readpump") body = pumpStage(body);
		}
		return new Response(body, upstream);
	},
};

/** The gateway's shape: a JS loop reading `source` and writing each piece to a native IdentityTransformStream. */
function pumpStage(source) {
	const { readable, writable } = new IdentityTransformStream();
	const writer = writable.getWriter();
	const reader = source.getReader();
	(async () => {
		for (;;) {
			const read = await reader.read();
			if (read.done) break;
			await writer.write(read.value);
		}
		await writer.close();
	})();
	return readable;
}

/** A JS ReadableStream that pulls from `source`; with `timed`, raced against an idle timer per read. */
function pullStage(source, timed) {
	const reader = source.getReader();
	return new ReadableStream({
		async pull(controller) {
			let timer;
			try {
				const read = timed
					? await Promise.race([
							reader.read(),
							new Promise((resolve) => {
								timer = setTimeout(() => resolve({ done: true }), 120_000);
							}),
						])
					: await reader.read();
				if (read.done) controller.close();
				else controller.enqueue(read.value);
			} finally {
				clearTimeout(timer);
			}
		},
		cancel: (reason) => reader.cancel(reason),
	});
}
