/**
 * How a stored image is addressed: its URL's extension by media type, its id's shape and its R2 key.
 * Pure data, so the Gemini adapter can recognise this gateway's image URLs without the store.
 */

/** Media type → file extension of the URL; the serving route accepts only the matching one. */
export const EXTENSION_BY_TYPE: Record<string, string> = {
	"image/png": "png",
	"image/jpeg": "jpg",
	"image/webp": "webp",
	"image/gif": "gif",
	"image/heic": "heic",
	"image/heif": "heif",
	"image/avif": "avif",
};

export const IMAGE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export const r2KeyFor = (id: string) => `images/${id}`;
