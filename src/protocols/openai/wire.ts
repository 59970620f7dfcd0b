import * as z from "zod/mini";

/** Just enough of OpenAI's response shapes to know a body is what it claims to be; the rest passes through. */
export const completionWire = z.looseObject({
	choices: z.array(
		z.looseObject({
			index: z.optional(z.number()),
			message: z.looseObject({ role: z.optional(z.string()) }),
			finish_reason: z.nullish(z.string()),
		}),
	),
	usage: z.nullish(z.looseObject({})),
});

export const errorWire = z.looseObject({
	error: z.looseObject({
		message: z.optional(z.string()),
		type: z.nullish(z.string()),
		param: z.nullish(z.string()),
		code: z.nullish(z.union([z.string(), z.number()])),
	}),
});
