import { GatewayError } from "./errors";

/**
 * The request's JSON body. JSON nested deeper than MAX_JSON_DEPTH is refused: V8's JSON.stringify
 * recurses on some object shapes and, depending on the runtime's stack, overflows some thousands of
 * levels down, so such a body could not be forwarded reliably.
 */
export async function readJson(request: Request): Promise<unknown> {
	const text = await request.text();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		throw new GatewayError(
			400,
			"We could not parse the JSON body of your request. The body must be valid JSON with Content-Type: application/json.",
			{ code: "invalid_json" },
		);
	}
	if (text.length > MAX_JSON_DEPTH && nestsDeeperThan(text, MAX_JSON_DEPTH)) {
		throw new GatewayError(400, "The request body nests JSON too deeply to be forwarded.", {
			code: "nesting_too_deep",
		});
	}
	return body;
}

export const MAX_JSON_DEPTH = 512;

const structural = /["[\]{}]/g;

/** Whether valid JSON text opens more than `max` arrays and objects inside each other. */
function nestsDeeperThan(text: string, max: number): boolean {
	let depth = 0;
	structural.lastIndex = 0;
	for (let match = structural.exec(text); match !== null; match = structural.exec(text)) {
		const char = text[match.index];
		if (char === '"') {
			// Jump over the string natively: the next quote not escaped by an odd run of backslashes.
			let end = match.index;
			for (;;) {
				end = text.indexOf('"', end + 1);
				let slashes = 0;
				while (text[end - 1 - slashes] === "\\") slashes++;
				if (slashes % 2 === 0) break;
			}
			structural.lastIndex = end + 1;
		} else if (char === "[" || char === "{") {
			if (++depth > max) return true;
		} else {
			depth--;
		}
	}
	return false;
}
