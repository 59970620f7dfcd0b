import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("migration 0010: stored responses", () => {
	it("applies after the earlier migrations and creates the table with its indexes", async () => {
		const db = env.MIGRATION_DB;
		await applyD1Migrations(
			db,
			env.TEST_MIGRATIONS.filter((migration) => migration.name < "0010"),
		);
		await applyD1Migrations(db, env.TEST_MIGRATIONS);

		const { results: columns } = await db.prepare("PRAGMA table_info(stored_responses)").all<{
			name: string;
			notnull: number;
			pk: number;
		}>();
		expect(columns.map(({ name, notnull, pk }) => [name, notnull, pk])).toEqual([
			["id", 0, 1],
			["key_id", 1, 0],
			["model", 1, 0],
			["upstream_id", 0, 0],
			["previous_response_id", 0, 0],
			["input", 0, 0],
			["output", 0, 0],
			["response", 0, 0],
			["r2_key", 0, 0],
			["created_at", 1, 0],
		]);
		const { results: indexes } = await db
			.prepare(
				"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'stored_responses' AND name NOT LIKE 'sqlite_%' ORDER BY name",
			)
			.all<{ name: string }>();
		expect(indexes.map((index) => index.name)).toEqual([
			"stored_responses_by_key",
			"stored_responses_by_time",
			"stored_responses_in_r2_by_time",
		]);

		// The expiry of R2-backed rows reads the partial index, not the whole table.
		const { results: plan } = await db
			.prepare(
				"EXPLAIN QUERY PLAN SELECT r2_key FROM stored_responses WHERE created_at < 1 AND r2_key IS NOT NULL ORDER BY created_at, id LIMIT 500",
			)
			.all<{ detail: string }>();
		expect(plan.map((step) => step.detail).join("\n")).toContain("stored_responses_in_r2_by_time");

		// One row per id.
		const insert = db.prepare(
			"INSERT INTO stored_responses (id, key_id, model, input, output, response, created_at) VALUES ('resp_m', 'key', 'm', '[]', '[]', '{}', 1)",
		);
		await insert.run();
		await expect(insert.run()).rejects.toThrow(/UNIQUE constraint failed/);
	});
});
