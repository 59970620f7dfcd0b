import type { Config } from "../../config";
import { GatewayError } from "../../errors";
import { isObject } from "../../is-object";
import { dataUrlBytes } from "../../schemas/input-limits";
import type { ResponsesRequest } from "./schema";

/**
 * The gateway's input limits on a Responses body, whatever model answers it, as for chat: how many
 * input items and images, and how large an inline image may be. Each refusal names the field.
 */
export function checkResponsesLimits(body: Pick<ResponsesRequest, "input">, limits: Config["input"]): void {
	const items = typeof body.input === "string" || body.input === undefined ? [] : body.input;
	if (items.length > limits.maxMessages) {
		throw new GatewayError(
			400,
			`Too many input items: ${items.length}, the limit is ${limits.maxMessages}.`,
			{
				param: "input",
				code: "too_many_messages",
			},
		);
	}
	let images = 0;
	items.forEach((item, i) => {
		const content = isObject(item) && Array.isArray(item.content) ? item.content : [];
		content.forEach((part: unknown, j) => {
			if (!isObject(part) || part.type !== "input_image") return;
			images += 1;
			const param = `input[${i}].content[${j}]`;
			if (images > limits.maxImages) {
				throw new GatewayError(400, `Too many images: the limit is ${limits.maxImages} per request.`, {
					param,
					code: "too_many_images",
				});
			}
			const url = typeof part.image_url === "string" ? part.image_url : "";
			if (url.startsWith("data:") && dataUrlBytes(url) > limits.maxImageBytes) {
				throw new GatewayError(413, `An image is larger than the limit of ${limits.maxImageBytes} bytes.`, {
					param: `${param}.image_url`,
					code: "image_too_large",
				});
			}
		});
	});
}
