import { randomToken } from "../auth/crypto";
import type { Env } from "../env";
import { GatewayError } from "../errors";
import type { ProviderMetadata } from "../protocols/adapter";
import { serializeMetadata } from "../round-trip/metadata";
import type { ImageRef } from "../schemas/chat-response";
import { EXTENSION_BY_TYPE, r2KeyFor } from "./addresses";

/**
 * Generated images are kept in R2 and handed to clients as short URLs instead of megabytes of
 * base64 in the chat. The URL is the only credential (chat UIs fetch images without headers), so
 * ids carry 128 random bits. Every image also gets a D1 row (who made it, how big) for accounting
 * and for retention (src/images/retention.ts).
 */

export interface ImageMeta {
	gateId: string;
	keyId: string;
	/** The gateway's public origin, e.g. https://gateway.example.com, for absolute URLs. */
	origin: string;
}

export function createImageStore(
	env: Env,
	meta: ImageMeta,
): (base64: string, mimeType: string, metadata?: ProviderMetadata) => Promise<ImageRef> {
	return async (base64, mimeType, metadata) => {
		const mediaType = mimeType.split(";")[0]?.trim().toLowerCase() ?? "";
		const ext = EXTENSION_BY_TYPE[mediaType];
		if (!ext)
			throw storeFailed(`the provider returned an image of an unsupported type (${mediaType || "none"})`);
		const bytes = decodeBase64(base64);
		const id = randomToken(16);
		const key = r2KeyFor(id);
		const sha256 = toHex(await crypto.subtle.digest("SHA-256", bytes));

		try {
			await env.IMAGES.put(key, bytes, {
				httpMetadata: { contentType: mediaType, cacheControl: "public, max-age=31536000, immutable" },
				customMetadata: { gateId: meta.gateId, keyId: meta.keyId },
				sha256,
			});
		} catch {
			throw storeFailed("the image could not be written to storage");
		}
		try {
			await env.DB.prepare(
				"INSERT INTO images (id, gate_id, key_id, r2_key, media_type, size, sha256, created_at, provider_metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			)
				.bind(
					id,
					meta.gateId,
					meta.keyId,
					key,
					mediaType,
					bytes.byteLength,
					sha256,
					Date.now(),
					serializeMetadata(metadata),
				)
				.run();
		} catch {
			// No orphans: an object without its row would never be found by retention.
			await env.IMAGES.delete(key).catch(() => {});
			throw storeFailed("the image could not be recorded");
		}
		return {
			type: "image_url",
			image_url: { url: `${meta.origin.replace(/\/+$/, "")}/v1/images/${id}.${ext}` },
		};
	};
}

function storeFailed(reason: string): GatewayError {
	return new GatewayError(502, `The model produced an image, but ${reason}.`, { code: "image_store_failed" });
}

function decodeBase64(base64: string): Uint8Array {
	let binary: string;
	try {
		// Gemini sends standard base64; base64url and line breaks are tolerated as well (cheap, and lossless).
		binary = atob(base64.replaceAll("-", "+").replaceAll("_", "/").replace(/\s+/g, ""));
	} catch {
		throw storeFailed("its data was not valid base64");
	}
	if (binary.length === 0) throw storeFailed("it was empty");
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

function toHex(buffer: ArrayBuffer): string {
	return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
