/** Small builders for the repeated pieces of OpenAPI operations. */

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const jsonBody = (name: string) => ({
	required: true,
	content: { "application/json": { schema: schemaRef(name) } },
});

export const jsonAnswer = (description: string, name: string) => ({
	description,
	content: { "application/json": { schema: schemaRef(name) } },
});

export const pathParameter = (name: string, description: string) => ({
	name,
	in: "path" as const,
	required: true,
	description,
	schema: { type: "string" },
});

/** Error answers, all with OpenAI's error body; 500 is added to every operation. */
export function errors(described: Record<number, string>) {
	const all: Record<number, string> = { ...described, 500: "Internal gateway error." };
	return Object.fromEntries(
		Object.entries(all).map(([status, description]) => {
			const answer = jsonAnswer(description, "Error");
			if (status !== "429") return [status, answer];
			const retryAfter = { description: "Seconds to wait before trying again.", schema: { type: "integer" } };
			return [status, { ...answer, headers: { "retry-after": retryAfter } }];
		}),
	);
}

/** The errors every /admin operation can answer. */
export const adminErrors = {
	401: "Missing or wrong admin token.",
	503: "The admin API is disabled: the ADMIN_TOKEN secret is not set.",
};

export const apiKeySecurity = [{ apiKey: [] }];
export const adminSecurity = [{ adminToken: [] }];
