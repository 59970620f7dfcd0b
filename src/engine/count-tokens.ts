import type { KeyRecord } from "../auth/key-record";
import { configOf } from "../config";
import type { Env } from "../env";
import type { NativeRequest } from "../protocols/adapter";
import { callUpstream, readBodyText, scrubUpstream } from "./call-upstream";
import { fetcherFor, passThroughFor, resolveNamed } from "./resolve-target";

export interface TokenCountQuestion {
	env: Env;
	key: KeyRecord;
	model: string;
	aliases: string[];
	native: NativeRequest;
	clientSignal: AbortSignal;
	/** The ingress's own estimate, for a model whose upstream cannot count in the client's protocol. */
	estimate(): number;
}

export interface TokenCount {
	inputTokens: number;
	/** The upstream's own count, or the gateway's estimate. */
	exact: boolean;
}

/**
 * How many input tokens a request would use, without running it: asked of the upstream where it
 * has a counting endpoint in the client's protocol (Claude), estimated otherwise. The catalog and
 * the key's allow-list apply; nothing is billed or booked against the key's limits, since nothing
 * is generated (Anthropic does not bill counting either).
 */
export async function countTokens(question: TokenCountQuestion): Promise<TokenCount> {
	const { env, native } = question;
	const resolved = await resolveNamed(env, question.model, question.aliases, question.key);
	const counter = passThroughFor(native, resolved)?.countTokens;
	if (!counter) {
		return { inputTokens: question.estimate(), exact: false };
	}
	const settings = configOf(env).upstream;
	const exchange = await callUpstream(counter.request(native, resolved.target), {
		fetch: fetcherFor(resolved),
		firstByteTimeoutMs: settings.firstByteTimeoutMs,
		clientSignal: question.clientSignal,
	});
	const text = await readBodyText(exchange, settings.idleTimeoutMs);
	const { response } = exchange;
	if (!response.ok) {
		throw scrubUpstream(resolved.adapter.mapError(response.status, text, response.headers), resolved.target);
	}
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		body = undefined;
	}
	return { inputTokens: counter.parse(body), exact: true };
}
