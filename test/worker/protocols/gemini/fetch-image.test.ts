import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import { fetchImage, isForbiddenHost } from "../../../../src/protocols/gemini/fetch-image";

type Route = (url: string, init: RequestInit) => Response | Promise<Response>;

/** A fetch answering from a table of URLs, recording what was asked. */
function fakeFetch(routes: Record<string, Route>) {
	const calls: Array<{ url: string; redirect: string | undefined }> = [];
	const fetcher = async (input: RequestInfo | URL, init: RequestInit = {}) => {
		const url = String(input);
		calls.push({ url, redirect: init.redirect });
		const route = routes[url];
		if (!route) throw new TypeError("network error");
		return route(url, init);
	};
	return { fetch: fetcher as typeof fetch, calls };
}

const png =
	(size = 4, headers: Record<string, string> = {}) =>
	() =>
		new Response(new Uint8Array(size).fill(7), { headers: { "content-type": "image/png", ...headers } });
const redirect = (location: string) => () => new Response(null, { status: 302, headers: { location } });

async function refusal(promise: Promise<unknown>) {
	try {
		await promise;
	} catch (error) {
		if (error instanceof GatewayError) return { status: error.status, ...error.toBody().error };
		throw error;
	}
	throw new Error("expected a refusal");
}

describe("isForbiddenHost", () => {
	const host = (url: string) => new URL(url).hostname;
	it.each([
		"https://localhost/",
		"https://LOCALHOST./",
		"https://api.localhost/",
		"https://intranet/",
		"https://127.0.0.1/",
		"https://127.1/",
		"https://2130706433/",
		"https://0x7f000001/",
		"https://0.0.0.0/",
		"https://10.1.2.3/",
		"https://100.64.0.1/",
		"https://100.127.255.255/",
		"https://169.254.169.254/",
		"https://172.16.0.1/",
		"https://172.31.255.255/",
		"https://192.168.1.1/",
		"https://198.18.0.1/",
		"https://224.0.0.1/",
		"https://255.255.255.255/",
		"https://[::1]/",
		"https://[::]/",
		"https://[::ffff:127.0.0.1]/",
		"https://[::ffff:10.0.0.1]/",
		"https://[64:ff9b::a00:1]/",
		"https://[2002:7f00:1::]/",
		"https://[fc00::1]/",
		"https://[fd12:3456::1]/",
		"https://[fe80::1]/",
		"https://[ff02::1]/",
	])("refuses %s", (url) => {
		expect(isForbiddenHost(host(url))).toBe(true);
	});
	it.each([
		"https://images.example.com/",
		"https://8.8.8.8/",
		"https://100.128.0.1/",
		"https://172.32.0.1/",
		"https://[2606:4700::1111]/",
		"https://[::ffff:8.8.8.8]/",
	])("allows %s", (url) => {
		expect(isForbiddenHost(host(url))).toBe(false);
	});
});

