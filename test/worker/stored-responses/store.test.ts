import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
	conversationOf,
	deleteResponse,
	INLINE_LIMIT_BYTES,
	loadResponse,
	MAX_CONVERSATION_DEPTH,
	r2KeyForResponse,
	saveResponse,
} from "../../../src/stored-responses/store";
import { assistantMessage, newId, objectExists, record, row, userMessage } from "./records";

const KEY = "key-stored-a";
const OTHER_KEY = "key-stored-b";

afterEach(() => {
	vi.restoreAllMocks();
});

describe("stored responses: save, load, delete", () => {
	it("keeps a small response in its row and reads it back as saved", async () => {
		const saved = record({
			id: newId("small"),
			keyId: KEY,
			upstreamId: "resp_upstream123",
			previousResponseId: "resp_before",
			input: [userMessage("héllo ✓"), { type: "function_call_output", call_id: "call_1", output: "42" }],
		});
		await saveResponse(env, saved);
		expect(await loadResponse(env, KEY, saved.id)).toEqual(saved);
		const columns = await row(saved.id);
		expect(columns).toMatchObject({ key_id: KEY, model: "openai/gpt-test", r2_key: null });
		expect(JSON.parse(String(columns?.input))).toEqual(saved.input);
		expect(JSON.parse(String(columns?.response))).toEqual(saved.response);
		expect(await objectExists(r2KeyForResponse(saved.id))).toBe(false);
	});

	it("keeps a large response in R2, reads it back transparently, and deletes the object with the row", async () => {
		// Over the limit in UTF-8 bytes though not in characters: "é" is two bytes.
		const text = "é".repeat(INLINE_LIMIT_BYTES / 2 + 1);
		const saved = record({ id: newId("large"), keyId: KEY, input: [userMessage(text)] });
		await saveResponse(env, saved);
		const columns = await row(saved.id);
		expect(columns).toMatchObject({
			r2_key: `responses/${saved.id}.json`,
			input: null,
			output: null,
			response: null,
		});
		const object = await env.IMAGES.get(`responses/${saved.id}.json`);
		expect(object?.httpMetadata?.contentType).toBe("application/json");
		expect(JSON.parse((await object?.text()) ?? "")).toEqual({
			input: saved.input,
			output: saved.output,
			response: saved.response,
		});
		expect(await loadResponse(env, KEY, saved.id)).toEqual(saved);

		expect(await deleteResponse(env, KEY, saved.id)).toBe(true);
		expect(await row(saved.id)).toBeNull();
		expect(await objectExists(`responses/${saved.id}.json`)).toBe(false);
		expect(await loadResponse(env, KEY, saved.id)).toBeNull();
		expect(await deleteResponse(env, KEY, saved.id)).toBe(false);
	});

	it("keeps a response just under the limit in its row", async () => {
		const base = record({ id: newId("edge"), keyId: KEY, input: [userMessage("")] });
		const overhead =
			JSON.stringify(base.input).length +
			JSON.stringify(base.output).length +
			JSON.stringify(base.response).length;
		const saved = { ...base, input: [userMessage("a".repeat(INLINE_LIMIT_BYTES - overhead))] };
		await saveResponse(env, saved);
		expect((await row(saved.id))?.r2_key).toBeNull();
		expect(await loadResponse(env, KEY, saved.id)).toEqual(saved);
	});

	it("scopes every read to the key that stored the response", async () => {
		const small = record({ id: newId("scoped"), keyId: KEY });
		const large = record({
			id: newId("scopedr2"),
			keyId: KEY,
			input: [userMessage("x".repeat(INLINE_LIMIT_BYTES))],
		});
		await saveResponse(env, small);
		await saveResponse(env, large);
		for (const saved of [small, large]) {
			expect(await loadResponse(env, OTHER_KEY, saved.id)).toBeNull();
			expect(await conversationOf(env, OTHER_KEY, saved.id)).toBeNull();
			expect(await deleteResponse(env, OTHER_KEY, saved.id)).toBe(false);
			// Another key's delete touched nothing.
			expect(await loadResponse(env, KEY, saved.id)).toEqual(saved);
		}
		expect(await objectExists(r2KeyForResponse(large.id))).toBe(true);
		expect(await loadResponse(env, KEY, newId("unknown"))).toBeNull();
		expect(await deleteResponse(env, KEY, newId("unknown"))).toBe(false);
	});

	it("refuses a second response with the same id, and leaves no R2 object behind", async () => {
		const first = record({ id: newId("twice"), keyId: KEY });
		await saveResponse(env, first);
		const again = { ...first, input: [userMessage("y".repeat(INLINE_LIMIT_BYTES))] };
		await expect(saveResponse(env, again)).rejects.toThrow(/UNIQUE constraint failed/);
		expect(await objectExists(r2KeyForResponse(first.id))).toBe(false);
		expect(await loadResponse(env, KEY, first.id)).toEqual(first);
	});

	it("reads a corrupt row as absent, logging its id and nothing of its content", async () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		const badJson = newId("badjson");
		const notArray = newId("notarray");
		const noObject = newId("noobject");
		const badColumn = newId("badcolumn");
		const insert = (
			id: string,
			input: string | null,
			r2Key: string | null,
			createdAt: number | string = Date.now(),
		) =>
			env.DB.prepare(
				"INSERT INTO stored_responses (id, key_id, model, input, output, response, r2_key, created_at) VALUES (?, ?, ?, ?, '[]', '{}', ?, ?)",
			)
				.bind(id, KEY, "m", input, r2Key, createdAt)
				.run();
		await insert(badJson, '[{"type":"message", SECRET', null);
		await insert(notArray, '{"type":"message"}', null);
		await insert(noObject, null, `responses/${noObject}.json`);
		// A time that is no number (TEXT sorts above every INTEGER, so the row is not hidden as expired).
		await insert(badColumn, "[]", null, "yesterday");
		for (const id of [badJson, notArray, noObject, badColumn]) {
			expect(await loadResponse(env, KEY, id)).toBeNull();
			expect(await conversationOf(env, KEY, id)).toBeNull();
		}
		const logged = errors.mock.calls.map((call) => JSON.parse(String(call[0])));
		expect(logged).toContainEqual({
			message: "stored response unreadable, treated as absent",
			id: badJson,
			reason: "body",
		});
		expect(logged).toContainEqual({
			message: "stored response unreadable, treated as absent",
			id: notArray,
			reason: "body",
		});
		expect(logged).toContainEqual({
			message: "stored response unreadable, treated as absent",
			id: noObject,
			reason: "r2 object missing",
		});
		expect(logged).toContainEqual({
			message: "stored response unreadable, treated as absent",
			id: badColumn,
			reason: "row",
		});
		expect(JSON.stringify(logged)).not.toContain("SECRET");
		// A corrupt row can still be deleted.
		expect(await deleteResponse(env, KEY, badJson)).toBe(true);
	});
});

