import type { ResponseContext } from "../../../../src/protocols/adapter";
import type { ImageRef } from "../../../../src/schemas/chat-response";

/** A response context whose image store records what it was given and hands out numbered URLs. */
export function recordingContext(fail?: Error) {
	const stored: Array<{ base64: string; mimeType: string }> = [];
	const context: ResponseContext = {
		request: { model: "google/test", messages: [{ role: "user", content: "hi" }] },
		async storeImage(base64, mimeType): Promise<ImageRef> {
			// A real store takes a while; yielding proves ordering does not depend on it being instant.
			await new Promise((resolve) => setTimeout(resolve, 5));
			if (fail) throw fail;
			stored.push({ base64, mimeType });
			return {
				type: "image_url",
				image_url: { url: `https://gw.example/v1/images/img${stored.length}.png` },
			};
		},
	};
	return { context, stored };
}
