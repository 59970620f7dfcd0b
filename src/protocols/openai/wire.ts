import { z } from "zod";

/** Just enough of OpenAI's response shapes to know a body is what it claims to be; the rest passes through. */
export const completionWire = z.looseObject({
	choices: z.array(
		z.looseObject({
			index: z.number().optional(),
			message: z.looseObject({ role: z.string().optional() }),
			finish_reason: z.string().nullish(),
		}),
	),
	usage: z.looseObject({}).nullish(),
});

export const chunkWire = z.looseObject({
	choices: z
		.array(
			z.looseObject({
				index: z.number().optional(),
				delta: z.looseObject({}).optional(),
				finish_reason: z.string().nullish(),
			}),
		)
		.optional(),
	usage: z.looseObject({}).nullish(),
});

export const errorWire = z.looseObject({
	error: z.looseObject({
		message: z.string().optional(),
		type: z.string().nullish(),
		param: z.string().nullish(),
		code: z.union([z.string(), z.number()]).nullish(),
	}),
});