describe("stored responses: conversationOf", () => {
	/** Three chained responses of one key, the middle one stored in R2. */
	async function chain(hint: string) {
		const first = record({ id: newId(`${hint}1`), keyId: KEY, input: [userMessage("one")] });
		const second = record({
			id: newId(`${hint}2`),
			keyId: KEY,
			previousResponseId: first.id,
			input: [userMessage("two".repeat(INLINE_LIMIT_BYTES))],
			output: [
				{
					id: "fc_1",
					type: "function_call",
					call_id: "call_1",
					name: "lookup",
					arguments: "{}",
					status: "completed",
				},
			],
		});
		const third = record({
			id: newId(`${hint}3`),
			keyId: KEY,
			previousResponseId: second.id,
			input: [{ type: "function_call_output", call_id: "call_1", output: "found" }],
			output: [assistantMessage("msg_3", "done")],
		});
		for (const saved of [first, second, third]) await saveResponse(env, saved);
		return [first, second, third] as const;
	}

	it("rebuilds the conversation across three chained responses, oldest first", async () => {
		const [first, second, third] = await chain("conv");
		const conversation = await conversationOf(env, KEY, third.id);
		expect(conversation?.cut).toBeNull();
		expect(conversation?.responses.map((r) => r.id)).toEqual([first.id, second.id, third.id]);
		expect(conversation?.items).toEqual([
			...first.input,
			...first.output,
			...second.input,
			...second.output,
			...third.input,
			...third.output,
		]);
		// Asking for an earlier response gives the conversation up to it.
		expect((await conversationOf(env, KEY, second.id))?.responses.map((r) => r.id)).toEqual([
			first.id,
			second.id,
		]);
		expect(await conversationOf(env, KEY, newId("none"))).toBeNull();
	});

	it("stops at a deleted middle response: only what follows it remains, and the cut says why", async () => {
		const [, second, third] = await chain("gap");
		expect(await deleteResponse(env, KEY, second.id)).toBe(true);
		const conversation = await conversationOf(env, KEY, third.id);
		expect(conversation).toEqual({
			items: [...third.input, ...third.output],
			responses: [third],
			cut: "missing",
		});
	});

	it("does not follow a link into another key's response", async () => {
		const theirs = record({ id: newId("theirs"), keyId: OTHER_KEY });
		const mine = record({ id: newId("mine"), keyId: KEY, previousResponseId: theirs.id });
		await saveResponse(env, theirs);
		await saveResponse(env, mine);
		expect(await conversationOf(env, KEY, mine.id)).toMatchObject({ responses: [mine], cut: "missing" });
	});

	it("survives a cycle and bounds the depth", async () => {
		const a = newId("cycle-a");
		const b = newId("cycle-b");
		await saveResponse(env, record({ id: a, keyId: KEY, previousResponseId: b }));
		await saveResponse(env, record({ id: b, keyId: KEY, previousResponseId: a }));
		const looped = await conversationOf(env, KEY, a);
		expect(looped?.cut).toBe("cycle");
		expect(looped?.responses.map((r) => r.id)).toEqual([b, a]);

		const ids = Array.from({ length: MAX_CONVERSATION_DEPTH + 5 }, (_, i) => newId(`deep${i}-`));
		const start = Date.now() - ids.length;
		await env.DB.batch(
			ids.map((id, i) =>
				env.DB.prepare(
					"INSERT INTO stored_responses (id, key_id, model, previous_response_id, input, output, response, created_at) VALUES (?, ?, 'm', ?, ?, '[]', '{}', ?)",
				).bind(id, KEY, ids[i - 1] ?? null, JSON.stringify([userMessage(`turn ${i}`)]), start + i),
			),
		);
		const deep = await conversationOf(env, KEY, ids.at(-1) as string);
		expect(deep?.cut).toBe("too_deep");
		expect(deep?.responses.map((r) => r.id)).toEqual(ids.slice(-MAX_CONVERSATION_DEPTH));
		expect(deep?.items[0]).toEqual(userMessage("turn 5"));
		// Exactly the bound, ending at the first response: complete.
		const whole = await conversationOf(env, KEY, ids[MAX_CONVERSATION_DEPTH - 1] as string);
		expect(whole?.cut).toBeNull();
		expect(whole?.responses).toHaveLength(MAX_CONVERSATION_DEPTH);
	});
});
