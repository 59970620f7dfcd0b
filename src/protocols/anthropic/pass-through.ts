import { isObject } from "../../is-object";
import type { Usage } from "../../schemas/chat-response";
import type {
	JsonObject,
	NativeItem,
	NativeRequest,
	PassThroughAdapter,
	ResponseIds,
	SseEvent,
	StreamItem,
	UpstreamRequest,
	UpstreamTarget,
} from "../adapter";
import { encodeBody } from "../encode-body";
import { stampIds } from "../stamp-ids";
import { typedEvent } from "../typed-event";
import { upstreamGarbage } from "../upstream-errors";
import { ANTHROPIC_VERSION, messagesUrl } from "./convert-request";
import { mapStreamError } from "./map-error";
import { mergeTokens, noTokens, type Tokens, toOpenAIUsage } from "./map-usage";
import { wireErrorDetail, wireUsage } from "./wire";

/**
 * A Messages API client's request to Claude, passed through: the body goes upstream as the client
 * sent it with only `model` mapped to the upstream's, and the answer comes back as Anthropic sent
 * it with only the message's `id` (the gateway's request id) and `model` (the catalog id of the model
 * that answered: the client's own, or what its alias or fallback resolved to) rewritten. Streamed events keep their bytes, padding included, except in `message_start`,
 * the one event that carries the id. Nothing is validated beyond what the engine needs: usage, the
 * output size and whether the answer completed.
 */
export const passThrough = {
	buildRequest: (request, target) => upstreamRequest(messagesUrl(target.baseUrl), request, target),
	countTokens: {
		request: (request, target) =>
			upstreamRequest(`${messagesUrl(target.baseUrl)}/count_tokens`, request, target),
		parse(body) {
			const count = isObject(body) ? body.input_tokens : undefined;
			if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
				throw upstreamGarbage("a token count");
			}
			return count;
		},
	},
	parseResponse(body, ids) {
		if (!isObject(body) || body.type !== "message") throw upstreamGarbage("an answer");
		const usage = wireUsage.safeParse(body.usage);
		const stamped: JsonObject = { ...(body as JsonObject), id: ids.id, model: ids.model, ...ids.fields };
		return {
			body: stamped,
			usage: usage.success ? toOpenAIUsage(mergeTokens(noTokens(), usage.data)) : null,
		};
	},
	createStreamStage: createPassThroughStage,
} satisfies PassThroughAdapter;

function upstreamRequest(url: string, request: NativeRequest, target: UpstreamTarget): UpstreamRequest {
	const headers: Record<string, string> = {
		"x-api-key": target.apiKey,
		"anthropic-version": request.headers["anthropic-version"] ?? ANTHROPIC_VERSION,
		"content-type": "application/json",
	};
	const beta = request.headers["anthropic-beta"];
	if (beta) headers["anthropic-beta"] = beta;
	return { url, headers, body: encodeBody({ ...request.body, model: target.upstreamModel }) };
}

/**
 * Anthropic's events as they came. Each is parsed once (for usage and output size); only
 * message_start is rewritten. Unknown events pass untouched, as Anthropic asks clients to tolerate
 * them (https://docs.anthropic.com/en/docs/build-with-claude/streaming#other-events).
 */
function createPassThroughStage(ids: ResponseIds): Transformer<SseEvent, StreamItem> {
	let tokens: Tokens = noTokens();
	let over = false;
	const usageFrom = (value: unknown): Usage | undefined => {
		const parsed = wireUsage.safeParse(value);
		if (!parsed.success) return undefined;
		tokens = mergeTokens(tokens, parsed.data);
		return toOpenAIUsage(tokens);
	};
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
			switch (event.type) {
				case "message_start": {
					const message = isObject(event.message) ? event.message : {};
					item.data = stampIds(sse.data, event, "message", message, ids);
					const usage = usageFrom(message.usage);
					if (usage) item.usage = usage;
					break;
				}
				case "content_block_delta":
					item.outputChars = deltaChars(event.delta);
					break;
				case "message_delta": {
					const usage = usageFrom(event.usage);
					if (usage) item.usage = usage;
					break;
				}
				case "message_stop":
					item.completes = true;
					break;
				case "error": {
					over = true;
					const detail = wireErrorDetail.safeParse(event.error);
					controller.enqueue({
						type: "error",
						error: detail.success ? mapStreamError(detail.data) : upstreamGarbage("an error event"),
					});
					return;
				}
			}
			controller.enqueue(item);
		},
	};
}

function deltaChars(delta: unknown): number {
	if (!isObject(delta)) return 0;
	const text = delta.text ?? delta.partial_json ?? delta.thinking;
	return typeof text === "string" ? text.length : 0;
}
