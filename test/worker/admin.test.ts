import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { USAGE } from "../fakes/scenarios/openai";
import { admin, chat, createKey, gateway, putModel, uniqueModelId, usageRow } from "./helpers";

describe("admin: models", () => {
	it("PUT creates and updates a catalog entry; GET lists it with the seeded defaults", async () => {
		const id = uniqueModelId("openai", "catalog");
		const body = {
			provider: "openai",
			upstream_model: "gpt-5.5",
			enabled: true,
			input_price: 1.25,
			output_price: 10,
			capabilities: { vision: true, tools: true, json: true, image_output: false },
		};
		const created = await admin(`/admin/models/${id}`, { method: "PUT", body: JSON.stringify(body) });
		expect(created.status).toBe(200);
		const expected = {
			id,
			...body,
			cached_input_price: null,
			cache_write_price: null,
			cache_write_1h_price: null,
			kind: "chat",
			max_output_tokens: 8192,
			fallbacks: [],
		};
		expect(await created.json()).toEqual(expected);

		const updated = await admin(`/admin/models/${id}`, {
			method: "PUT",
			body: JSON.stringify({
				...body,
				enabled: false,
				cached_input_price: 0.125,
				cache_write_price: 1.5625,
				cache_write_1h_price: 2.5,
				capabilities: { vision: true },
			}),
		});
		expect(await updated.json()).toEqual({
			...expected,
			enabled: false,
			cached_input_price: 0.125,
			cache_write_price: 1.5625,
			cache_write_1h_price: 2.5,
			capabilities: { vision: true, tools: false, json: false, image_output: false },
		});

		const list = (await (await admin("/admin/models")).json()) as {
			data: Array<{ id: string; enabled: boolean; cache_write_price: number | null }>;
		};
		expect(list.data.find((m) => m.id === id)).toMatchObject({ enabled: false, cache_write_price: 1.5625 });
		// The seeded Claude models carry Anthropic's cache-write price (migration 0009), the others none.
		const writePrice = (model: string) => list.data.find((m) => m.id === model)?.cache_write_price;
		expect(writePrice("anthropic/claude-sonnet-4-5")).toBe(3.75);
		expect(writePrice("openai/gpt-5.5")).toBeNull();
		const write1hPrice = (model: string) =>
			(list.data.find((m) => m.id === model) as { cache_write_1h_price?: number | null } | undefined)
				?.cache_write_1h_price;
		expect(write1hPrice("anthropic/claude-sonnet-4-5")).toBe(6);
		expect(write1hPrice("openai/gpt-5.5")).toBeNull();

		// Leaving it out of a later PUT clears it, as for every optional field: back to the input price.
		const cleared = await admin(`/admin/models/${id}`, { method: "PUT", body: JSON.stringify(body) });
		expect(((await cleared.json()) as { cache_write_price: unknown }).cache_write_price).toBeNull();
		for (const seeded of ["openai/gpt-5.5", "anthropic/claude-sonnet-4-5", "google/gemini-2.5-flash-image"]) {
			expect(list.data.map((m) => m.id)).toContain(seeded);
		}
	});

	it("rejects bad bodies, unknown providers and ids that do not start with their provider", async () => {
		const put = (path: string, body: unknown) => admin(path, { method: "PUT", body: JSON.stringify(body) });
		const base = { provider: "openai", upstream_model: "x", input_price: 1, output_price: 1 };
		const negative = await put("/admin/models/openai/x", { ...base, input_price: -1 });
		expect(negative.status).toBe(400);
		expect(((await negative.json()) as { error: { param: string } }).error.param).toBe("input_price");
		const negativeWrite = await put("/admin/models/openai/x", { ...base, cache_write_price: -0.5 });
		expect(negativeWrite.status).toBe(400);
		expect(((await negativeWrite.json()) as { error: { param: string } }).error.param).toBe(
			"cache_write_price",
		);
		const extra = await put("/admin/models/openai/x", { ...base, colour: "red" });
		expect(extra.status).toBe(400);
		const unknown = await put("/admin/models/nobody/x", { ...base, provider: "nobody" });
		expect(await unknown.json()).toEqual({
			error: {
				message: "Unknown provider 'nobody'. Configure it in PROVIDERS first.",
				type: "invalid_request_error",
				param: "provider",
				code: "unknown_provider",
			},
		});
		const mismatch = await put("/admin/models/anthropic/x", base);
		expect(mismatch.status).toBe(400);
		expect(((await mismatch.json()) as { error: { param: string } }).error.param).toBe("provider");
	});
});

describe("admin: keys", () => {
	it("validates the body and stores the allow-list", async () => {
		const bad = await admin("/admin/keys", { method: "POST", body: JSON.stringify({ models: "all" }) });
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("name");
		const created = await admin("/admin/keys", {
			method: "POST",
			body: JSON.stringify({ name: "limited", models: ["openai/gpt-5.5"] }),
		});
		expect(((await created.json()) as { models: string[] }).models).toEqual(["openai/gpt-5.5"]);
	});
});

