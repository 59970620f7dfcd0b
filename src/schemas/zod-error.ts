import { en } from "zod/locales";
import * as z from "zod/mini";
import { GatewayError } from "../errors";

/**
 * `zod/mini` loads no locale, so every issue would read just "Invalid input". The 400s below quote
 * zod's English messages (`Too small: expected array to have >=1 items`), as classic `zod` words them,
 * so the parses whose messages reach a client pass English explicitly, and zod's global
 * configuration stays untouched. zod asks for a message only when a parse fails; the English tables
 * are built then, not at start-up.
 */
let english: z.core.$ZodErrorMap | undefined;
const inEnglish: z.core.ParseContext<z.core.$ZodIssue> = {
	error: (issue) => {
		english ??= en().localeError;
		return english(issue);
	},
};

/** `schema.safeParse`, with its issues worded in English. */
export function safeParseInEnglish<S extends z.ZodMiniType>(schema: S, value: unknown) {
	return z.safeParse(schema, value, inEnglish);
}

/** The value as the schema parses it, or the 400 that names its first invalid field. */
export function validated<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> {
	const parsed = safeParseInEnglish(schema, value);
	if (!parsed.success) throw validationError(parsed.error);
	return parsed.data;
}

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
