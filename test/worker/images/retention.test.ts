import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env";
import { deleteExpiredImages, imageRetentionDays } from "../../../src/images/retention";

const DAY = 24 * 60 * 60 * 1000;

async function plant(id: string, createdAt: number) {
	await env.IMAGES.put(`images/${id}`, new Uint8Array([1, 2, 3]), {
		httpMetadata: { contentType: "image/png" },
	});
	await env.DB.prepare(
		"INSERT INTO images (id, gate_id, key_id, r2_key, media_type, size, sha256, created_at) VALUES (?, 'gate-ret', 'key-ret', ?, 'image/png', 3, 'x', ?)",
	)
		.bind(id, `images/${id}`, createdAt)
		.run();
}

const exists = async (id: string) => ({
	object: (await env.IMAGES.head(`images/${id}`)) !== null,
	row: (await env.DB.prepare("SELECT id FROM images WHERE id = ?").bind(id).first()) !== null,
});

const withRetention = (days: unknown) =>
	({ DB: env.DB, IMAGES: env.IMAGES, IMAGE_RETENTION_DAYS: days }) as unknown as Env;

describe("image retention", () => {
	it("keeps everything when IMAGE_RETENTION_DAYS is unset or not positive, and refuses a value that is no number", async () => {
		const id = `ret-keep-${crypto.randomUUID()}`;
		await plant(id, 50_000);
		expect(() => imageRetentionDays(withRetention("soon"))).toThrow(
			"The gateway is misconfigured: IMAGE_RETENTION_DAYS must be a number of days, not 'soon'.",
		);
		for (const days of [undefined, "", "0", "-3"]) {
			expect(imageRetentionDays(withRetention(days))).toBeNull();
			expect(await deleteExpiredImages(withRetention(days), 100 * DAY)).toBe(0);
		}
		expect(await exists(id)).toEqual({ object: true, row: true });
	});

	it("deletes objects and rows older than the retention period, and nothing newer", async () => {
		// Timestamps near the epoch, so images other tests create stay far from the cutoff.
		const old = Array.from({ length: 3 }, (_, i) => `ret-old-${i}-${crypto.randomUUID()}`);
		const young = `ret-young-${crypto.randomUUID()}`;
		for (const id of old) await plant(id, 1000);
		await plant(young, 10_000);
		const now = 2 * DAY + 5_000; // cutoff at 5 000 ms
		expect(imageRetentionDays(withRetention("2"))).toBe(2);
		expect(await deleteExpiredImages(withRetention("2"), now)).toBe(3);
		for (const id of old) expect(await exists(id)).toEqual({ object: false, row: false });
		expect(await exists(young)).toEqual({ object: true, row: true });
		expect(await deleteExpiredImages(withRetention(2), now)).toBe(0);
	});

	it("deletes many images at two D1 queries per 500", async () => {
		// Older than any other test's images, so this test's cutoff takes only these.
		const ids = Array.from({ length: 1100 }, (_, i) => `ret-many-${i}-${crypto.randomUUID()}`);
		await Promise.all(ids.map((id, i) => plant(id, 10 + (i % 50))));
		let queries = 0;
		const counted = new Proxy(env.DB, {
			get(target, prop) {
				if (prop === "prepare") {
					queries += 1;
					return (sql: string) => target.prepare(sql);
				}
				const value = Reflect.get(target, prop);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
		const settings = { DB: counted, IMAGES: env.IMAGES, IMAGE_RETENTION_DAYS: "1" } as unknown as Env;
		expect(await deleteExpiredImages(settings, DAY + 100)).toBe(1100);
		// Three rounds (500, 500, 100), each one SELECT and one DELETE.
		expect(queries).toBe(6);
		for (const id of [ids[0], ids[549], ids[1099]] as string[]) {
			expect(await exists(id)).toEqual({ object: false, row: false });
		}
	}, 30_000); // 1,100 rows and objects planted: seconds under a loaded machine, not a timing claim.
});