describe("fetchImage", () => {
	it("fetches an https image without following redirects by itself, and returns it as base64", async () => {
		const upstream = fakeFetch({
			"https://img.example/a.png": png(3, { "content-type": "image/png; charset=binary" }),
		});
		expect(await fetchImage("https://img.example/a.png", { fetch: upstream.fetch })).toEqual({
			mimeType: "image/png",
			data: "BwcH",
		});
		expect(upstream.calls).toEqual([{ url: "https://img.example/a.png", redirect: "manual" }]);
	});

	it("follows up to three redirects, checking every hop", async () => {
		const upstream = fakeFetch({
			"https://a.example/1": redirect("/2"),
			"https://a.example/2": redirect("https://b.example/3"),
			"https://b.example/3": redirect("https://c.example/4"),
			"https://c.example/4": png(1),
		});
		expect(await fetchImage("https://a.example/1", { fetch: upstream.fetch })).toEqual({
			mimeType: "image/png",
			data: "Bw==",
		});
		expect(upstream.calls.map((c) => c.url)).toEqual([
			"https://a.example/1",
			"https://a.example/2",
			"https://b.example/3",
			"https://c.example/4",
		]);
	});

	it("refuses a fourth redirect", async () => {
		const upstream = fakeFetch({
			"https://a.example/1": redirect("/2"),
			"https://a.example/2": redirect("/3"),
			"https://a.example/3": redirect("/4"),
			"https://a.example/4": redirect("/5"),
		});
		expect(await refusal(fetchImage("https://a.example/1", { fetch: upstream.fetch, param: "p" }))).toEqual({
			status: 400,
			message: "The image URL was refused: more than 3 redirects.",
			type: "invalid_request_error",
			param: "p",
			code: "invalid_image_url",
		});
	});

	it("refuses a redirect to a private address or to plain http, without fetching it", async () => {
		for (const location of [
			"https://169.254.169.254/latest/meta-data",
			"https://[::1]/x.png",
			"http://b.example/x.png",
		]) {
			const upstream = fakeFetch({ "https://a.example/x.png": redirect(location) });
			const error = await refusal(fetchImage("https://a.example/x.png", { fetch: upstream.fetch }));
			expect(error.status).toBe(400);
			expect(upstream.calls.map((c) => c.url)).toEqual(["https://a.example/x.png"]);
		}
	});

	it("refuses private, loopback and non-https URLs before any fetch", async () => {
		const upstream = fakeFetch({});
		expect(await refusal(fetchImage("https://10.0.0.5/x.png", { fetch: upstream.fetch }))).toMatchObject({
			message: "The image URL was refused: it points to a private, loopback or link-local address.",
		});
		expect(await refusal(fetchImage("http://img.example/x.png", { fetch: upstream.fetch }))).toMatchObject({
			message: "The image URL was refused: only https URLs are fetched.",
		});
		expect(await refusal(fetchImage("ftp://img.example/x.png", { fetch: upstream.fetch }))).toMatchObject({
			message: "The image URL was refused: only https URLs are fetched.",
		});
		expect(
			await refusal(fetchImage("https://user:pw@img.example/x.png", { fetch: upstream.fetch })),
		).toMatchObject({
			message: "The image URL was refused: URLs with credentials are not fetched.",
		});
		expect(await refusal(fetchImage("not a url", { fetch: upstream.fetch }))).toMatchObject({
			message: "The image URL was refused: it is not a valid URL.",
		});
		expect(upstream.calls).toEqual([]);
	});

	it("refuses what is not an image", async () => {
		const upstream = fakeFetch({
			"https://a.example/page": () => new Response("<html>", { headers: { "content-type": "text/html" } }),
			"https://a.example/none": () => new Response(new Uint8Array([1])),
		});
		expect(await refusal(fetchImage("https://a.example/page", { fetch: upstream.fetch }))).toMatchObject({
			message: 'The image URL was refused: the content type is "text/html", not an image.',
		});
		expect(await refusal(fetchImage("https://a.example/none", { fetch: upstream.fetch }))).toMatchObject({
			message: "The image URL was refused: the content type is missing, not an image.",
		});
	});

	it("enforces the size cap by declared length and by bytes actually read", async () => {
		const declared = fakeFetch({ "https://a.example/big": png(4, { "content-length": "11" }) });
		expect(
			await refusal(fetchImage("https://a.example/big", { fetch: declared.fetch, maxBytes: 10 })),
		).toMatchObject({
			message: "The image URL was refused: the image is larger than 10 bytes.",
		});
		const streamed = fakeFetch({
			"https://a.example/big": () => {
				const body = new ReadableStream<Uint8Array>({
					pull(controller) {
						controller.enqueue(new Uint8Array(4));
					},
				});
				return new Response(body, { headers: { "content-type": "image/png" } });
			},
		});
		expect(
			await refusal(fetchImage("https://a.example/big", { fetch: streamed.fetch, maxBytes: 10 })),
		).toMatchObject({
			message: "The image URL was refused: the image is larger than 10 bytes.",
		});
		const exact = fakeFetch({ "https://a.example/ok": png(10) });
		expect((await fetchImage("https://a.example/ok", { fetch: exact.fetch, maxBytes: 10 })).data).toBe(
			"BwcHBwcHBwcHBw==",
		);
	});

	it("gives up after the time limit", async () => {
		const hanging = (async (_input: RequestInfo | URL, init: RequestInit = {}) =>
			new Promise<Response>((_, reject) => {
				init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
			})) as typeof fetch;
		expect(
			await refusal(fetchImage("https://slow.example/a.png", { fetch: hanging, timeoutMs: 30 })),
		).toMatchObject({
			status: 400,
			message: "The image URL was refused: it did not load within 30 ms.",
		});
	});

	it("reports failed fetches and error statuses as refusals", async () => {
		const upstream = fakeFetch({ "https://a.example/404": () => new Response("no", { status: 404 }) });
		expect(await refusal(fetchImage("https://a.example/404", { fetch: upstream.fetch }))).toMatchObject({
			message: "The image URL was refused: the server answered HTTP 404.",
		});
		expect(await refusal(fetchImage("https://down.example/a.png", { fetch: upstream.fetch }))).toMatchObject({
			message: "The image URL was refused: it could not be fetched.",
		});
	});
});
