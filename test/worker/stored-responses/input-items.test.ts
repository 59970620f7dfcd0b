import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../src/protocols/adapter";
import { normalizeInput } from "../../../src/stored-responses/items";
import { INLINE_LIMIT_BYTES, listInputItems, saveResponse } from "../../../src/stored-responses/store";
import { newId, record, userMessage } from "./records";

const KEY = "key-items-a";

describe("normalizeInput", () => {
	it("turns a string into one user message and easy messages into message items, keeping the rest", () => {
		expect(normalizeInput("hi")).toEqual([
			{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] },
		]);
		const call: JsonObject = {
			type: "function_call",
			id: "fc_9",
			call_id: "call_9",
			name: "f",
			arguments: "{}",
		};
		const parts: JsonObject = {
			role: "user",
			content: [{ type: "input_image", image_url: "https://x/y.png" }],
		};
		expect(
			normalizeInput([
				{ role: "developer", content: "be brief" },
				{ role: "assistant", content: "earlier answer" },
				{ type: "message", role: "user", content: "typed" },
				parts,
				call,
			]),
		).toEqual([
			{ type: "message", role: "developer", content: [{ type: "input_text", text: "be brief" }] },
			{ type: "message", role: "assistant", content: [{ type: "output_text", text: "earlier answer" }] },
			{ type: "message", role: "user", content: [{ type: "input_text", text: "typed" }] },
			{ ...parts, type: "message" },
			call,
		]);
	});
});

describe("listInputItems", () => {
	/** Five input items, the fourth with an id of its own. */
	async function stored(large = false) {
		const id = newId(large ? "listr2" : "list");
		const input = [
			userMessage("a"),
			userMessage(large ? "b".repeat(INLINE_LIMIT_BYTES) : "b"),
			{ type: "function_call_output", call_id: "call_1", output: "c" },
			{ type: "reasoning", id: "rs_own", summary: [] },
			userMessage("e"),
		];
		await saveResponse(env, record({ id, keyId: KEY, input }));
		const suffix = id.slice(5);
		return {
			id,
			ids: [`item_${suffix}_0`, `item_${suffix}_1`, `item_${suffix}_2`, "rs_own", `item_${suffix}_4`],
		};
	}

	it("lists the newest item first by default, with ids for items that had none", async () => {
		const { id, ids } = await stored();
		const page = await listInputItems(env, KEY, id);
		expect(page).toEqual({
			object: "list",
			data: [
				{ ...userMessage("e"), id: ids[4] },
				{ type: "reasoning", id: "rs_own", summary: [] },
				{ type: "function_call_output", call_id: "call_1", output: "c", id: ids[2] },
				{ ...userMessage("b"), id: ids[1] },
				{ ...userMessage("a"), id: ids[0] },
			],
			first_id: ids[4],
			last_id: ids[0],
			has_more: false,
		});
		// Stable: the same ids on every read.
		expect(await listInputItems(env, KEY, id)).toEqual(page);
	});

	it("pages with limit and after, in both orders", async () => {
		const { id, ids } = await stored();
		const idsOf = (page: { data: { id: string }[] } | null) => page?.data.map((item) => item.id);

		const first = await listInputItems(env, KEY, id, { limit: 2 });
		expect(idsOf(first)).toEqual([ids[4], ids[3]]);
		expect(first).toMatchObject({ first_id: ids[4], last_id: ids[3], has_more: true });
		const second = await listInputItems(env, KEY, id, { limit: 2, after: first?.last_id ?? "" });
		expect(idsOf(second)).toEqual([ids[2], ids[1]]);
		expect(second?.has_more).toBe(true);
		const third = await listInputItems(env, KEY, id, { limit: 2, after: second?.last_id ?? "" });
		expect(idsOf(third)).toEqual([ids[0]]);
		expect(third).toMatchObject({ first_id: ids[0], last_id: ids[0], has_more: false });

		const asc = await listInputItems(env, KEY, id, { order: "asc", limit: 3 });
		expect(idsOf(asc)).toEqual(ids.slice(0, 3));
		expect(asc?.has_more).toBe(true);
		const ascRest = await listInputItems(env, KEY, id, { order: "asc", limit: 3, after: "rs_own" });
		expect(idsOf(ascRest)).toEqual([ids[4]]);
		expect(ascRest?.has_more).toBe(false);
		// Exactly the rest: no more after it.
		expect((await listInputItems(env, KEY, id, { order: "asc", limit: 2, after: ids[2] }))?.has_more).toBe(
			false,
		);

		// The last item as cursor, or an unknown one: an empty page.
		for (const after of [ids[0] as string, "item_nope"]) {
			expect(await listInputItems(env, KEY, id, { after })).toEqual({
				object: "list",
				data: [],
				first_id: null,
				last_id: null,
				has_more: false,
			});
		}
		// Limits outside 1–100 are clamped.
		expect(idsOf(await listInputItems(env, KEY, id, { limit: 0 }))).toEqual([ids[4]]);
		expect(idsOf(await listInputItems(env, KEY, id, { limit: 1000 }))).toHaveLength(5);
	});

	it("lists a response stored in R2 the same way, and nothing for another key or an unknown id", async () => {
		const { id, ids } = await stored(true);
		const page = await listInputItems(env, KEY, id, { order: "asc", limit: 2, after: ids[0] });
		expect(page?.data.map((item) => item.id)).toEqual([ids[1], ids[2]]);
		expect(page?.data[0]).toEqual({ ...userMessage("b".repeat(INLINE_LIMIT_BYTES)), id: ids[1] });
		expect(await listInputItems(env, "key-items-b", id)).toBeNull();
		expect(await listInputItems(env, KEY, newId("unknown"))).toBeNull();
	});

	it("lists only the response's own input, not its predecessors'", async () => {
		const first = record({ id: newId("own1"), keyId: KEY, input: [userMessage("first")] });
		const second = record({
			id: newId("own2"),
			keyId: KEY,
			previousResponseId: first.id,
			input: [userMessage("second")],
		});
		await saveResponse(env, first);
		await saveResponse(env, second);
		expect((await listInputItems(env, KEY, second.id))?.data).toEqual([
			{ ...userMessage("second"), id: `item_${second.id.slice(5)}_0` },
		]);
	});
});
