import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import type { ResponseContext, SseEvent, StreamItem } from "../../../../src/protocols/adapter";
import { adapter as geminiAdapter } from "../../../../src/protocols/gemini";
import { readSignature } from "../../../../src/protocols/gemini/thought-signature";
import type { Chunk } from "../../../../src/schemas/chat-response";
import { runStage } from "../../streaming/collect";
import { recordingContext } from "./context";

const ev = (data: unknown): SseEvent => ({ data: typeof data === "string" ? data : JSON.stringify(data) });
const text = (t: string, extra: Record<string, unknown> = {}) => ({ text: t, ...extra });
const cand = (parts: unknown[] | undefined, finishReason?: string, index = 0) => ({
	...(parts ? { content: { parts, role: "model" } } : {}),
	...(finishReason ? { finishReason } : {}),
	index,
});
const response = (
	candidates: unknown[] | undefined,
	usageMetadata?: unknown,
	extra: Record<string, unknown> = {},
) => ({
	...(candidates ? { candidates } : {}),
	...extra,
	...(usageMetadata ? { usageMetadata } : {}),
	modelVersion: "gemini-3-pro-preview",
	responseId: "r1",
});

async function run(
	events: SseEvent[],
	context: ResponseContext = recordingContext().context,
): Promise<StreamItem[]> {
	return runStage(geminiAdapter.createStreamStage(context), events);
}

/** Chunks as the client would see their choices and usage; placeholders (id, model, created) are checked once. */
function view(items: StreamItem[]) {
	return items.map((item) => {
		if (item.type === "error") return { error: item.error.toBody().error, status: item.error.status };
		if (item.type === "native") throw new Error("the Gemini stage emits no native events");
		const { id, object, created, model, choices, ...rest } = item.chunk as Chunk;
		expect({ id, object, created, model }).toEqual({
			id: "",
			object: "chat.completion.chunk",
			created: 0,
			model: "",
		});
		return { choices, ...rest };
	});
}

/** The role chunk that starts a choice, with the usage of the event it came from (when it had any). */
const role = (index = 0, usage?: unknown) => ({
	choices: [{ index, delta: { role: "assistant", content: "" }, finish_reason: null }],
	...(usage ? { usage } : {}),
});
const delta = (d: Record<string, unknown>, index = 0) => ({
	choices: [{ index, delta: d, finish_reason: null }],
});
const finish = (reason: string, usage?: unknown, index = 0) => ({
	choices: [{ index, delta: {}, finish_reason: reason }],
	...(usage ? { usage } : {}),
});
const usageOf = (prompt: number, completion: number, total: number, reasoning = 0, cached = 0) => ({
	prompt_tokens: prompt,
	completion_tokens: completion,
	total_tokens: total,
	prompt_tokens_details: { cached_tokens: cached },
	completion_tokens_details: { reasoning_tokens: reasoning },
});

