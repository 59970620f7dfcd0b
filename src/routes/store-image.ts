import type { Context } from "hono";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors";
import type { ResponseContext } from "../protocols/adapter";

/** Placeholder until the image store lands (issue 4): refuses loudly rather than dropping the image. */
export function storeImageFor(_c: Context<AppEnv>): ResponseContext["storeImage"] {
	return async () => {
		throw new GatewayError(502, "This gateway cannot store generated images yet.", {
			code: "image_store_failed",
		});
	};
}
