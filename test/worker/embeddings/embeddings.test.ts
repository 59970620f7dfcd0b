import { beforeAll, describe, expect, it } from "vitest";
import { fakeTokenCount, fakeVector, float32Base64 } from "../../fakes/scenarios/embeddings";
import { createKey, gateway, putModel, uniqueModelId, usageRow } from "../helpers";

/**
 * POST /v1/embeddings: OpenAI-protocol embeddings models pass through to the fake's /v1/embeddings
 * (seeded catalog model openai/text-embedding-3-small); a provider with no embeddings API
 * (Anthropic) is refused. Gemini's models: gemini-embeddings.test.ts.
 */

let key: string;
const MODEL = "openai/text-embedding-3-small";

function embed(body: unknown): Promise<Response> {
	return gateway("/v1/embeddings", {
		method: "POST",
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
		body: JSON.stringify(body),
	});
}

beforeAll(async () => {
	key = (await createKey()).key;
});

describe("POST /v1/embeddings", () => {
	it("passes an OpenAI embeddings model through: the vectors in input order, the catalog id, usage recorded", async () => {
		const input = ["Héllo", "world, again"];
		const res = await embed({ model: MODEL, input });
		expect(res.status, await res.clone().text()).toBe(200);
		const gateId = res.headers.get("x-request-id") ?? "";
		const tokens = input.reduce((sum, text) => sum + fakeTokenCount(text), 0);
		expect(await res.json()).toEqual({
			object: "list",
			data: input.map((text, index) => ({ object: "embedding", index, embedding: fakeVector(text) })),
			model: MODEL,
			usage: { prompt_tokens: tokens, total_tokens: tokens },
		});
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "embeddings",
			model: MODEL,
			prompt_tokens: tokens,
			completion_tokens: 0,
			total_tokens: tokens,
			// Input-only pricing: 0.02 $ per million input tokens (migration 0011).
			cost_usd: Math.round(((tokens * 0.02) / 1e6) * 1e9) / 1e9,
			outcome: "ok",
		});
	});

	it("passes base64 through as the upstream encoded it (little-endian float32)", async () => {
		const res = await embed({ model: MODEL, input: "Héllo", encoding_format: "base64" });
		const body = (await res.json()) as { data: Array<{ embedding: unknown }> };
		expect(body.data[0]?.embedding).toBe(float32Base64(fakeVector("Héllo")));
	});

	it("refuses a chat model, and an embeddings model of a provider with no embeddings API, naming the model", async () => {
		const chat = await embed({ model: "openai/gpt-5.5", input: "Hi" });
		expect(chat.status).toBe(400);
		expect(await chat.json()).toEqual({
			error: {
				message: "The model 'openai/gpt-5.5' is a chat model: it cannot answer embeddings requests.",
				type: "invalid_request_error",
				param: "model",
				code: "model_not_supported",
			},
		});
		expect(await usageRow(chat.headers.get("x-request-id") ?? "")).toMatchObject({
			ingress: "embeddings",
			outcome: "rejected",
			status: 400,
			error_code: "model_not_supported",
		});

		// Anthropic has no embeddings API: a catalog row saying otherwise is refused when asked.
		const claude = uniqueModelId("anthropic", "embed");
		await putModel(claude, {
			provider: "anthropic",
			upstream_model: "claude-embed",
			kind: "embeddings",
			input_price: 0.1,
			output_price: 0,
		});
		const anthropic = await embed({ model: claude, input: "Hi" });
		expect(anthropic.status).toBe(400);
		expect(await anthropic.json()).toEqual({
			error: {
				message: `The model '${claude}' cannot answer embeddings requests: its provider has no embeddings API this gateway speaks.`,
				type: "invalid_request_error",
				param: "model",
				code: "model_not_supported",
			},
		});
		expect(await usageRow(anthropic.headers.get("x-request-id") ?? "")).toMatchObject({
			ingress: "embeddings",
			model: claude,
			provider: "anthropic",
			outcome: "rejected",
			status: 400,
			error_code: "model_not_supported",
			attempts: "[]",
		});
	});

	it("refuses empty, mixed and too many inputs with a 400, each leaving a usage row", async () => {
		for (const input of [[], "", ["a", ""], ["a", 1], [[]]]) {
			const res = await embed({ model: MODEL, input });
			expect(res.status, JSON.stringify(input)).toBe(400);
			const body = (await res.json()) as { error: { param: string | null } };
			expect(body.error.param, JSON.stringify(input)).toMatch(/^input/);
			expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({
				ingress: "embeddings",
				outcome: "rejected",
				status: 400,
			});
		}
		const tooMany = await embed({ model: MODEL, input: Array.from({ length: 2049 }, () => "x") });
		expect(tooMany.status).toBe(400);
		expect(((await tooMany.json()) as { error: unknown }).error).toMatchObject({
			param: "input",
			code: "too_many_inputs",
		});
	});
});
