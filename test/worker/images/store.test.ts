import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env";
import { createImageStore } from "../../../src/images/store";

const PNG_BASE64 =
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const meta = { gateId: "gate-store-test", keyId: "key_store_test", origin: "https://gw.example/" };

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const hex = async (bytes: Uint8Array) =>
	[...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
		.map((b) => b.toString(16).padStart(2, "0"))
		.join("");
const idOf = (url: string) => /\/v1\/images\/([A-Za-z0-9_-]+)\.\w+$/.exec(url)?.[1] ?? "";

describe("image store", () => {
	it("writes the exact bytes to R2, records a row, and returns a URL on the gateway's origin", async () => {
		const before = Date.now();
		const ref = await createImageStore(env, meta)(PNG_BASE64, "image/png");
		expect(ref.type).toBe("image_url");
		expect(ref.image_url.url).toMatch(/^https:\/\/gw\.example\/v1\/images\/[A-Za-z0-9_-]{22}\.png$/);
		const id = idOf(ref.image_url.url);

		const object = await env.IMAGES.get(`images/${id}`);
		expect(object?.httpMetadata?.contentType).toBe("image/png");
		expect(object?.customMetadata).toEqual({ gateId: meta.gateId, keyId: meta.keyId });
		expect(new Uint8Array(await (object as R2ObjectBody).arrayBuffer())).toEqual(bytesOf(PNG_BASE64));

		const row = await env.DB.prepare("SELECT * FROM images WHERE id = ?")
			.bind(id)
			.first<Record<string, unknown>>();
		expect(row).toEqual({
			id,
			gate_id: meta.gateId,
			key_id: meta.keyId,
			r2_key: `images/${id}`,
			media_type: "image/png",
			size: bytesOf(PNG_BASE64).byteLength,
			sha256: await hex(bytesOf(PNG_BASE64)),
			created_at: expect.any(Number),
			// The model attached none to this one.
			provider_metadata: null,
		});
		expect(row?.created_at as number).toBeGreaterThanOrEqual(before);
	});

	it("names extensions after the media type and ids are unique", async () => {
		const store = createImageStore(env, meta);
		expect((await store("/9j/4AAQ", "image/jpeg")).image_url.url).toMatch(/\.jpg$/);
		expect((await store("UklGRg==", "image/webp; q=1")).image_url.url).toMatch(/\.webp$/);
		expect((await store("R0lGOD==", "IMAGE/GIF")).image_url.url).toMatch(/\.gif$/);
		const urls = await Promise.all(Array.from({ length: 20 }, () => store("AAAA", "image/png")));
		expect(new Set(urls.map((ref) => ref.image_url.url)).size).toBe(20);
	});

	it("refuses data it cannot serve back faithfully with a 502", async () => {
		const store = createImageStore(env, meta);
		await expect(store("AAAA", "application/pdf")).rejects.toMatchObject({
			status: 502,
			code: "image_store_failed",
		});
		await expect(store("not base64!", "image/png")).rejects.toMatchObject({
			status: 502,
			code: "image_store_failed",
		});
		await expect(store("", "image/png")).rejects.toMatchObject({ status: 502, code: "image_store_failed" });
	});

	it("fails with a 502 and records nothing when R2 refuses the write", async () => {
		const gateId = `gate-r2-fails-${crypto.randomUUID()}`;
		const broken = {
			...env,
			DB: env.DB,
			IMAGES: { put: () => Promise.reject(new Error("R2 is down")) } as unknown as R2Bucket,
		} as Env;
		await expect(createImageStore(broken, { ...meta, gateId })("AAAA", "image/png")).rejects.toMatchObject({
			status: 502,
			code: "image_store_failed",
			message: "The model produced an image, but the image could not be written to storage.",
		});
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM images WHERE gate_id = ?")
			.bind(gateId)
			.first<{ n: number }>();
		expect(rows?.n).toBe(0);
	});

	it("deletes the R2 object again when the D1 row cannot be written, leaving no orphan", async () => {
		const written: string[] = [];
		const recordingBucket = {
			put: async (key: string, value: Uint8Array, options: R2PutOptions) => {
				written.push(key);
				return env.IMAGES.put(key, value, options);
			},
			delete: (key: string) => env.IMAGES.delete(key),
		} as unknown as R2Bucket;
		const brokenDb = {
			prepare: () => ({ bind: () => ({ run: () => Promise.reject(new Error("D1 is down")) }) }),
		} as unknown as D1Database;
		const broken = { ...env, DB: brokenDb, IMAGES: recordingBucket } as Env;
		await expect(createImageStore(broken, meta)("AAAA", "image/png")).rejects.toMatchObject({
			status: 502,
			message: "The model produced an image, but the image could not be recorded.",
		});
		expect(written).toHaveLength(1);
		expect(await env.IMAGES.head(written[0] ?? "")).toBeNull();
	});
});
