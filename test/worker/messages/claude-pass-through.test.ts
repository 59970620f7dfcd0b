import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	ANTHROPIC_KEY,
	CACHED_TEXT,
	CACHED_USAGE,
	PARTIAL_TEXT,
	RATE_LIMITED_RETRY_AFTER,
	TEXT,
	TEXT_USAGE,
} from "../../fakes/scenarios/anthropic";
import { GATE_ID } from "../../shared/patterns";
import { createKey, gateway, putModel, uniqueModelId, usageRow } from "../helpers";
import { messages, namedEvents } from "./helpers";

/**
 * Claude models behind /v1/messages: the body goes to the fake Anthropic API as the client sent it
 * (only `model` mapped), and the answer comes back as Anthropic sent it, only the message id and
 * model rewritten. Byte-faithfulness is checked against the fake's own answer to the same request.
 */

let key: string;
const models = new Map<string, string>();
// input 1 $/M, output 2 $/M, cache reads 0.5 $/M, cache writes 1.25 $/M (to a 1-hour cache 2 $/M).
const PRICES = {
	input_price: 1,
	output_price: 2,
	cached_input_price: 0.5,
	cache_write_price: 1.25,
	cache_write_1h_price: 2,
};

async function model(scenario: string): Promise<string> {
	let id = models.get(scenario);
	if (!id) {
		id = uniqueModelId("anthropic", scenario);
		await putModel(id, { provider: "anthropic", upstream_model: scenario, ...PRICES });
		models.set(scenario, id);
	}
	return id;
}

/** The fake Anthropic API asked directly, as the gateway would ask it. */
function upstream(body: Record<string, unknown>): Promise<Response> {
	return fetch(`${env.ANTHROPIC_BASE_URL}/v1/messages`, {
		method: "POST",
		headers: {
			"x-api-key": ANTHROPIC_KEY,
			"anthropic-version": "2023-06-01",
			"content-type": "application/json",
		},
		body: JSON.stringify(body),
	});
}

const hello = [{ role: "user", content: "Hello" }];

beforeAll(async () => {
	key = (await createKey()).key;
});

