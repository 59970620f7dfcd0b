import type { Context } from "hono";
import type { AppEnv } from "../env";
import { buildOpenApiDocument } from "../openapi/document";

/** Built on the first request, not at start-up, then kept for the life of the isolate. */
let cached: string | null = null;

/** `GET /openapi.json`: the OpenAPI 3.1 description of the public and admin API. */
export function openApiJson(c: Context<AppEnv>): Response {
	cached ??= JSON.stringify(buildOpenApiDocument());
	return c.body(cached, 200, { "content-type": "application/json; charset=utf-8" });
}
