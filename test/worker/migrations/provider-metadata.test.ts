import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const before = env.TEST_MIGRATIONS.filter((migration) => migration.name < "0008");

describe("migration 0008: provider metadata", () => {
	it("moves every image's thought signature into provider_metadata, losing nothing", async () => {
		const db = env.MIGRATION_DB;
		await applyD1Migrations(db, before);
		const insert = db.prepare(
			"INSERT INTO images (id, gate_id, key_id, r2_key, media_type, size, sha256, created_at, thought_signature) VALUES (?, 'gate-1', 'key-1', ?, 'image/png', 3, 'ab', 1, ?)",
		);
		await db.batch([
			insert.bind("signed", "images/signed", "aW1hZ2Utc2lnbmF0dXJl"),
			insert.bind("unsigned", "images/unsigned", null),
			// Not base64: moved as the string it is.
			insert.bind("odd", "images/odd", 'skip_thought_signature_validator "quoted"'),
		]);

		await applyD1Migrations(db, env.TEST_MIGRATIONS);

		const { results } = await db
			.prepare("SELECT id, provider_metadata FROM images ORDER BY id")
			.all<{ id: string; provider_metadata: string | null }>();
		expect(results).toEqual([
			{
				id: "odd",
				provider_metadata: '{"gemini":{"thoughtSignature":"skip_thought_signature_validator \\"quoted\\""}}',
			},
			{ id: "signed", provider_metadata: '{"gemini":{"thoughtSignature":"aW1hZ2Utc2lnbmF0dXJl"}}' },
			{ id: "unsigned", provider_metadata: null },
		]);
		const columns = await db.prepare("SELECT name FROM pragma_table_info('images')").all<{ name: string }>();
		expect(columns.results.map((column) => column.name)).not.toContain("thought_signature");
		const turnState = await db
			.prepare("SELECT name FROM pragma_table_info('turn_state') ORDER BY cid")
			.all<{ name: string }>();
		expect(turnState.results.map((column) => column.name)).toEqual([
			"key_id",
			"tool_call_id",
			"provider_metadata",
			"created_at",
		]);
	});
});
