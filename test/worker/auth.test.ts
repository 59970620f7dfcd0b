import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/auth/crypto";
import { kvKeyName } from "../../src/auth/lookup";
import { admin, chat, createKey, gateway, putModel, uniqueModelId } from "./helpers";

const ask = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

async function textModel(): Promise<string> {
	const id = uniqueModelId("openai", "auth");
	await putModel(id, { provider: "openai", upstream_model: "text" });
	return id;
}

describe("API keys", () => {
	it("are sk- plus at least 128 bits of randomness, shown once, stored only as a SHA-256 hash", async () => {
		const res = await admin("/admin/keys", { method: "POST", body: JSON.stringify({ name: "ci" }) });
		expect(res.status).toBe(201);
		const created = (await res.json()) as Record<string, unknown>;
		const key = String(created.key);
		expect(key).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);
		expect(created).toEqual({
			id: expect.stringMatching(/^key_/),
			name: "ci",
			prefix: key.slice(0, 10),
			models: null,
			budget_usd: null,
			budget_period: "total",
			rpm: null,
			tpm: null,
			created_at: expect.any(String),
			revoked_at: null,
			key,
		});

		const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?")
			.bind(created.id)
			.first<Record<string, unknown>>();
		expect(row?.key_hash).toBe(await sha256Hex(key));
		expect(JSON.stringify(row)).not.toContain(key);
		expect(JSON.stringify(row)).not.toContain(key.slice(10));

		const listing = await (await admin("/admin/keys")).text();
		expect(listing).toContain(String(created.id));
		expect(listing).not.toContain(key);
		expect(listing).not.toContain(String(row?.key_hash));
	});

	it("are required: missing, malformed and unknown keys get 401 in OpenAI's shape", async () => {
		const id = await textModel();
		const missing = await gateway("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask(id)) });
		expect(missing.status).toBe(401);
		expect(await missing.json()).toEqual({
			error: {
				message: "Missing API key: send it as 'Authorization: Bearer sk-…'.",
				type: "invalid_request_error",
				param: null,
				code: "invalid_api_key",
			},
		});
		for (const bad of ["sk-not-a-real-key", "not-even-sk", "Basic abc"]) {
			const res = await chat(bad, ask(id));
			expect(res.status, bad).toBe(401);
			expect(await res.json()).toEqual({
				error: {
					message: "Invalid API key.",
					type: "invalid_request_error",
					param: null,
					code: "invalid_api_key",
				},
			});
		}
	});

	it("are cached in KV by hash after the first use, and revoking deletes the entry and works at once", async () => {
		const id = await textModel();
		const { id: keyId, key } = await createKey();
		const hash = await sha256Hex(key);
		expect(await env.KEY_CACHE.get(kvKeyName(hash))).toBeNull();
		expect((await chat(key, ask(id))).status).toBe(200);
		expect(await env.KEY_CACHE.get(kvKeyName(hash), "json")).toEqual({
			id: keyId,
			name: "test",
			models: null,
			limits: { budgetUsd: null, budgetPeriod: "total", rpm: null, tpm: null },
		});

		const revoked = await admin(`/admin/keys/${keyId}`, { method: "DELETE" });
		expect(revoked.status).toBe(200);
		expect(await revoked.json()).toEqual({ id: keyId, revoked: true });
		expect(await env.KEY_CACHE.get(kvKeyName(hash))).toBeNull();
		expect((await chat(key, ask(id))).status).toBe(401);

		const listing = (await (await admin("/admin/keys")).json()) as {
			data: Array<{ id: string; revoked_at: string | null }>;
		};
		expect(listing.data.find((k) => k.id === keyId)?.revoked_at).toEqual(expect.any(String));
		expect((await admin("/admin/keys/key_nope", { method: "DELETE" })).status).toBe(404);
	});

	it("authenticate a warm isolate from memory, without KV or D1", async () => {
		const id = await textModel();
		const { id: keyId, key } = await createKey();
		expect((await chat(key, ask(id))).status).toBe(200);
		// Remove the key from both bindings behind the gateway's back: only the in-isolate cache knows it now.
		await env.KEY_CACHE.delete(kvKeyName(await sha256Hex(key)));
		await env.DB.prepare("DELETE FROM api_keys WHERE id = ?").bind(keyId).run();
		expect((await chat(key, ask(id))).status).toBe(200);
	});

	it("enforce a model allow-list with 403, and hide other models from /v1/models", async () => {
		const allowed = await textModel();
		const other = await textModel();
		const { key } = await createKey([allowed]);
		expect((await chat(key, ask(allowed))).status).toBe(200);
		const denied = await chat(key, ask(other));
		expect(denied.status).toBe(403);
		expect(await denied.json()).toEqual({
			error: {
				message: `This API key is not allowed to use the model '${other}'.`,
				type: "permission_error",
				param: "model",
				code: "model_not_allowed",
			},
		});
		const list = (await (
			await gateway("/v1/models", { headers: { authorization: `Bearer ${key}` } })
		).json()) as {
			data: Array<{ id: string }>;
		};
		expect(list.data.map((m) => m.id)).toEqual([allowed]);
	});
});

describe("the admin token", () => {
	it("is required on every admin route", async () => {
		for (const [method, path] of [
			["GET", "/admin/keys"],
			["POST", "/admin/keys"],
			["DELETE", "/admin/keys/x"],
			["GET", "/admin/models"],
			["PUT", "/admin/models/openai/x"],
			["GET", "/admin/usage"],
		] as const) {
			const none = await gateway(path, { method });
			expect(none.status, `${method} ${path}`).toBe(401);
			const wrong = await gateway(path, { method, headers: { authorization: "Bearer test-admin-tokeN" } });
			expect(wrong.status).toBe(401);
			expect(await wrong.json()).toEqual({
				error: {
					message: "Invalid admin token.",
					type: "invalid_request_error",
					param: null,
					code: "invalid_admin_token",
				},
			});
		}
	});

	it("is not accepted as an API key, and an API key is not an admin token", async () => {
		const { key } = await createKey();
		expect((await gateway("/admin/keys", { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
		expect((await chat("test-admin-token", ask("openai/gpt-5.5"))).status).toBe(401);
	});
});
