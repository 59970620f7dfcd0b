import type { Context } from "hono";
import type { AppEnv } from "../env";
import { createImageStore } from "../images/store";
import type { ResponseContext } from "../protocols/adapter";

/** Images a model draws are stored in R2 and linked under this gateway's own origin. */
export function storeImageFor(c: Context<AppEnv>): ResponseContext["storeImage"] {
	let store: ResponseContext["storeImage"] | undefined;
	// Built on the first image only: most answers hold none, and parsing the URL showed in profiles.
	return (base64, mimeType) => {
		store ??= createImageStore(c.env, {
			gateId: c.get("gateId"),
			keyId: c.get("apiKey").id,
			origin: new URL(c.req.url).origin,
		});
		return store(base64, mimeType);
	};
}
