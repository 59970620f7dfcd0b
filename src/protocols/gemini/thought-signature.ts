/**
 * Gemini 3 signs the function calls it makes (`thoughtSignature` on the functionCall part) and
 * rejects a later request whose current-turn function calls come back without their signature
 * ("you must pass back thought signatures during function calling, otherwise you will get a
 * validation error", https://ai.google.dev/gemini-api/docs/thought-signatures). OpenAI clients
 * know nothing of signatures, but they do send every tool call id back verbatim. So the signature
 * travels inside the id: the adapter stays stateless (no KV/D1 lookup on the request path, nothing
 * to expire), and a conversation survives gateway restarts and replicas.
 *
 * Cost: ids grow with the signature (about 1.4 characters per signature byte; Gemini's function-call
 * signatures are a few hundred bytes to a few KB). OpenAI's SDKs type the id as a plain `string`
 * with no length limit (openai-node `ChatCompletionMessageToolCall.id: string`), and the id is only
 * ever echoed back to us.
 *
 * Only function-call signatures travel in ids. Signatures on text parts (Gemini 3 puts one on the
 * last part of every answer) are dropped: the API validates signatures of function calls in the
 * current turn only (same page, "Validation"). Those on image parts can be over a megabyte, so they
 * are kept with the stored image instead, as its provider metadata (`{gemini:{thoughtSignature}}`).
 *
 * Format: `call_<24 alphanumerics>` unsigned; `call_<24>_ts_<sig>` when the signature is canonical
 * standard base64 (mapped to base64url, padding dropped: reversible, and the id keeps to
 * `[A-Za-z0-9_-]`); `call_<24>_tr_<base64url(utf-8 of sig)>` for any other string, so even an
 * unusual value such as the documented `skip_thought_signature_validator` round-trips exactly.
 */

import type { ProviderMetadata } from "../adapter";
import { base64ToBytes, bytesToBase64 } from "./base64";

const PREFIX = "call_";
const RANDOM_LENGTH = 24;
const BASE64_MARK = "_ts_";
const RAW_MARK = "_tr_";
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** A fresh OpenAI tool call id, carrying the function call's signature when it has one. */
export function mintToolCallId(signature?: string): string {
	const id = PREFIX + randomAlphanumeric(RANDOM_LENGTH);
	if (!signature) return id;
	if (CANONICAL_BASE64.test(signature)) return id + BASE64_MARK + base64ToUrl(signature);
	return id + RAW_MARK + bytesToBase64Url(new TextEncoder().encode(signature));
}

/** The signature a tool call id carries, or undefined for ids we did not mint or that carry none. */
export function readSignature(id: string): string | undefined {
	if (!id.startsWith(PREFIX)) return undefined;
	const markAt = PREFIX.length + RANDOM_LENGTH;
	const mark = id.slice(markAt, markAt + BASE64_MARK.length);
	const payload = id.slice(markAt + BASE64_MARK.length);
	if (payload === "" || !BASE64URL.test(payload)) return undefined;
	if (mark === BASE64_MARK) return urlToBase64(payload);
	if (mark === RAW_MARK) {
		try {
			return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(base64UrlToBytes(payload));
		} catch {
			return undefined;
		}
	}
	return undefined;
}

/** A generated image's metadata: the signature Gemini put on its part, if any. */
export function imageMetadata(signature: string | undefined): ProviderMetadata | undefined {
	return signature ? { gemini: { thoughtSignature: signature } } : undefined;
}

/** The signature kept with a stored image, when it is a string. */
export function imageSignature(metadata: ProviderMetadata): string | undefined {
	const signature = metadata.gemini?.thoughtSignature;
	return typeof signature === "string" && signature !== "" ? signature : undefined;
}

function randomAlphanumeric(length: number): string {
	// 62 does not divide 256; rejection sampling keeps every character equally likely.
	let out = "";
	while (out.length < length) {
		for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
			if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
		}
	}
	return out;
}

function base64ToUrl(base64: string): string {
	return base64.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}

function urlToBase64(url: string): string {
	const base64 = url.replaceAll("-", "+").replaceAll("_", "/");
	return base64 + "=".repeat((4 - (base64.length % 4)) % 4);
}

function bytesToBase64Url(bytes: Uint8Array): string {
	return base64ToUrl(bytesToBase64(bytes));
}

function base64UrlToBytes(url: string): Uint8Array {
	return base64ToBytes(urlToBase64(url));
}
