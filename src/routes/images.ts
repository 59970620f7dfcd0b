import { Hono } from "hono";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors";
import { EXTENSION_BY_TYPE, IMAGE_ID_PATTERN, r2KeyFor } from "../images/addresses";

/**
 * GET /v1/images/<id>.<ext>: the bytes of a generated image, exactly as stored. No auth: the
 * unguessable id is the capability, which is what lets chat UIs show the image with a plain <img>.
 * Images never change, so they are cacheable for a year and revalidate by etag.
 */
export const imagesRoute = new Hono<AppEnv>();

imagesRoute.get("/:file", async (c) => {
	const match = /^([^.]+)\.([a-z0-9]+)$/.exec(c.req.param("file"));
	const id = match?.[1];
	const ext = match?.[2];
	if (!id || !ext || !IMAGE_ID_PATTERN.test(id)) throw notFound();

	const key = r2KeyFor(id);
	const ifNoneMatch = c.req.header("if-none-match");
	// A revalidation needs no bytes: the metadata alone decides between 304 and a full answer.
	let full: R2ObjectBody | null = null;
	let object: R2Object | null;
	if (ifNoneMatch) object = await c.env.IMAGES.head(key);
	else object = full = await c.env.IMAGES.get(key);
	if (!object) throw notFound();
	const contentType = object.httpMetadata?.contentType ?? "";
	if (EXTENSION_BY_TYPE[contentType] !== ext) {
		await full?.body.cancel();
		throw notFound();
	}
	const headers = {
		etag: object.httpEtag,
		"cache-control": "public, max-age=31536000, immutable",
		"content-type": contentType,
		"x-content-type-options": "nosniff",
	};
	if (ifNoneMatch && etagMatches(ifNoneMatch, object.etag)) return c.body(null, 304, headers);
	full ??= await c.env.IMAGES.get(key);
	if (!full) throw notFound();
	return c.body(full.body, 200, { ...headers, "content-length": String(full.size) });
});

function notFound(): GatewayError {
	return new GatewayError(404, "No such image.", { code: "image_not_found" });
}

/** If-None-Match is `*` or a list of (possibly weak) quoted etags; comparison is weak, per RFC 9110 13.1.2. */
function etagMatches(header: string, etag: string): boolean {
	if (header.trim() === "*") return true;
	return header.split(",").some((tag) => tag.trim().replace(/^W\//, "").replace(/^"|"$/g, "") === etag);
}
