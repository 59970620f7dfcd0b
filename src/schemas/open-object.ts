import * as z from "zod/mini";
import { safeParseInEnglish } from "./zod-error";

/** The checks of the known types of an open set, keyed by type. */
export type KnownTypes = Record<string, z.ZodMiniType>;

/**
 * An object of an open set of types, as the public APIs' blocks, items, parts and tools are: the
 * known types' fields are checked and named on failure, any other type passes (providers add types
 * often, and a pass-through must carry them). A plain union would word a broken known object as
 * "Invalid input" on the whole object; this names the field. `fallbackType` is the type assumed when
 * `type` is absent (Anthropic's custom tools, OpenAI's easy input messages).
 */
export function openObject(known: KnownTypes, description: string, fallbackType?: string) {
	const typeField = fallbackType === undefined ? z.string() : z.optional(z.string());
	// A Map, not the object: a value typed "constructor" is an unknown type, not Object's constructor.
	const checks = new Map(Object.entries(known));
	return z.looseObject({ type: typeField }).check(
		z.superRefine((value, ctx) => {
			const schema = checks.get(value.type ?? fallbackType ?? "");
			if (!schema) return;
			const parsed = safeParseInEnglish(schema, value);
			if (parsed.success) return;
			for (const issue of parsed.error.issues) {
				ctx.addIssue({ code: "custom", message: issue.message, path: issue.path, input: value });
			}
		}),
		z.describe(description),
	);
}