describe("POST /v1/messages to a Claude model (pass-through)", () => {
	it("answers with Anthropic's message, stamped with the gateway's id and the catalog model, and records it", async () => {
		const id = await model("text");
		const res = await messages(key, { model: id, max_tokens: 100, messages: hello });
		expect(res.status).toBe(200);
		const gateId = res.headers.get("x-request-id") ?? "";
		expect(gateId).toMatch(GATE_ID);
		expect(await res.json()).toEqual({
			id: gateId,
			type: "message",
			role: "assistant",
			model: id,
			content: [{ type: "text", text: TEXT }],
			stop_reason: "end_turn",
			usage: TEXT_USAGE,
			stop_sequence: null,
		});
		const row = await usageRow(gateId);
		expect(row).toMatchObject({
			ingress: "messages",
			model: id,
			provider: "anthropic",
			upstream_model: "text",
			prompt_tokens: 21,
			completion_tokens: 9,
			outcome: "ok",
			status: 200,
			streamed: 0,
		});
	});

	it("streams Anthropic's events byte for byte, but for message_start's id and model", async () => {
		const id = await model("text");
		const body = { model: id, max_tokens: 100, messages: hello, stream: true };
		const [res, direct] = await Promise.all([
			messages(key, body),
			upstream({ ...body, model: "text" }).then((r) => r.text()),
		]);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
		const gateId = res.headers.get("x-request-id") ?? "";
		const raw = await res.text();
		const expected = direct
			.replace('"id":"msg_fake"', `"id":"${gateId}"`)
			.replace('"model":"text"', `"model":"${id}"`);
		expect(raw).toBe(expected);
		// The fake pads data lines and sends pings: they survive.
		expect(raw).toContain('event: ping\ndata: {"type": "ping"}\n\n');
		const events = namedEvents(raw);
		expect(events.map((e) => e.event)).toEqual(events.map((e) => (e.data as { type: string }).type));
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "messages",
			prompt_tokens: 21,
			completion_tokens: 9,
			streamed: 1,
			outcome: "ok",
		});
	});

	it("records cache reads and writes, each at its own price, writes to a 1-hour cache at theirs", async () => {
		const id = await model("cached");
		for (const stream of [false, true]) {
			const res = await messages(key, { model: id, max_tokens: 100, messages: hello, stream });
			const gateId = res.headers.get("x-request-id") ?? "";
			if (stream) {
				const start = namedEvents(await res.text())[0]?.data as { message: { usage: unknown } };
				expect(start.message.usage).toEqual({ ...CACHED_USAGE, output_tokens: 1 });
			} else {
				const answer = (await res.json()) as { content: unknown; usage: unknown };
				expect(answer.content).toEqual([{ type: "text", text: CACHED_TEXT }]);
				expect(answer.usage).toEqual(CACHED_USAGE);
			}
			const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } =
				CACHED_USAGE;
			const { ephemeral_5m_input_tokens, ephemeral_1h_input_tokens } = CACHED_USAGE.cache_creation;
			const prompt = input_tokens + cache_creation_input_tokens + cache_read_input_tokens;
			expect(await usageRow(gateId)).toMatchObject({
				prompt_tokens: prompt,
				cached_tokens: cache_read_input_tokens,
				cache_creation_tokens: cache_creation_input_tokens,
				completion_tokens: output_tokens,
				cost_usd:
					Math.round(
						((input_tokens * 1 +
							cache_read_input_tokens * 0.5 +
							ephemeral_5m_input_tokens * 1.25 +
							ephemeral_1h_input_tokens * 2 +
							output_tokens * 2) /
							1e6) *
							1e9,
					) / 1e9,
			});
		}
	});

	it("sends the client's body upstream untouched but for the model, with its anthropic-beta, Bearer auth and ?beta=true", async () => {
		const id = await model("echo-request");
		const body = {
			model: id,
			max_tokens: 300,
			system: [
				{ type: "text", text: "You are a coding agent.", cache_control: { type: "ephemeral" } },
				{ type: "text", text: "Be precise." },
			],
			messages: [
				{
					role: "user",
					content: [
						{ type: "text", text: "Read the file.", cache_control: { type: "ephemeral", ttl: "1h" } },
					],
				},
			],
			tools: [
				{
					name: "Read",
					description: "Reads a file.",
					input_schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
					cache_control: { type: "ephemeral" },
				},
				{ type: "web_search_20250305", name: "web_search", max_uses: 3 },
			],
			tool_choice: { type: "auto", disable_parallel_tool_use: true },
			metadata: { user_id: "user_abc_account_def_session_ghi" },
			temperature: 0.2,
			top_k: 40,
			stop_sequences: ["\n\nHuman:"],
		};
		const res = await messages(key, body, {
			path: "/v1/messages?beta=true",
			headers: {
				"x-api-key": "",
				authorization: `Bearer ${key}`,
				"anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
			},
		});
		expect(res.status, await res.clone().text()).toBe(200);
		const answer = (await res.json()) as { content: Array<{ text: string }> };
		const echoed = JSON.parse(answer.content[0]?.text ?? "") as { headers: unknown; body: unknown };
		expect(echoed.body).toEqual({ ...body, model: "echo-request" });
		expect(echoed.headers).toEqual({
			"anthropic-version": "2023-06-01",
			"content-type": "application/json",
			"anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
		});
	});

	it("keeps thinking blocks that carry only a signature, and redacted thinking, in the history it sends (LiteLLM #41361)", async () => {
		const id = await model("echo-request");
		const history = [
			{ role: "user", content: "What is 6 × 7?" },
			{
				role: "assistant",
				content: [
					{ type: "thinking", thinking: "", signature: "EqQBCkYIBxgCKkA-only-a-signature" },
					{ type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4" },
					{ type: "text", text: "42" },
				],
			},
			{ role: "user", content: "And 7 × 8?" },
		];
		const res = await messages(key, { model: id, max_tokens: 2000, messages: history });
		expect(res.status, await res.clone().text()).toBe(200);
		const answer = (await res.json()) as { content: Array<{ text: string }> };
		const echoed = JSON.parse(answer.content[0]?.text ?? "") as { body: Record<string, unknown> };
		expect(echoed.body.messages).toEqual(history);
	});

	it("drops the unsigned thinking a translated model's answer left in the history, which Claude would refuse", async () => {
		const id = await model("echo-request");
		const fromGemini = { type: "thinking", thinking: "Gemini's reasoning.", signature: "" };
		const history = (thinking: unknown[]) => [
			{ role: "user", content: "Hi" },
			{ role: "assistant", content: [...thinking, { type: "text", text: "Hello!" }] },
			{ role: "user", content: "Go on." },
		];
		const res = await messages(key, { model: id, max_tokens: 50, messages: history([fromGemini]) });
		expect(res.status, await res.clone().text()).toBe(200);
		const answer = (await res.json()) as { content: Array<{ text: string }> };
		const echoed = JSON.parse(answer.content[0]?.text ?? "") as { body: Record<string, unknown> };
		expect(echoed.body.messages).toEqual(history([]));
	});

	it("resolves fallbacks named the way Claude Code names models, as it does the model", async () => {
		const name = `fallback-${crypto.randomUUID().slice(0, 8)}`;
		await putModel(`anthropic/${name}`, { provider: "anthropic", upstream_model: "text", ...PRICES });
		const res = await messages(
			key,
			{ model: await model("overloaded"), max_tokens: 10, messages: hello },
			{ headers: { "x-aigate-fallbacks": `${name}-20251001` } },
		);
		expect(res.status, await res.clone().text()).toBe(200);
		expect(((await res.json()) as { model: string }).model).toBe(`anthropic/${name}`);
	});

	it("moves role:system messages into the top-level system, where the Messages API wants them", async () => {
		const id = await model("echo-request");
		const res = await messages(key, {
			model: id,
			max_tokens: 50,
			system: "First.",
			messages: [
				{ role: "system", content: "Second." },
				{ role: "user", content: "Hi" },
			],
		});
		expect(res.status, await res.clone().text()).toBe(200);
		const answer = (await res.json()) as { content: Array<{ text: string }> };
		const echoed = JSON.parse(answer.content[0]?.text ?? "") as { body: Record<string, unknown> };
		expect(echoed.body.system).toEqual([
			{ type: "text", text: "First." },
			{ type: "text", text: "Second." },
		]);
		expect(echoed.body.messages).toEqual([{ role: "user", content: "Hi" }]);
	});

	it("finds a Claude Code model name (bare, with a snapshot date) in the catalog as anthropic/<name>", async () => {
		const name = `alias-${crypto.randomUUID().slice(0, 8)}`;
		await putModel(`anthropic/${name}`, { provider: "anthropic", upstream_model: "text", ...PRICES });
		for (const asked of [name, `${name}-20250929`]) {
			const res = await messages(key, { model: asked, max_tokens: 10, messages: hello });
			expect(res.status).toBe(200);
			expect(((await res.json()) as { model: string }).model).toBe(`anthropic/${name}`);
		}
	});

	it("reports an in-band overloaded error mid-stream as Anthropic's error event, and records the failure", async () => {
		const id = await model("error-midstream");
		const res = await messages(key, { model: id, max_tokens: 100, messages: hello, stream: true });
		expect(res.status).toBe(200);
		const gateId = res.headers.get("x-request-id") ?? "";
		const events = namedEvents(await res.text());
		expect(events.at(-1)).toEqual({
			event: "error",
			data: {
				type: "error",
				error: {
					type: "overloaded_error",
					message: "The upstream provider is temporarily overloaded; retry later.",
				},
			},
		});
		const text = events
			.map((e) => e.data as { delta?: { text?: string } })
			.map((d) => d.delta?.text ?? "")
			.join("");
		expect(text).toBe(PARTIAL_TEXT);
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "messages",
			outcome: "upstream_error",
			status: 503,
		});
	});

	it("ends a stream the upstream cut short with an error event, never as if complete", async () => {
		const id = await model("truncated");
		const res = await messages(key, { model: id, max_tokens: 100, messages: hello, stream: true });
		const events = namedEvents(await res.text());
		expect(events.map((e) => e.event)).not.toContain("message_stop");
		expect(events.at(-1)).toMatchObject({
			event: "error",
			data: { type: "error", error: { type: "api_error" } },
		});
	});
});