describe("gemini stream stage", () => {
	it("streams text with a role chunk first carrying the first event's usage, and the last usage on the finish chunk (recorded shape)", async () => {
		const items = await run([
			ev(response([cand([text("The")])], { promptTokenCount: 15, totalTokenCount: 15 })),
			ev(response([cand([text(" capital of France")])], { promptTokenCount: 15, totalTokenCount: 15 })),
			ev(
				response([cand([text(" is Paris.\n")], "STOP")], {
					promptTokenCount: 13,
					candidatesTokenCount: 8,
					totalTokenCount: 21,
				}),
			),
		]);
		expect(view(items)).toEqual([
			// The first event's usage rides on the role chunk, so an ingress can show the prompt's real size
			// before the answer (Messages' message_start); the deltas carry none.
			role(0, usageOf(15, 0, 15)),
			delta({ content: "The" }),
			delta({ content: " capital of France" }),
			delta({ content: " is Paris.\n" }),
			finish("stop", usageOf(13, 8, 21)),
		]);
	});

	it("drops the empty signed text part Gemini 3 ends with, and keeps the latest usage even when it shrinks", async () => {
		const items = await run([
			ev(
				response([cand([text("Hi")])], {
					promptTokenCount: 8,
					candidatesTokenCount: 2,
					thoughtsTokenCount: 244,
					totalTokenCount: 254,
				}),
			),
			ev(
				response([cand([text("", { thoughtSignature: "EqsFCqgF" })], "STOP")], {
					promptTokenCount: 8,
					candidatesTokenCount: 2,
					thoughtsTokenCount: 167,
					totalTokenCount: 177,
				}),
			),
		]);
		expect(view(items)).toEqual([
			role(0, usageOf(8, 246, 254, 244)),
			delta({ content: "Hi" }),
			finish("stop", usageOf(8, 169, 177, 167)),
		]);
	});

	it("emits each whole function call as one tool-call delta, counting calls, and finishes with tool_calls", async () => {
		const items = await run([
			ev(response([cand([text("Checking.")])])),
			ev(
				response([
					cand([
						{ functionCall: { name: "weather", args: { location: "Paris" } }, thoughtSignature: "EqUCCqIC" },
						{ functionCall: { name: "weather", args: { location: "Tokyo" } } },
					]),
				]),
			),
			ev(
				response([cand([text("")], "STOP")], {
					promptTokenCount: 29,
					candidatesTokenCount: 15,
					thoughtsTokenCount: 45,
					totalTokenCount: 89,
				}),
			),
		]);
		const chunks = view(items);
		const calls = chunks
			.slice(2, 4)
			.map(
				(c) =>
					(c as { choices: Array<{ delta: { tool_calls: unknown[] } }> }).choices[0]?.delta.tool_calls?.[0],
			);
		const ids = calls.map((call) => (call as { id: string }).id);
		expect(chunks).toEqual([
			role(),
			delta({ content: "Checking." }),
			delta({
				tool_calls: [
					{
						index: 0,
						id: ids[0],
						type: "function",
						function: { name: "weather", arguments: '{"location":"Paris"}' },
					},
				],
			}),
			delta({
				tool_calls: [
					{
						index: 1,
						id: ids[1],
						type: "function",
						function: { name: "weather", arguments: '{"location":"Tokyo"}' },
					},
				],
			}),
			finish("tool_calls", usageOf(29, 60, 89, 45)),
		]);
		expect(ids.map((id) => readSignature(id))).toEqual(["EqUCCqIC", undefined]);
	});

	it("sends an image's URL as soon as it is stored, between the text around it", async () => {
		const { context, stored } = recordingContext();
		const items = await run(
			[
				ev(response([cand([text("Here it is:")])])),
				ev(
					response([
						cand([{ inlineData: { mimeType: "image/jpeg", data: "/9j/AA==" }, thoughtSignature: "sig" }]),
					]),
				),
				ev(response([cand([text("Enjoy.")])])),
				ev(response([cand([{ inlineData: { mimeType: "image/png", data: "iVBO" } }])])),
				ev(
					response([cand([text("")], "STOP")], {
						promptTokenCount: 8,
						candidatesTokenCount: 1219,
						thoughtsTokenCount: 244,
						totalTokenCount: 1471,
					}),
				),
			],
			context,
		);
		const ref = (n: number) => ({
			type: "image_url",
			image_url: { url: `https://gw.example/v1/images/img${n}.png` },
		});
		expect(stored).toEqual([
			{ base64: "/9j/AA==", mimeType: "image/jpeg" },
			{ base64: "iVBO", mimeType: "image/png" },
		]);
		expect(view(items)).toEqual([
			role(),
			delta({ content: "Here it is:" }),
			delta({ images: [ref(1)] }),
			delta({ content: "\n![image](https://gw.example/v1/images/img1.png)\n" }),
			delta({ content: "Enjoy." }),
			delta({ images: [ref(2)] }),
			delta({ content: "\n![image](https://gw.example/v1/images/img2.png)\n" }),
			finish("stop", usageOf(8, 1463, 1471, 244)),
		]);
	});

	it("ends the stream with an error item when an image cannot be stored", async () => {
		const failure = new GatewayError(
			502,
			"The model produced an image, but the image could not be written to storage.",
			{
				code: "image_store_failed",
			},
		);
		const { context } = recordingContext(failure);
		const items = await run(
			[
				ev(response([cand([text("Look:")])])),
				ev(response([cand([{ inlineData: { mimeType: "image/png", data: "iVBO" } }])])),
				ev(response([cand([text("more")], "STOP")])),
			],
			context,
		);
		expect(view(items)).toEqual([
			role(),
			delta({ content: "Look:" }),
			{
				status: 502,
				error: { message: failure.message, type: "server_error", param: null, code: "image_store_failed" },
			},
		]);
	});

	it("streams thought parts as reasoning_content (recorded includeThoughts shape)", async () => {
		const items = await run([
			ev(
				response([cand([text("**Clarifying**\n\n", { thought: true })])], {
					promptTokenCount: 34,
					thoughtsTokenCount: 68,
					totalTokenCount: 102,
				}),
			),
			ev(response([cand([text("Look both ways.")])])),
			ev(
				response([cand([text("")], "STOP")], {
					promptTokenCount: 34,
					candidatesTokenCount: 5,
					thoughtsTokenCount: 787,
					totalTokenCount: 826,
				}),
			),
		]);
		expect(view(items)).toEqual([
			role(0, usageOf(34, 68, 102, 68)),
			delta({ reasoning_content: "**Clarifying**\n\n" }),
			delta({ content: "Look both ways." }),
			finish("stop", usageOf(34, 792, 826, 787)),
		]);
	});

	it("finishes a blocked prompt with content_filter and a refusal", async () => {
		const items = await run([
			ev(
				response(
					undefined,
					{ promptTokenCount: 9, totalTokenCount: 9 },
					{ promptFeedback: { blockReason: "SAFETY" } },
				),
			),
		]);
		expect(view(items)).toEqual([
			role(0, usageOf(9, 0, 9)),
			delta({ refusal: "The provider blocked the prompt (SAFETY)." }),
			finish("content_filter", usageOf(9, 0, 9)),
		]);
	});

	it("maps SAFETY and MAX_TOKENS stops, including a candidate with no content", async () => {
		const items = await run([
			ev(response([cand([text("I can start")])])),
			ev(response([{ finishReason: "SAFETY", index: 0, safetyRatings: [] }])),
		]);
		expect(view(items)).toEqual([role(), delta({ content: "I can start" }), finish("content_filter")]);
		const cut = await run([ev(response([cand([text("cut")], "MAX_TOKENS")]))]);
		expect(view(cut)).toEqual([role(), delta({ content: "cut" }), finish("length")]);
	});

	it("reports usage that arrives after the finish in a choiceless chunk (recorded usage-only event)", async () => {
		const items = await run([
			ev(
				response([cand([text("Done.")], "STOP")], {
					promptTokenCount: 12,
					candidatesTokenCount: 2,
					totalTokenCount: 14,
				}),
			),
			ev({
				usageMetadata: {
					promptTokenCount: 12,
					candidatesTokenCount: 71,
					totalTokenCount: 237,
					cachedContentTokenCount: 4,
					toolUsePromptTokenCount: 65,
					thoughtsTokenCount: 89,
				},
			}),
		]);
		expect(view(items)).toEqual([
			role(0, usageOf(12, 2, 14)),
			delta({ content: "Done." }),
			finish("stop", usageOf(12, 2, 14)),
			{ choices: [], usage: usageOf(77, 160, 237, 89, 4) },
		]);
	});

	it("keeps candidates apart by index", async () => {
		const items = await run([
			ev(response([cand([text("A")], undefined, 0), cand([text("B")], undefined, 1)])),
			ev(
				response([cand([text("")], "STOP", 0), cand([text("")], "MAX_TOKENS", 1)], {
					promptTokenCount: 1,
					candidatesTokenCount: 2,
				}),
			),
		]);
		expect(view(items)).toEqual([
			role(0),
			delta({ content: "A" }, 0),
			role(1),
			delta({ content: "B" }, 1),
			finish("stop", usageOf(1, 2, 3), 0),
			finish("length", usageOf(1, 2, 3), 1),
		]);
	});

	it("puts the usage of the event a candidate starts in on that candidate's role chunk", async () => {
		const items = await run([
			ev(
				response([cand([text("A")], undefined, 0)], {
					promptTokenCount: 7,
					cachedContentTokenCount: 2,
					totalTokenCount: 7,
				}),
			),
			ev(
				response([cand([text("")], "STOP", 0), cand([text("B")], "STOP", 1)], {
					promptTokenCount: 7,
					candidatesTokenCount: 2,
					cachedContentTokenCount: 2,
					totalTokenCount: 9,
				}),
			),
		]);
		expect(view(items)).toEqual([
			role(0, usageOf(7, 0, 7, 0, 2)),
			delta({ content: "A" }, 0),
			finish("stop", usageOf(7, 2, 9, 0, 2), 0),
			role(1, usageOf(7, 2, 9, 0, 2)),
			delta({ content: "B" }, 1),
			finish("stop", usageOf(7, 2, 9, 0, 2), 1),
		]);
	});

	it("does not invent a finish when the upstream never sent one", async () => {
		const items = await run([
			ev(response([cand([text("partial")])], { promptTokenCount: 3, totalTokenCount: 3 })),
		]);
		expect(view(items)).toEqual([
			// The role chunk's usage is not a final report: the stream still ends with it on its own.
			role(0, usageOf(3, 0, 3)),
			delta({ content: "partial" }),
			{ choices: [], usage: usageOf(3, 0, 3) },
		]);
	});

	it("turns an in-band error event into an error item and ignores everything after it", async () => {
		const items = await run([
			ev(response([cand([text("Hel")])])),
			ev({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }),
			ev(response([cand([text("lo")], "STOP")])),
		]);
		expect(view(items)).toEqual([
			role(),
			delta({ content: "Hel" }),
			{
				status: 503,
				error: {
					message: "The provider is overloaded or unavailable. Try again later.",
					type: "server_error",
					param: null,
					code: "upstream_unavailable",
				},
			},
		]);
	});

	it("reports malformed events as a 502 error item", async () => {
		const items = await run([ev("{not json"), ev(response([cand([text("x")], "STOP")]))]);
		expect(view(items)).toEqual([
			{
				status: 502,
				error: {
					message: "The provider sent a malformed stream event.",
					type: "server_error",
					param: null,
					code: "upstream_bad_response",
				},
			},
		]);
	});
});
