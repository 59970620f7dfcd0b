import { beforeAll, describe, expect, it } from "vitest";
import { admin, chat, createKey, gateway, putModel, uniqueModelId } from "./helpers";

/** Catalog kinds (migration 0011): what a model answers, shown by the admin API and /v1/models. */

let key: string;

beforeAll(async () => {
	key = (await createKey()).key;
});

describe("model kinds", () => {
	it("seeds the embeddings models, input-priced, and marks the image model", async () => {
		const list = (await (await admin("/admin/models")).json()) as {
			data: Array<{ id: string; kind: string; input_price: number; output_price: number }>;
		};
		const byId = new Map(list.data.map((m) => [m.id, m]));
		expect(byId.get("openai/text-embedding-3-small")).toMatchObject({
			kind: "embeddings",
			input_price: 0.02,
			output_price: 0,
		});
		expect(byId.get("openai/text-embedding-3-large")).toMatchObject({
			kind: "embeddings",
			input_price: 0.13,
		});
		expect(byId.get("google/gemini-embedding-001")).toMatchObject({ kind: "embeddings", input_price: 0.15 });
		expect(byId.get("google/gemini-2.5-flash-image")?.kind).toBe("image");
		expect(byId.get("openai/gpt-5.5")?.kind).toBe("chat");
	});

	it("shows each model's kind in /v1/models", async () => {
		const res = await gateway("/v1/models", { headers: { authorization: `Bearer ${key}` } });
		const data = ((await res.json()) as { data: Array<{ id: string; kind: string }> }).data;
		expect(data.find((m) => m.id === "openai/text-embedding-3-small")?.kind).toBe("embeddings");
		expect(data.find((m) => m.id === "demo/echo")?.kind).toBe("chat");
	});

	it("sets a kind through PUT /admin/models, chat by default, and refuses an unknown one", async () => {
		const id = uniqueModelId("openai", "kinded");
		await putModel(id, { provider: "openai", upstream_model: "text" });
		const plain = (await (await admin("/admin/models")).json()) as {
			data: Array<{ id: string; kind: string }>;
		};
		expect(plain.data.find((m) => m.id === id)?.kind).toBe("chat");
		const bad = await admin(`/admin/models/${id}`, {
			method: "PUT",
			body: JSON.stringify({
				provider: "openai",
				upstream_model: "x",
				input_price: 1,
				output_price: 1,
				kind: "audio",
			}),
		});
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("kind");
	});

	it("refuses a chat request to an embeddings model with 400 model_not_supported, naming the model", async () => {
		const res = await chat(key, {
			model: "openai/text-embedding-3-small",
			messages: [{ role: "user", content: "Hi" }],
		});
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			error: {
				message:
					"The model 'openai/text-embedding-3-small' is an embeddings model: it cannot answer chat requests.",
				type: "invalid_request_error",
				param: "model",
				code: "model_not_supported",
			},
		});
	});
});
