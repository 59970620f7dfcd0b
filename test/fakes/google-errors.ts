import type { ServerResponse } from "node:http";
import { json } from "./http";

/**
 * Errors as the Gemini API answers them, for the fakes of its generate and embed methods:
 * `{error:{code, message, status, details?}}` with the HTTP status as `code`.
 */
export class GoogleError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly statusText = "INVALID_ARGUMENT",
		readonly details?: unknown[],
	) {
		super(message);
	}
}

export const invalid = (message: string) => new GoogleError(400, message);

/** The real API's words for a field its schema does not have. */
export const unknownField = (name: string, at?: string) =>
	invalid(
		`Invalid JSON payload received. Unknown name "${name}"${at ? ` at '${at}'` : ""}: Cannot find field.`,
	);

export const sendGoogleError = (res: ServerResponse, error: GoogleError) =>
	json(res, error.status, {
		error: {
			code: error.status,
			message: error.message,
			status: error.statusText,
			...(error.details ? { details: error.details } : {}),
		},
	});
