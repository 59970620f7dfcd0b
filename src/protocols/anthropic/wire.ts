import * as z from "zod/mini";

/**
 * What Anthropic's Messages API sends back: the message body, the stream events and the error body.
 * Objects are loose because Anthropic adds fields often (stop_details, inference_geo, caller …).
 * Types Anthropic may add later (new content blocks, deltas, events) parse as `{type:"unknown"}`, so the
 * switches over them stay exhaustive and new server features are skipped instead of failing the
 * request; Anthropic asks clients to do that for events
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming#other-events).
 * A known type with a malformed payload still fails to parse.
 */

/** Matches any object whose `type` is not one of `known`, keeping only the name for diagnostics. */
const unknownOf = (known: readonly string[]) =>
	z.pipe(
		z.looseObject({ type: z.string() }).check(z.refine((value) => !known.includes(value.type))),
		z.transform((value: { type: string }) => ({ type: "unknown" as const, rawType: value.type })),
	);

const count = z.nullish(z.number().check(z.int(), z.nonnegative()));

/** Token counts. Every field is optional because message_delta carries only some of them. */
export const wireUsage = z.looseObject({
	input_tokens: count,
	output_tokens: count,
	cache_creation_input_tokens: count,
	cache_read_input_tokens: count,
	output_tokens_details: z.nullish(z.looseObject({ thinking_tokens: count })),
	cache_creation: z.nullish(z.looseObject({ ephemeral_1h_input_tokens: count })),
});
export type WireUsage = z.infer<typeof wireUsage>;

const knownBlock = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("text"), text: z.string() }),
	z.looseObject({
		type: z.literal("tool_use"),
		id: z.string(),
		name: z.string(),
		input: z.record(z.string(), z.unknown()),
	}),
	// The signature is checked by Anthropic when the block comes back (see turn-state.ts).
	z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.optional(z.string()) }),
	z.looseObject({ type: z.literal("redacted_thinking"), data: z.optional(z.string()) }),
]);

/** A content block of a message, or the opening of one in `content_block_start`. */
export const wireBlock = z.union([
	knownBlock,
	unknownOf(["text", "tool_use", "thinking", "redacted_thinking"]),
]);
export type WireBlock = z.infer<typeof wireBlock>;

/** The non-streaming response body. */
export const wireMessage = z.looseObject({
	content: z.array(wireBlock),
	stop_reason: z.nullish(z.string()),
	usage: z.nullish(wireUsage),
});
export type WireMessage = z.infer<typeof wireMessage>;

const knownDelta = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("text_delta"), text: z.string() }),
	z.looseObject({ type: z.literal("input_json_delta"), partial_json: z.string() }),
	z.looseObject({ type: z.literal("thinking_delta"), thinking: z.string() }),
	z.looseObject({ type: z.literal("signature_delta"), signature: z.optional(z.string()) }),
	z.looseObject({ type: z.literal("citations_delta") }),
]);

export const wireDelta = z.union([
	knownDelta,
	unknownOf(["text_delta", "input_json_delta", "thinking_delta", "signature_delta", "citations_delta"]),
]);
export type WireDelta = z.infer<typeof wireDelta>;

export const wireErrorDetail = z.looseObject({ type: z.string(), message: z.string() });
export type WireErrorDetail = z.infer<typeof wireErrorDetail>;

const blockIndex = z.number().check(z.int(), z.nonnegative());

const knownEvent = z.discriminatedUnion("type", [
	z.looseObject({
		type: z.literal("message_start"),
		message: z.looseObject({ usage: z.nullish(wireUsage) }),
	}),
	z.looseObject({ type: z.literal("content_block_start"), index: blockIndex, content_block: wireBlock }),
	z.looseObject({ type: z.literal("content_block_delta"), index: blockIndex, delta: wireDelta }),
	z.looseObject({ type: z.literal("content_block_stop"), index: blockIndex }),
	z.looseObject({
		type: z.literal("message_delta"),
		delta: z.looseObject({ stop_reason: z.nullish(z.string()) }),
		usage: z.nullish(wireUsage),
	}),
	z.looseObject({ type: z.literal("message_stop") }),
	z.looseObject({ type: z.literal("ping") }),
	z.looseObject({ type: z.literal("error"), error: wireErrorDetail }),
]);

/** One streamed event: the JSON in an SSE `data:` line. Its `type` repeats the `event:` name. */
export const wireEvent = z.union([
	knownEvent,
	unknownOf([
		"message_start",
		"content_block_start",
		"content_block_delta",
		"content_block_stop",
		"message_delta",
		"message_stop",
		"ping",
		"error",
	]),
]);
export type WireEvent = z.infer<typeof wireEvent>;

/** The body of a non-2xx answer: `{"type":"error","error":{"type","message"},"request_id"}`. */
export const wireErrorBody = z.looseObject({ error: wireErrorDetail });
