import * as z from "zod/mini";

export type JsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * A zod schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1. `input` describes what a request
 * may send (defaults optional, transforms before they run), `output` what a response holds.
 * Unrepresentable types throw, so a schema the document cannot show fails the tests, not silently.
 */
export function jsonSchema(schema: z.core.$ZodType, io: "input" | "output"): JsonSchema {
	const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io });
	return rest;
}

/** The properties of an object schema as OpenAPI query parameters. */
export function queryParameters(schema: z.core.$ZodType) {
	const object = jsonSchema(schema, "input");
	const required = new Set(object.required ?? []);
	return Object.entries(object.properties ?? {}).map(([name, property]) => ({
		name,
		in: "query" as const,
		required: required.has(name),
		schema: property,
	}));
}
