import type { z } from "zod";
import { GatewayError } from "../errors";

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
export function validationError(error: z.ZodError): GatewayError {
	const issue = error.issues[0];
	const param = issue ? fieldPath(issue.path) : null;
	const detail = issue?.message ?? "invalid value";
	const message = param ? `Invalid value for '${param}': ${detail}.` : `Invalid request body: ${detail}.`;
	return new GatewayError(400, message, { param, code: param ? "invalid_value" : "invalid_request" });
}

export async function readJson(request: Request): Promise<unknown> {
	const text = await request.text();
	try {
		return JSON.parse(text);
	} catch {
		throw new GatewayError(
			400,
			"We could not parse the JSON body of your request. The body must be valid JSON with Content-Type: application/json.",
			{ code: "invalid_json" },
		);
	}
}
