import * as z from "zod/mini";
import { isObject } from "../is-object";
import type { JsonObject } from "../protocols/adapter";

/**
 * A stored Responses API response, as the store hands it out, and how its D1 row and R2 body are
 * read back. Rows outlive the code that wrote them, so everything read is validated: a row or body
 * that does not match reads as absent (logged by id only: bodies hold the client's content).
 */
export interface StoredResponse {
	/** The gateway's id, `resp_…`. */
	id: string;
	/** The API key that made it; every read is scoped to it. */
	keyId: string;
	/** The catalog id of the model that answered. */
	model: string;
	/** The upstream's own response id when the upstream stored it too (OpenAI pass-through). */
	upstreamId: string | null;
	previousResponseId: string | null;
	/** The request's input items as the client sent them, as item objects (see `normalizeInput`). */
	input: JsonObject[];
	output: JsonObject[];
	/** The whole response object as returned to the client. */
	response: JsonObject;
	/** Unix milliseconds. */
	createdAt: number;
}

/** The three JSON bodies, stored in the row's columns or as one R2 object. */
export interface Bodies {
	input: JsonObject[];
	output: JsonObject[];
	response: JsonObject;
}

/** The columns every read selects, in the order of `Row`. */
export const COLUMNS =
	"id, key_id, model, upstream_id, previous_response_id, input, output, response, r2_key, created_at";

const nullableText = z.nullable(z.string());

export const rowSchema = z.object({
	id: z.string(),
	key_id: z.string(),
	model: z.string(),
	upstream_id: nullableText,
	previous_response_id: nullableText,
	input: nullableText,
	output: nullableText,
	response: nullableText,
	r2_key: nullableText,
	created_at: z.number(),
});
export type Row = z.infer<typeof rowSchema>;

// JSON.parse yields only JSON values, so an object from it is a JsonObject.
const jsonObject = z.custom<JsonObject>(isObject);
const bodiesSchema = z.object({
	input: z.array(jsonObject),
	output: z.array(jsonObject),
	response: jsonObject,
});

export const corrupt = (id: string, reason: string): null => {
	console.error(JSON.stringify({ message: "stored response unreadable, treated as absent", id, reason }));
	return null;
};

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** A row as D1 returned it: its columns checked, or null (logged) when they do not match. */
export function checkRow(raw: unknown): Row | null {
	const row = rowSchema.safeParse(raw);
	if (row.success) return row.data;
	return corrupt(isObject(raw) && typeof raw.id === "string" ? raw.id : "(no id)", "row");
}

/** The bodies of an inline row (r2_key NULL), or null (logged) when a column is missing or malformed. */
export function inlineBodies(row: Row): Bodies | null {
	if (row.input === null || row.output === null || row.response === null) return corrupt(row.id, "columns");
	return checkBodies(row.id, {
		input: parseJson(row.input),
		output: parseJson(row.output),
		response: parseJson(row.response),
	});
}

/** The bodies of an R2 object's text, or null (logged). */
export function r2Bodies(id: string, text: string): Bodies | null {
	return checkBodies(id, parseJson(text));
}

function checkBodies(id: string, raw: unknown): Bodies | null {
	const bodies = bodiesSchema.safeParse(raw);
	return bodies.success ? bodies.data : corrupt(id, "body");
}

export function toStored(row: Row, bodies: Bodies): StoredResponse {
	return {
		id: row.id,
		keyId: row.key_id,
		model: row.model,
		upstreamId: row.upstream_id,
		previousResponseId: row.previous_response_id,
		...bodies,
		createdAt: row.created_at,
	};
}
