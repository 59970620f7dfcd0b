import type { Env } from "../env";
import type { StoredImage } from "../protocols/adapter";
import { parseMetadata } from "../round-trip/metadata";
import { r2KeyFor } from "./addresses";

/** Larger stored images are not loaded back: an image fetched by URL may not be larger either. */
const MAX_LOADED_BYTES = 5 * 1024 * 1024;

/**
 * An image this gateway stored, by its id: its row in D1 and its bytes in R2. Null when either is
 * gone, or when it is larger than MAX_LOADED_BYTES.
 */
export async function loadStoredImage(env: Env, id: string): Promise<StoredImage | null> {
	const row = await env.DB.prepare("SELECT media_type, size, provider_metadata FROM images WHERE id = ?")
		.bind(id)
		.first<{ media_type: string; size: number; provider_metadata: string | null }>();
	if (!row || row.size > MAX_LOADED_BYTES) return null;
	const object = await env.IMAGES.get(r2KeyFor(id));
	if (!object) return null;
	return {
		mimeType: row.media_type,
		bytes: new Uint8Array(await object.arrayBuffer()),
		metadata: parseMetadata(row.provider_metadata),
	};
}
