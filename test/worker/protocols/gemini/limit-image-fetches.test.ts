import { describe, expect, it } from "vitest";
import {
	IMAGE_FETCH_CONCURRENCY,
	limitImageFetches,
	TOTAL_FETCHED_IMAGE_CHARS,
} from "../../../../src/protocols/gemini/limit-image-fetches";

describe("image fetch limits", () => {
	it("runs at most a few fetches at once", async () => {
		let running = 0;
		let peak = 0;
		const fetcher = limitImageFetches(async () => {
			running += 1;
			peak = Math.max(peak, running);
			await new Promise((resolve) => setTimeout(resolve, 5));
			running -= 1;
			return { mimeType: "image/png", data: "AAAA" };
		});
		await Promise.all(Array.from({ length: 12 }, (_, i) => fetcher(`https://img.example/${i}.png`, `p${i}`)));
		expect(peak).toBe(IMAGE_FETCH_CONCURRENCY);
	});

	it("refuses with 413 once the images of one request together pass the total", async () => {
		const big = "A".repeat(Math.floor(TOTAL_FETCHED_IMAGE_CHARS / 3));
		const fetcher = limitImageFetches(async () => ({ mimeType: "image/png", data: big }));
		const results = await Promise.allSettled(
			Array.from({ length: 5 }, (_, i) =>
				fetcher(`https://img.example/${i}.png`, `messages[0].content[${i}]`),
			),
		);
		expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
		const refused = results.find((r) => r.status === "rejected");
		expect(refused && refused.status === "rejected" && refused.reason).toMatchObject({
			status: 413,
			code: "images_too_large",
		});
	});
});
