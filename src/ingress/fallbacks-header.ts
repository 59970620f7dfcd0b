import { invalidRequest } from "../errors";

/** Gateway header naming the models to fall over to, in order, for APIs whose body has no field for it. */
export const FALLBACKS_HEADER = "x-aigate-fallbacks";
const MAX_FALLBACKS = 10;

/** The fallback model ids a request's headers name; undefined leaves it to the catalog. */
export function fallbacksFrom(headers: Headers): string[] | undefined {
	const value = headers.get(FALLBACKS_HEADER);
	if (value === null) return undefined;
	const ids = value
		.split(",")
		.map((id) => id.trim())
		.filter((id) => id !== "");
	if (ids.length === 0 || ids.length > MAX_FALLBACKS) {
		throw invalidRequest(
			`${FALLBACKS_HEADER} must name 1 to ${MAX_FALLBACKS} comma-separated model ids.`,
			FALLBACKS_HEADER,
			"invalid_value",
		);
	}
	return ids;
}
