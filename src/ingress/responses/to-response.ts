import type { Completion, FinishReason, Usage } from "../../schemas/chat-response";
import type { ResponsesRequest } from "./schema";
import type {
	ItemStatus,
	OutputItem,
	OutputPart,
	ResponseError,
	ResponseObject,
	ResponseStatus,
	ResponseUsage,
} from "./wire";

/** What a response object is made from besides the answer: its id, model, time and the request. */
export interface ResponseContext {
	id: string;
	model: string;
	/** Unix seconds. */
	createdAt: number;
	request: ResponsesRequest;
}

/**
 * A canonical completion → a Responses `response` object. Output items in the order a model
 * produces them: reasoning (its text as one summary part: a translated model's reasoning is what
 * it shows, not OpenAI's encrypted thinking), the message (text, then a refusal), generated
 * images, then function calls. Only the first choice is read: a Responses request never asks for more.
 */
export function toResponse(completion: Completion, context: ResponseContext): ResponseObject {
	const choice = completion.choices[0];
	const message = choice?.message;
	const { status, incomplete_details } = outcome(choice?.finish_reason);
	const output: OutputItem[] = [];
	const id = (prefix: string) => itemId(prefix, context.id, output.length);
	if (message?.reasoning_content) {
		output.push({
			type: "reasoning",
			id: id("rs"),
			summary: [{ type: "summary_text", text: message.reasoning_content }],
		});
	}
	const content: OutputPart[] = [];
	if (message?.content) content.push({ type: "output_text", text: message.content, annotations: [] });
	if (message?.refusal) content.push({ type: "refusal", refusal: message.refusal });
	if (content.length > 0) {
		output.push({ type: "message", id: id("msg"), status: itemStatus(status), role: "assistant", content });
	}
	for (const image of message?.images ?? []) {
		output.push({
			type: "image_generation_call",
			id: id("ig"),
			status: "completed",
			result: null,
			image_url: image.image_url.url,
		});
	}
	for (const call of message?.tool_calls ?? []) {
		output.push({
			type: "function_call",
			id: id("fc"),
			call_id: call.id,
			name: call.function.name,
			arguments: call.function.arguments,
			status: "completed",
		});
	}
	return responseObject(context, {
		status,
		incomplete_details,
		output,
		usage: completion.usage ? mapUsage(completion.usage) : null,
	});
}

/**
 * An output item's id, derived from the response's: `msg_<suffix>_<output index>` for
 * `resp_<suffix>`. The same answer gets the same ids in JSON and in a stream, and a stored
 * response's items keep them.
 */
export function itemId(prefix: string, responseId: string, outputIndex: number): string {
	const suffix = responseId.startsWith("resp_") ? responseId.slice(5) : responseId;
	return `${prefix}_${suffix}_${outputIndex}`;
}

/**
 * The response's status for a finish reason (openai-node 6.49.0 Response.IncompleteDetails: the
 * reasons are max_output_tokens and content_filter). No finish reason at all (a stream cut without
 * one) reads as complete, as the Messages ingress reads it.
 */
export function outcome(finishReason: FinishReason | null | undefined): {
	status: "completed" | "incomplete";
	incomplete_details: ResponseObject["incomplete_details"];
} {
	if (finishReason === "length")
		return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
	if (finishReason === "content_filter")
		return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
	return { status: "completed", incomplete_details: null };
}

/** A message cut by the token limit or a filter is itself incomplete, as OpenAI marks it. */
export const itemStatus = (status: ResponseStatus): ItemStatus =>
	status === "incomplete" ? "incomplete" : "completed";

const count = (value: unknown): number =>
	typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;

/**
 * Chat usage → ResponseUsage. Both count cache reads inside the input (OpenAI's prompt_tokens and
 * input_tokens include cached_tokens); cache writes, which our Anthropic adapter reports as
 * prompt_tokens_details.cache_creation_tokens, are Responses' input_tokens_details.cache_write_tokens.
 */
export function mapUsage(usage: Usage): ResponseUsage {
	const input = count(usage.prompt_tokens);
	const output = count(usage.completion_tokens);
	const mapped: ResponseUsage = {
		input_tokens: input,
		input_tokens_details: {
			cached_tokens: count(usage.prompt_tokens_details?.cached_tokens),
			cache_write_tokens: count(usage.prompt_tokens_details?.cache_creation_tokens),
		},
		output_tokens: output,
		output_tokens_details: { reasoning_tokens: count(usage.completion_tokens_details?.reasoning_tokens) },
		total_tokens: count(usage.total_tokens) || input + output,
	};
	if (typeof usage.cost === "number") mapped.cost = usage.cost;
	return mapped;
}

/**
 * A whole response object: the answer's part, and the request's settings echoed as the real API
 * returns them (openai-node 6.49.0 responses.d.ts `Response`: temperature, top_p, tools,
 * tool_choice, parallel_tool_calls … are required there, so never left out), each with OpenAI's
 * default when the request left it out: temperature and top_p 1 (OpenAI's API reference),
 * parallel_tool_calls true, store true (issue 15: "the default, as OpenAI's"), truncation
 * "disabled" (responses.d.ts `truncation`), tool_choice "auto", text format `{type: "text"}`.
 */
export function responseObject(
	context: ResponseContext,
	answer: {
		status: ResponseStatus;
		incomplete_details?: ResponseObject["incomplete_details"];
		output: OutputItem[];
		usage: ResponseUsage | null;
		error?: ResponseError | null;
	},
): ResponseObject {
	const request = context.request;
	const response: ResponseObject = {
		id: context.id,
		object: "response",
		created_at: context.createdAt,
		status: answer.status,
		error: answer.error ?? null,
		incomplete_details: answer.incomplete_details ?? null,
		instructions: request.instructions ?? null,
		max_output_tokens: request.max_output_tokens ?? null,
		model: context.model,
		output: answer.output,
		parallel_tool_calls: request.parallel_tool_calls ?? true,
		previous_response_id: request.previous_response_id ?? null,
		reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
		store: request.store ?? true,
		temperature: request.temperature ?? 1,
		text: { ...request.text, format: request.text?.format ?? { type: "text" } },
		tool_choice: request.tool_choice ?? "auto",
		tools: request.tools ?? [],
		top_p: request.top_p ?? 1,
		truncation: request.truncation ?? "disabled",
		usage: answer.usage,
		user: request.user ?? null,
		metadata: request.metadata ?? {},
	};
	if (request.safety_identifier != null) response.safety_identifier = request.safety_identifier;
	return response;
}
