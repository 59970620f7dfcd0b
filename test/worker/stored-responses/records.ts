import { env } from "cloudflare:workers";
import type { JsonObject } from "../../../src/protocols/adapter";
import type { StoredResponse } from "../../../src/stored-responses/record";

/** Test records of stored responses, and what D1 and R2 hold for them. */

export const newId = (hint: string) => `resp_${hint}${crypto.randomUUID().replaceAll("-", "")}`;

export const userMessage = (text: string): JsonObject => ({
	type: "message",
	role: "user",
	content: [{ type: "input_text", text }],
});

export const assistantMessage = (id: string, text: string): JsonObject => ({
	id,
	type: "message",
	role: "assistant",
	status: "completed",
	content: [{ type: "output_text", text, annotations: [] }],
});

export function record(overrides: Partial<StoredResponse> & { id: string; keyId: string }): StoredResponse {
	const output = overrides.output ?? [
		assistantMessage(`msg_${overrides.id.slice(5)}_0`, `answer of ${overrides.id}`),
	];
	return {
		model: "openai/gpt-test",
		upstreamId: null,
		previousResponseId: null,
		input: [userMessage(`question of ${overrides.id}`)],
		response: { id: overrides.id, object: "response", status: "completed", output },
		createdAt: Date.now(),
		...overrides,
		output,
	};
}

export type Columns = Record<string, string | number | null>;

export const row = (id: string) =>
	env.DB.prepare("SELECT * FROM stored_responses WHERE id = ?").bind(id).first<Columns>();

export const objectExists = async (key: string) => (await env.IMAGES.head(key)) !== null;
