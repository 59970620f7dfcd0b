import { en } from "zod/locales";
import * as z from "zod/mini";
import { GatewayError } from "../errors";

/**
 * `zod/mini` loads no locale, so every issue would read just "Invalid input". The 400s below quote
 * zod's English messages (`Too small: expected array to have >=1 items`), as classic `zod` words them,
 * so English is installed here for every schema. zod asks for a message only when a parse fails;
 * building the English tables then, not at start-up, keeps the global scope to one `config` call.
 */
let english: z.core.$ZodErrorMap | undefined;
z.config({
	localeError: (issue) => {
		english ??= en().localeError;
		return english(issue);
	},
});

/** `messages[0].content` style paths, as OpenAI names fields in its own errors. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
	let out = "";
	for (const segment of path) {
		if (typeof segment === "number") out += `[${segment}]`;
		else out += out ? `.${String(segment)}` : String(segment);
	}
	return out;
}

/** A 400 naming the first field that failed validation. */
export function validationError(error: z.core.$ZodError): GatewayError {
	const issue = error.issues[0];
	const param = issue ? fieldPath(issue.path) : null;
	const detail = issue?.message ?? "invalid value";
	const message = param ? `Invalid value for '${param}': ${detail}.` : `Invalid request body: ${detail}.`;
	return new GatewayError(400, message, { param, code: param ? "invalid_value" : "invalid_request" });
}

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
