import { GatewayError } from "../../errors";
import type { ImageFetcher } from "./convert-messages";

/** What one request may pull in through image URLs, all images together (base64 text). */
export const TOTAL_FETCHED_IMAGE_CHARS = 28 * 1024 * 1024; // about 20 MiB of image bytes
/** Image URLs fetched at the same time. */
export const IMAGE_FETCH_CONCURRENCY = 4;

/**
 * Wraps an image fetcher so that one request cannot exhaust the isolate's memory (128 MB on Workers,
 * shared with every other request it serves): at most a few fetches run at once, and the images of
 * one request together stay under a total, past which the request is refused with a 413.
 */
export function limitImageFetches(fetchOne: ImageFetcher): ImageFetcher {
	let running = 0;
	const waiting: Array<() => void> = [];
	let totalChars = 0;
	const slot = async () => {
		while (running >= IMAGE_FETCH_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
		running += 1;
	};
	const release = () => {
		running -= 1;
		waiting.shift()?.();
	};
	return async (url, param) => {
		await slot();
		try {
			if (totalChars > TOTAL_FETCHED_IMAGE_CHARS) throw tooMuch(param);
			const image = await fetchOne(url, param);
			totalChars += image.data.length;
			if (totalChars > TOTAL_FETCHED_IMAGE_CHARS) throw tooMuch(param);
			return image;
		} finally {
			release();
		}
	};
}

const tooMuch = (param: string) =>
	new GatewayError(413, "The images this request links to are larger than 20 MiB together.", {
		param,
		code: "images_too_large",
		retryable: false,
	});