describe("/v1/messages errors, in Anthropic's shape", () => {
	const errorOf = async (res: Response) => ({ status: res.status, body: await res.json() });

	it("401 authentication_error without a key or with a wrong one", async () => {
		for (const headers of [{ "x-api-key": "" }, { "x-api-key": "sk-wrong" }]) {
			const res = await messages("", { model: "x", max_tokens: 1, messages: hello }, { headers });
			const { status, body } = await errorOf(res);
			expect(status).toBe(401);
			expect(body).toMatchObject({ type: "error", error: { type: "authentication_error" } });
		}
	});

	it("404 not_found_error for an unknown model, 403 permission_error for one the key may not use", async () => {
		expect(
			await errorOf(await messages(key, { model: "nope/nope", max_tokens: 1, messages: hello })),
		).toEqual({
			status: 404,
			body: {
				type: "error",
				error: {
					type: "not_found_error",
					message: "The model 'nope/nope' does not exist or is not enabled on this gateway.",
				},
			},
		});
		const limited = await createKey(["openai/some-other"]);
		const id = await model("text");
		const denied = await errorOf(await messages(limited.key, { model: id, max_tokens: 1, messages: hello }));
		expect(denied).toEqual({
			status: 403,
			body: {
				type: "error",
				error: { type: "permission_error", message: `This API key is not allowed to use the model '${id}'.` },
			},
		});
	});

	it("400 invalid_request_error for a body that is not a Messages request, with the field named", async () => {
		const { status, body } = await errorOf(await messages(key, { model: "m", messages: hello }));
		expect(status).toBe(400);
		expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
		expect((body as { error: { message: string } }).error.message).toContain("max_tokens");
		const notJson = await errorOf(await messages(key, "{nope"));
		expect(notJson.status).toBe(400);
		expect(notJson.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
	});

	it("429 rate_limit_error with retry-after from a rate-limited Claude upstream; the upstream's words stay hidden", async () => {
		const id = await model("rate-limited");
		const res = await messages(key, { model: id, max_tokens: 1, messages: hello });
		expect(res.status).toBe(429);
		expect(res.headers.get("retry-after")).toBe(RATE_LIMITED_RETRY_AFTER);
		expect(await res.json()).toEqual({
			type: "error",
			error: {
				type: "rate_limit_error",
				message: "The upstream provider is rate-limiting requests; retry later.",
			},
		});
	});

	it("529 overloaded_error from an overloaded Claude upstream; an upstream 400 passes its message on", async () => {
		const overloaded = await errorOf(
			await messages(key, { model: await model("overloaded"), max_tokens: 1, messages: hello }),
		);
		expect(overloaded).toMatchObject({
			status: 529,
			body: { type: "error", error: { type: "overloaded_error" } },
		});
		const bad = await errorOf(
			await messages(key, { model: await model("bad-request"), max_tokens: 1, messages: hello }),
		);
		expect(bad.status).toBe(400);
		expect(bad.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
	});

	it("405 and 404 under /v1/messages in Anthropic's shape too", async () => {
		const wrongMethod = await fetchGateway("/v1/messages", "GET", key);
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.get("allow")).toBe("POST");
		expect(await wrongMethod.json()).toMatchObject({
			type: "error",
			error: { type: "invalid_request_error" },
		});
		const unknown = await fetchGateway("/v1/messages/batches", "POST", key);
		expect(unknown.status).toBe(404);
		expect(await unknown.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
	});
});

function fetchGateway(path: string, method: string, apiKey: string): Promise<Response> {
	return gateway(path, { method, headers: { "x-api-key": apiKey } });
}
