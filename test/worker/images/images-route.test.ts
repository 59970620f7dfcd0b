import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../../src/env";
import { GatewayError } from "../../../src/errors";
import { createImageStore } from "../../../src/images/store";
import { imagesRoute } from "../../../src/routes/images";

/** Mounted as the gateway mounts it, with the gateway's way of rendering errors. */
const app = new Hono<AppEnv>();
app.route("/v1/images", imagesRoute);
app.onError((error, c) => {
	if (error instanceof GatewayError) return c.json(error.toBody(), error.status, error.headers);
	throw error;
});
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers }, env);

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 0xff, 0xd9]);
const base64 = btoa(String.fromCharCode(...JPEG));

async function stored() {
	const ref = await createImageStore(env, {
		gateId: "gate-route",
		keyId: "key-route",
		origin: "https://gw.example",
	})(base64, "image/jpeg");
	return new URL(ref.image_url.url).pathname;
}

const notFound = {
	error: { message: "No such image.", type: "invalid_request_error", param: null, code: "image_not_found" },
};

describe("GET /v1/images/:file", () => {
	it("serves the exact bytes with content type, etag and year-long immutable caching", async () => {
		const path = await stored();
		const res = await get(path);
		expect(res.status).toBe(200);
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(JPEG);
		expect(res.headers.get("content-type")).toBe("image/jpeg");
		expect(res.headers.get("content-length")).toBe(String(JPEG.byteLength));
		expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
		expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]+"$/);
		expect(res.headers.get("x-content-type-options")).toBe("nosniff");
	});

	it("answers a matching If-None-Match with 304 and no body, and a stale one with the bytes", async () => {
		const path = await stored();
		const etag = (await get(path)).headers.get("etag") ?? "";
		for (const header of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
			const res = await get(path, { "if-none-match": header });
			expect(res.status).toBe(304);
			expect(res.headers.get("etag")).toBe(etag);
			expect(await res.text()).toBe("");
		}
		const stale = await get(path, { "if-none-match": '"stale"' });
		expect(stale.status).toBe(200);
		expect(new Uint8Array(await stale.arrayBuffer())).toEqual(JPEG);
	});

	it("answers unknown ids, malformed names and the wrong extension with OpenAI's 404", async () => {
		const path = await stored();
		for (const bad of [
			path.replace(/\.jpg$/, ".png"),
			path.replace(/\.jpg$/, ""),
			"/v1/images/AAAAAAAAAAAAAAAAAAAAAA.png",
			"/v1/images/short.png",
			"/v1/images/..%2F..%2Fsecret.png",
		]) {
			const res = await get(bad);
			expect(res.status, bad).toBe(404);
			expect(await res.json()).toEqual(notFound);
		}
	});
});
