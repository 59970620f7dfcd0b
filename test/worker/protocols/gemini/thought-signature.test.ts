import { describe, expect, it } from "vitest";
import { mintToolCallId, readSignature } from "../../../../src/protocols/gemini/thought-signature";

describe("thought signatures carried in tool call ids", () => {
	it("mints plain call ids when there is no signature", () => {
		const id = mintToolCallId();
		expect(id).toMatch(/^call_[A-Za-z0-9]{24}$/);
		expect(readSignature(id)).toBeUndefined();
		expect(new Set(Array.from({ length: 200 }, () => mintToolCallId())).size).toBe(200);
	});

	it("round-trips canonical base64 signatures through a URL-safe id", () => {
		for (const signature of [
			"EpwI+/8=",
			"EpwI+/8A",
			"AB==",
			"EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nr",
		]) {
			const id = mintToolCallId(signature);
			expect(id).toMatch(/^call_[A-Za-z0-9]{24}_ts_[A-Za-z0-9_-]+$/);
			expect(readSignature(id)).toBe(signature);
		}
	});

	it("round-trips any other string exactly, such as the documented validator bypass", () => {
		for (const signature of [
			"skip_thought_signature_validator",
			"live-image-thought-signature",
			"AB=",
			"ü",
		]) {
			const id = mintToolCallId(signature);
			expect(id).toMatch(/^call_[A-Za-z0-9]{24}_tr_[A-Za-z0-9_-]+$/);
			expect(readSignature(id)).toBe(signature);
		}
	});

	it("carries a large signature (several KB)", () => {
		const bytes = crypto.getRandomValues(new Uint8Array(4096));
		const signature = btoa(String.fromCharCode(...bytes));
		expect(readSignature(mintToolCallId(signature))).toBe(signature);
	});

	it("reads nothing from ids it did not mint or that were damaged", () => {
		expect(readSignature("toolu_01ABC")).toBeUndefined();
		expect(readSignature("call_abc_ts_AAAA")).toBeUndefined();
		expect(readSignature(`call_${"a".repeat(24)}_ts_`)).toBeUndefined();
		expect(readSignature(`call_${"a".repeat(24)}_ts_not+url`)).toBeUndefined();
		expect(readSignature(`call_${"a".repeat(24)}_tr_${"_".repeat(3)}`)).toBeUndefined();
	});
});
