import { GatewayError } from "../../errors";
import { isObject } from "../../is-object";
import type { Usage } from "../../schemas/chat-response";
import type {
	JsonObject,
	NativeItem,
	PassThroughAdapter,
	ResponseIds,
	SseEvent,
	StreamItem,
} from "../adapter";
import { stampIds } from "../stamp-ids";
import { typedEvent } from "../typed-event";
import { upstreamGarbage } from "../upstream-errors";
import { openaiRequest } from "./upstream-request";

/**
 * A Responses API client's request to an OpenAI-protocol upstream, passed through: the body goes to
 * `{base}/responses` with only `model` mapped, and the answer comes back as the upstream sent it with
 * the response's `id` (the gateway's) and `model` (the catalog id) rewritten — in a stream, in the
 * lifecycle events that carry the whole response (response.created, .in_progress, .completed,
 * .incomplete, .failed). Event and object shapes: openai-node 6.49.0 resources/responses/responses.d.ts
 * (ResponseStreamEvent and Response).
 */
export const responsesPassThrough = {
	buildRequest: (request, target) =>
		openaiRequest(target, "responses", { ...request.body, model: target.upstreamModel }),
	parseResponse(body, ids) {
		if (!isObject(body) || body.object !== "response") throw upstreamGarbage("an answer");
		const stamped: JsonObject = { ...(body as JsonObject), id: ids.id, model: ids.model, ...ids.fields };
		return { body: stamped, usage: chatUsage(body.usage) };
	},
	createStreamStage: createResponsesPassThroughStage,
} satisfies PassThroughAdapter;

/** Events whose `response` is the whole response object (ResponseCreatedEvent and its siblings). */
const LIFECYCLE = new Set([
	"response.created",
	"response.in_progress",
	"response.queued",
	"response.completed",
	"response.incomplete",
	"response.failed",
]);

/** Events whose `delta` is output text: answer text, function arguments, reasoning summaries and text. */
const OUTPUT_DELTAS = new Set([
	"response.output_text.delta",
	"response.function_call_arguments.delta",
	"response.reasoning_summary_text.delta",
	"response.reasoning_text.delta",
	"response.refusal.delta",
]);

function createResponsesPassThroughStage(ids: ResponseIds): Transformer<SseEvent, StreamItem> {
	let over = false;
	return {
		transform(sse, controller) {
			if (over) return;
			const event = typedEvent(sse.data);
			if (!event) {
				over = true;
				controller.enqueue({ type: "error", error: upstreamGarbage("a stream event") });
				return;
			}
			const item: NativeItem = { type: "native", event: sse.event, data: sse.data, outputChars: 0 };
			if (LIFECYCLE.has(event.type) && isObject(event.response)) {
				const response = event.response;
				item.data = stampIds(sse.data, event, "response", response, ids);
				const usage = chatUsage(response.usage);
				if (usage) item.usage = usage;
				// An incomplete answer (max_output_tokens, content filter) is a finished one.
				if (event.type === "response.completed" || event.type === "response.incomplete")
					item.completes = true;
				if (event.type === "response.failed") item.failure = failureOf(response.error);
			} else if (OUTPUT_DELTAS.has(event.type) && typeof event.delta === "string") {
				item.outputChars = event.delta.length;
			} else if (event.type === "error") {
				// The flat error event (ResponseErrorEvent) ends a stream with no lifecycle event after it.
				item.failure = failureOf(event);
			}
			if (item.failure) over = true;
			controller.enqueue(item);
		},
	};
}

/** A failed response's `error` ({code, message}) as the request's recorded failure. */
function failureOf(error: unknown): GatewayError {
	const detail = isObject(error) ? error : {};
	const message = typeof detail.message === "string" ? detail.message : "The upstream response failed.";
	const code = typeof detail.code === "string" ? detail.code : "upstream_error";
	return new GatewayError(502, message, { type: "server_error", code });
}

/**
 * The Responses API's usage (ResponseUsage: input_tokens with input_tokens_details.cached_tokens,
 * output_tokens with output_tokens_details.reasoning_tokens, total_tokens) in chat's shape, which
 * the engine records and prices; null when there is none yet.
 */
export function chatUsage(value: unknown): Usage | null {
	if (!isObject(value)) return null;
	const count = (n: unknown) => (typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0);
	const input = count(value.input_tokens);
	const output = count(value.output_tokens);
	const cached = isObject(value.input_tokens_details) ? count(value.input_tokens_details.cached_tokens) : 0;
	const reasoning = isObject(value.output_tokens_details)
		? count(value.output_tokens_details.reasoning_tokens)
		: 0;
	return {
		prompt_tokens: input,
		completion_tokens: output,
		total_tokens: count(value.total_tokens) || input + output,
		prompt_tokens_details: { cached_tokens: cached },
		completion_tokens_details: { reasoning_tokens: reasoning },
	};
}
