import type { Config } from "../config";
import { GatewayError } from "../errors";
import type { ChatRequest } from "./chat-request";

type InputLimits = Config["input"];

/** Bytes that base64 text of this length decodes to: 3 in 4 characters; padding is ignored, so this may overcount by 2. */
export const base64Bytes = (length: number) => Math.floor((length * 3) / 4);

/** The bytes a `data:` URL carries. */
export const dataUrlBytes = (dataUrl: string) => base64Bytes(dataUrl.length - dataUrl.indexOf(",") - 1);

/**
 * Limits no schema expresses: how many messages and images one request may carry, and how large an
 * inline image may be. Each refusal names the field, so a client can tell what to trim.
 */
export function checkInputLimits(request: ChatRequest, limits: InputLimits): void {
	if (request.messages.length > limits.maxMessages) {
		throw new GatewayError(
			400,
			`Too many messages: ${request.messages.length}, the limit is ${limits.maxMessages}.`,
			{
				param: "messages",
				code: "too_many_messages",
			},
		);
	}
	let images = 0;
	request.messages.forEach((message, i) => {
		if (message.role !== "user" || typeof message.content === "string") return;
		message.content.forEach((part, j) => {
			if (part.type !== "image_url") return;
			images += 1;
			if (images > limits.maxImages) {
				throw new GatewayError(400, `Too many images: the limit is ${limits.maxImages} per request.`, {
					param: `messages[${i}].content[${j}]`,
					code: "too_many_images",
				});
			}
			const url = part.image_url.url;
			if (url.startsWith("data:") && dataUrlBytes(url) > limits.maxImageBytes) {
				throw new GatewayError(413, `An image is larger than the limit of ${limits.maxImageBytes} bytes.`, {
					param: `messages[${i}].content[${j}].image_url.url`,
					code: "image_too_large",
				});
			}
		});
	});
}
