import { protocolNames } from "../config";
import { isObject } from "../is-object";
import type { JsonObject, ProviderMetadata } from "../protocols/adapter";

/**
 * Provider metadata as stored in D1 (a JSON text column), read back tolerantly: a row written by
 * another version, or by hand, yields only the entries that are objects under a known protocol, and
 * each adapter still validates its own entry.
 */
export function parseMetadata(text: string | null): ProviderMetadata {
	if (text === null || text === "") return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return {};
	}
	const metadata: ProviderMetadata = {};
	if (!isObject(parsed)) return metadata;
	for (const protocol of protocolNames) {
		const entry = parsed[protocol];
		if (isObject(entry)) metadata[protocol] = entry as JsonObject;
	}
	return metadata;
}

/** The column's value: null when no provider attached anything. */
export function serializeMetadata(metadata: ProviderMetadata | undefined): string | null {
	return metadata && Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : null;
}
