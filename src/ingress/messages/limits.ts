import type { Config } from "../../config";
import { GatewayError } from "../../errors";
import { isObject } from "../../is-object";
import { base64Bytes } from "../../schemas/input-limits";
import type { MessagesRequest } from "./schema";

/**
 * The gateway's input limits on a Messages body, whatever model answers it: how many messages and
 * images, and how large an inline image may be (the chat ingress applies the same settings). Images
 * inside tool results count too.
 */
export function checkMessagesLimits(body: Pick<MessagesRequest, "messages">, limits: Config["input"]): void {
	if (body.messages.length > limits.maxMessages) {
		throw new GatewayError(
			400,
			`Too many messages: ${body.messages.length}, the limit is ${limits.maxMessages}.`,
			{ param: "messages", code: "too_many_messages" },
		);
	}
	let images = 0;
	const check = (block: unknown, param: string) => {
		if (!isObject(block)) return;
		if (block.type === "tool_result" && Array.isArray(block.content)) {
			block.content.forEach((inner, k) => {
				check(inner, `${param}.content[${k}]`);
			});
			return;
		}
		if (block.type !== "image") return;
		images += 1;
		if (images > limits.maxImages) {
			throw new GatewayError(400, `Too many images: the limit is ${limits.maxImages} per request.`, {
				param,
				code: "too_many_images",
			});
		}
		const source = isObject(block.source) ? block.source : {};
		if (typeof source.data === "string" && base64Bytes(source.data.length) > limits.maxImageBytes) {
			throw new GatewayError(413, `An image is larger than the limit of ${limits.maxImageBytes} bytes.`, {
				param: `${param}.source.data`,
				code: "image_too_large",
			});
		}
	};
	body.messages.forEach((message, i) => {
		if (typeof message.content === "string") return;
		message.content.forEach((block, j) => {
			check(block, `messages[${i}].content[${j}]`);
		});
	});
}
