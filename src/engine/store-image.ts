import type { Env } from "../env";
import { createImageStore } from "../images/store";
import type { ResponseContext } from "../protocols/adapter";

/** Images a model draws are stored in R2 and linked under this gateway's own origin. */
export function storeImageFor(
	env: Env,
	gateId: string,
	keyId: string,
	requestUrl: string,
): ResponseContext["storeImage"] {
	let store: ResponseContext["storeImage"] | undefined;
	// Built on the first image only: most answers hold none, and parsing the URL showed in profiles.
	return (base64, mimeType, metadata) => {
		store ??= createImageStore(env, { gateId, keyId, origin: new URL(requestUrl).origin });
		return store(base64, mimeType, metadata);
	};
}
