import { describe, expect, it } from "vitest";
import { newGateId } from "../../src/middleware";
import { GATE_ID } from "../shared/patterns";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("newGateId", () => {
	it("is gate-, the time in base 36 and 20 random characters", () => {
		const before = Date.now();
		const id = newGateId();
		const after = Date.now();
		expect(id).toMatch(GATE_ID);
		// workerd's clock usually stands still between I/O, but may move on a millisecond in between.
		const time = Number.parseInt(id.slice(5, 14), 36);
		expect(time).toBeGreaterThanOrEqual(before);
		expect(time).toBeLessThanOrEqual(after);
		expect(new Set(Array.from({ length: 1000 }, newGateId)).size).toBe(1000);
	});

	it("sorts as the time it was made, byte by byte as SQLite compares text", async () => {
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) {
			ids.push(newGateId());
			// workerd moves its clock on only across I/O such as a timer.
			await pause(2);
		}
		const bytewise = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
		expect(bytewise).toEqual(ids);
		expect(new Set(ids.map((id) => id.slice(5, 14))).size).toBe(5);
	});
});
