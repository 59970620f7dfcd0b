import type { Config } from "../../config";
import { type EngineRequest, once } from "../../engine/request";
import type { Ingress } from "../../engine/serve";
import { isObject } from "../../is-object";
import type { JsonObject, NativeRequest } from "../../protocols/adapter";
import { readJson } from "../../request-body";
import type { Completion } from "../../schemas/chat-response";
import { validated } from "../../schemas/zod-error";
import { fallbacksFrom } from "../fallbacks-header";
import { dropUnsignedThinking } from "./drop-unsigned-thinking";
import { estimateInputTokens } from "./estimate-tokens";
import { hoistSystemMessages } from "./hoist-system";
import { checkMessagesLimits } from "./limits";
import { type MessagesRequest, messagesRequest } from "./schema";
import { createStreamEncoder } from "./stream-encoder";
import { toCanonical } from "./to-canonical";
import { toMessage } from "./to-message";

/** The client's protocol headers that a Claude upstream must see as sent. */
const FORWARDED_HEADERS = ["anthropic-version", "anthropic-beta"];

export function nativeRequest(body: JsonObject, headers: Headers): NativeRequest {
	const forwarded: Record<string, string> = {};
	for (const name of FORWARDED_HEADERS) {
		const value = headers.get(name);
		if (value) forwarded[name] = value;
	}
	return { api: "messages", body, headers: forwarded };
}

/**
 * Catalog ids tried when a model name is not in the catalog: Claude Code and the Anthropic SDKs name
 * Claude models bare (`claude-sonnet-4-5`, or with a snapshot date, `claude-sonnet-4-5-20250929`),
 * the catalog as `anthropic/claude-sonnet-4-5`.
 */
export function aliasesOf(model: string): string[] {
	if (model.includes("/")) return [];
	const undated = model.replace(/-\d{8}$/, "");
	return undated === model ? [`anthropic/${model}`] : [`anthropic/${model}`, `anthropic/${undated}`];
}

/**
 * The Anthropic Messages ingress of one request. Claude models get the client's body as it came
 * (pass-through); every other model gets the canonical translation, built only then, and its answer
 * is written back as a Messages response or event stream.
 */
export function messagesIngress(gateId: string, headers: Headers) {
	let decoded: MessagesRequest | null = null;
	const ingress: Ingress = {
		async decode(request: Request, config: Config, named: (model: string) => void): Promise<EngineRequest> {
			const raw = await readJson(request);
			if (isObject(raw) && typeof raw.model === "string") named(raw.model);
			const body = dropUnsignedThinking(hoistSystemMessages(validated(messagesRequest, raw)));
			checkMessagesLimits(body, config.input);
			decoded = body;
			return {
				model: body.model,
				aliases: aliasesOf,
				stream: body.stream === true,
				fallbacks: fallbacksFrom(headers),
				// message_start and message_delta carry usage, whatever the client asked.
				includeUsage: true,
				canonical: once(() => toCanonical(body)),
				native: nativeRequest(body as JsonObject, headers),
			};
		},
		streamEncoder(model: string) {
			return createStreamEncoder({
				id: gateId,
				model,
				estimateInputTokens: () => (decoded ? estimateInputTokens(decoded) : 1),
				stopSequences: decoded?.stop_sequences ?? [],
			});
		},
	};
	return {
		ingress,
		/** A translated answer as a Messages response. */
		message: (completion: Completion) =>
			toMessage(completion, { id: gateId, model: completion.model }, decoded?.stop_sequences ?? []),
	};
}