describe("admin: usage", () => {
	it("aggregates requests, tokens and cost per model, key and day, with filters", async () => {
		const a = uniqueModelId("openai", "usage-a");
		const b = uniqueModelId("openai", "usage-b");
		await putModel(a, { provider: "openai", upstream_model: "text", input_price: 1, output_price: 2 });
		await putModel(b, { provider: "openai", upstream_model: "text", input_price: 10, output_price: 20 });
		const { key, id: keyId } = await createKey();
		const ids: string[] = [];
		for (const model of [a, a, b]) {
			const res = await chat(key, { model, messages: [{ role: "user", content: "hi" }] });
			expect(res.status).toBe(200);
			ids.push(res.headers.get("x-request-id") ?? "");
		}
		for (const id of ids) await usageRow(id);
		const { prompt_tokens, completion_tokens, total_tokens } = USAGE;
		const costA = (prompt_tokens * 1 + completion_tokens * 2) / 1e6;
		const costB = (prompt_tokens * 10 + completion_tokens * 20) / 1e6;

		const byModel = (await (await admin(`/admin/usage?group_by=model&key_id=${keyId}`)).json()) as {
			data: unknown[];
		};
		expect(byModel.data).toEqual(
			[
				{
					group: a,
					requests: 2,
					prompt_tokens: 2 * prompt_tokens,
					completion_tokens: 2 * completion_tokens,
					total_tokens: 2 * total_tokens,
					cost: 2 * costA,
					errors: 0,
				},
				{ group: b, requests: 1, prompt_tokens, completion_tokens, total_tokens, cost: costB, errors: 0 },
			].sort((x, y) => x.group.localeCompare(y.group)),
		);

		const byKey = (await (
			await admin(`/admin/usage?group_by=key&model=${encodeURIComponent(a)}`)
		).json()) as { data: unknown[] };
		expect(byKey.data).toEqual([
			{
				group: keyId,
				requests: 2,
				prompt_tokens: 2 * prompt_tokens,
				completion_tokens: 2 * completion_tokens,
				total_tokens: 2 * total_tokens,
				cost: 2 * costA,
				errors: 0,
				key_name: "test",
			},
		]);

		const today = new Date().toISOString().slice(0, 10);
		const byDay = (await (await admin(`/admin/usage?group_by=day&key_id=${keyId}`)).json()) as {
			data: unknown[];
		};
		expect(byDay.data).toEqual([
			{
				group: today,
				requests: 3,
				prompt_tokens: 3 * prompt_tokens,
				completion_tokens: 3 * completion_tokens,
				total_tokens: 3 * total_tokens,
				cost: 2 * costA + costB,
				errors: 0,
			},
		]);

		const future = (await (await admin(`/admin/usage?key_id=${keyId}&from=2999-01-01`)).json()) as {
			data: unknown[];
		};
		expect(future.data).toEqual([]);
		const past = (await (await admin(`/admin/usage?key_id=${keyId}&to=2000-01-01T00:00:00Z`)).json()) as {
			data: unknown[];
		};
		expect(past.data).toEqual([]);
	});

	it("rejects unknown groupings and unparseable dates", async () => {
		const res = await admin("/admin/usage?group_by=colour");
		expect(res.status).toBe(400);
		expect(((await res.json()) as { error: { param: string } }).error.param).toBe("group_by");
		const date = await admin("/admin/usage?from=yesterday");
		expect(((await date.json()) as { error: { param: string } }).error.param).toBe("from");
	});
});

describe("GET /v1/models", () => {
	it("lists enabled models in OpenAI's list format, the demo model included when enabled", async () => {
		const enabled = uniqueModelId("openai", "listed");
		const disabled = uniqueModelId("openai", "hidden");
		await putModel(enabled, { provider: "openai", upstream_model: "text" });
		await putModel(disabled, { provider: "openai", upstream_model: "text", enabled: false });
		const { key } = await createKey();
		const res = await gateway("/v1/models", { headers: { authorization: `Bearer ${key}` } });
		expect(res.status).toBe(200);
		const body = (await res.json()) as { object: string; data: Array<{ id: string }> };
		expect(body.object).toBe("list");
		const ids = body.data.map((m) => m.id);
		expect(ids).toContain(enabled);
		expect(ids).not.toContain(disabled);
		expect(ids).toContain("demo/echo");
		expect(body.data.find((m) => m.id === enabled)).toEqual({
			id: enabled,
			object: "model",
			created: expect.any(Number),
			owned_by: "openai",
			kind: "chat",
		});
		expect((await gateway("/v1/models")).status).toBe(401);
	});
});

describe("the demo model", () => {
	it("answers without any provider, streamed or not, and records usage at zero cost", async () => {
		const { key } = await createKey();
		const res = await chat(key, { model: "demo/echo", messages: [{ role: "user", content: "ping" }] });
		expect(res.status).toBe(200);
		const body = (await res.json()) as { model: string; choices: Array<{ message: { content: string } }> };
		expect(body.model).toBe("demo/echo");
		expect(body.choices[0]?.message.content).toBe("Echo: ping");
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ model: "demo/echo", provider: "demo", cost_usd: 0, outcome: "ok" });
		const streamed = await chat(key, {
			model: "demo/echo",
			stream: true,
			messages: [{ role: "user", content: "ping" }],
		});
		expect(await streamed.text()).toContain('"content":"ping"');
		expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM models WHERE id = 'demo/echo'").first("n")).toBe(
			0,
		);
	});
});
