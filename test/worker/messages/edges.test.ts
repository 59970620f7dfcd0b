import { beforeAll, describe, expect, it } from "vitest";
import { PARTIAL } from "../../fakes/scenarios/openai";
import { createKey, dripStatusAfterClose, putModel, uniqueModelId, usageRow } from "../helpers";
import { messages, namedEvents } from "./helpers";

/**
 * What every request gets whatever its API, checked through /v1/messages: cancellation when the
 * client hangs up, the idle timeout of a stalled stream, and the SSRF rules for image URLs.
 */

let key: string;
const hello = [{ role: "user", content: "Hello" }];

async function model(provider: string, scenario: string): Promise<string> {
	const id = uniqueModelId(provider, scenario);
	await putModel(id, { provider, upstream_model: scenario, capabilities: { vision: true, tools: true } });
	return id;
}

beforeAll(async () => {
	key = (await createKey()).key;
});

describe("/v1/messages, like every ingress", () => {
	it("cancels the upstream when the client hangs up, and records client_disconnected with an estimate", async () => {
		const token = crypto.randomUUID();
		const id = await model("openai", `drip-${token}`);
		const res = await messages(key, { model: id, max_tokens: 100, messages: hello, stream: true });
		const gateId = res.headers.get("x-request-id") ?? "";
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		await reader.read();
		await reader.read();
		void reader.cancel().catch(() => {});
		const status = await dripStatusAfterClose(token);
		expect(status?.closedEarly).toBe(true);
		expect(status?.finished).toBe(false);
		const row = await usageRow(gateId);
		expect(row).toMatchObject({
			ingress: "messages",
			outcome: "client_disconnected",
			streamed: 1,
			estimated: 1,
		});
		expect(row.completion_tokens).toBeGreaterThanOrEqual(1);
	});

	it("ends a stream whose upstream stalls with an Anthropic timeout_error event", async () => {
		const id = await model("openai", "stall");
		const res = await messages(key, { model: id, max_tokens: 100, messages: hello, stream: true });
		expect(res.status).toBe(200);
		const gateId = res.headers.get("x-request-id") ?? "";
		const events = namedEvents(await res.text());
		const text = events.map((e) => (e.data as { delta?: { text?: string } }).delta?.text ?? "").join("");
		expect(text).toBe(PARTIAL);
		expect(events.at(-1)).toEqual({
			event: "error",
			data: {
				type: "error",
				error: {
					type: "timeout_error",
					message: "The upstream sent nothing for 1500 ms; the stream was closed.",
				},
			},
		});
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "messages",
			outcome: "upstream_error",
			status: 504,
			error_code: "upstream_idle_timeout",
		});
	});

	it("refuses image URLs on private or loopback addresses for a model the gateway fetches images for", async () => {
		const id = await model("google", "echo-request");
		for (const url of ["https://127.0.0.1/cat.png", "https://169.254.169.254/x.png", "https://[::1]/a.png"]) {
			const res = await messages(key, {
				model: id,
				max_tokens: 10,
				messages: [
					{
						role: "user",
						content: [
							{ type: "text", text: "What is this?" },
							{ type: "image", source: { type: "url", url } },
						],
					},
				],
			});
			expect(res.status, url).toBe(400);
			expect(await res.json()).toEqual({
				type: "error",
				error: {
					type: "invalid_request_error",
					message: "The image URL was refused: it points to a private, loopback or link-local address.",
				},
			});
		}
	});
});
