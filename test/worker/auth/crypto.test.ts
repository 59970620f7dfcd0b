import { describe, expect, it } from "vitest";
import { randomToken, sha256Hex } from "../../../src/auth/crypto";

describe("randomToken", () => {
	it("writes base64url without padding, as long as the bytes it carries", () => {
		for (const [bytes, chars] of [
			[12, 16],
			[18, 24],
			[32, 43],
			[1, 2],
			[2, 3],
		] as const) {
			const token = randomToken(bytes);
			expect(token).toMatch(new RegExp(`^[A-Za-z0-9_-]{${chars}}$`));
			// It decodes back to exactly `bytes` bytes.
			const standard = token.replace(/-/g, "+").replace(/_/g, "/");
			expect(atob(standard + "=".repeat((4 - (standard.length % 4)) % 4))).toHaveLength(bytes);
		}
		const seen = new Set(Array.from({ length: 1000 }, () => randomToken(18)));
		expect(seen.size).toBe(1000);
	});
});

describe("sha256Hex", () => {
	it("matches the known digest", async () => {
		expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	});
});
