import { describe, expect, it } from "vitest";
import { secondsToNextMonth } from "../../src/limits/key-limits";
import { admin, chat, putModel, uniqueModelId } from "./helpers";

async function textModel(prices = { input_price: 1, output_price: 2 }): Promise<string> {
	const id = uniqueModelId("openai", "limits");
	await putModel(id, { provider: "openai", upstream_model: "text", ...prices });
	return id;
}

async function keyWith(limits: object): Promise<{ id: string; key: string }> {
	const res = await admin("/admin/keys", {
		method: "POST",
		body: JSON.stringify({ name: "limited", ...limits }),
	});
	expect(res.status).toBe(201);
	return (await res.json()) as { id: string; key: string };
}

const ask = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

/** Limits are booked after the response (waitUntil): retry until the expected refusal shows. */
async function untilStatus(send: () => Promise<Response>, status: number): Promise<Response> {
	for (let i = 0; i < 50; i++) {
		const res = await send();
		if (res.status === status) return res;
		await res.body?.cancel();
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`never got ${status}`);
}

describe("per-key limits", () => {
	it("lets exactly rpm requests through out of 50 concurrent ones", async () => {
		const model = await textModel();
		const { key } = await keyWith({ rpm: 10 });
		const responses = await Promise.all(Array.from({ length: 50 }, () => chat(key, ask(model))));
		const statuses = responses.map((r) => r.status);
		expect(statuses.filter((s) => s === 200)).toHaveLength(10);
		expect(statuses.filter((s) => s === 429)).toHaveLength(40);
		const refused = responses.find((r) => r.status === 429);
		expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
		expect(Number(refused?.headers.get("retry-after"))).toBeLessThanOrEqual(60);
		expect(await refused?.json()).toEqual({
			error: {
				message: "Rate limit reached: this API key may make 10 requests per minute.",
				type: "rate_limit_error",
				param: null,
				code: "rate_limit_exceeded",
			},
		});
		await Promise.all(responses.filter((r) => r !== refused).map((r) => r.body?.cancel()));
	});

	it("refuses new requests once the last minute's tokens reach tpm", async () => {
		const model = await textModel();
		const { key } = await keyWith({ tpm: 20 });
		// The fake answers with 29 tokens: the first request is admitted and carries the key past 20.
		expect((await chat(key, ask(model))).status).toBe(200);
		const refused = await untilStatus(() => chat(key, ask(model)), 429);
		expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
			"Rate limit reached: this API key may use 20 tokens per minute.",
		);
	});

	it("refuses with insufficient_quota once a total budget is spent, without retry-after", async () => {
		// 19 prompt tokens at $1/M plus 10 completion tokens at $2/M: $0.000039 a request.
		const model = await textModel();
		const { key } = await keyWith({ budget_usd: 0.00005 });
		expect((await chat(key, ask(model))).status).toBe(200);
		expect((await chat(key, ask(model))).status).toBe(200);
		const refused = await untilStatus(() => chat(key, ask(model)), 429);
		expect(refused.headers.get("retry-after")).toBeNull();
		expect(await refused.json()).toEqual({
			error: {
				message: "This API key has spent its budget of $0.00005.",
				type: "insufficient_quota",
				param: null,
				code: "insufficient_quota",
			},
		});
	});

	it("gives a monthly budget's refusal a retry-after of the time left in the UTC month", async () => {
		const model = await textModel();
		const { key } = await keyWith({ budget_usd: 0.00001, budget_period: "monthly" });
		expect((await chat(key, ask(model))).status).toBe(200);
		const refused = await untilStatus(() => chat(key, ask(model)), 429);
		const retryAfter = Number(refused.headers.get("retry-after"));
		expect(Math.abs(retryAfter - secondsToNextMonth(Date.now()))).toBeLessThanOrEqual(5);
	});

	it("PATCH /admin/keys/:id changes limits with effect on the next request; null removes a limit", async () => {
		const model = await textModel();
		const { id, key } = await keyWith({});
		const patch = (body: object) =>
			admin(`/admin/keys/${id}`, { method: "PATCH", body: JSON.stringify(body) });
		expect((await chat(key, ask(model))).status).toBe(200);

		const limited = await patch({ rpm: 1, budget_usd: 5, budget_period: "monthly" });
		expect(limited.status).toBe(200);
		expect(await limited.json()).toMatchObject({
			id,
			name: "limited",
			rpm: 1,
			tpm: null,
			budget_usd: 5,
			budget_period: "monthly",
		});
		expect((await chat(key, ask(model))).status).toBe(200);
		expect((await chat(key, ask(model))).status).toBe(429);

		const lifted = await patch({ rpm: null, name: "renamed" });
		expect(await lifted.json()).toMatchObject({ name: "renamed", rpm: null, budget_usd: 5 });
		expect((await chat(key, ask(model))).status).toBe(200);
	});

	it("PATCH validates its body and answers 404 for an unknown key", async () => {
		const { id } = await keyWith({});
		const bad = await admin(`/admin/keys/${id}`, { method: "PATCH", body: JSON.stringify({ rpm: 0 }) });
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("rpm");
		const period = await admin(`/admin/keys/${id}`, {
			method: "PATCH",
			body: JSON.stringify({ budget_period: "weekly" }),
		});
		expect(((await period.json()) as { error: { param: string } }).error.param).toBe("budget_period");
		const unknown = await admin("/admin/keys/key_nobody", {
			method: "PATCH",
			body: JSON.stringify({ rpm: 5 }),
		});
		expect(unknown.status).toBe(404);
	});
});
