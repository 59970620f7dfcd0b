import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const before = env.TEST_MIGRATIONS.filter((migration) => migration.name < "0009");

describe("migration 0009: the messages ingress and cache-write prices", () => {
	it("prices the seeded Claude models' cache writes, except where an operator changed their prices", async () => {
		const db = env.MIGRATION_DB;
		await applyD1Migrations(db, before);
		await db.batch([
			// An operator's edits: Sonnet repriced, Haiku disabled at the seed's prices, a model of their own.
			db.prepare(
				"UPDATE models SET input_price = 2.5, updated_at = 1 WHERE id = 'anthropic/claude-sonnet-4-5'",
			),
			db.prepare("UPDATE models SET enabled = 0, updated_at = 1 WHERE id = 'anthropic/claude-haiku-4-5'"),
			db.prepare(
				"INSERT INTO models (id, provider, upstream_model, input_price, output_price, cached_input_price, created_at, updated_at) VALUES ('anthropic/claude-custom', 'anthropic', 'claude-opus-4-5', 5, 25, 0.5, 1, 1)",
			),
			// A usage row written before the migration.
			db.prepare(
				"INSERT INTO usage (id, key_id, model, prompt_tokens, cached_tokens, outcome, status, latency_ms, created_at) VALUES ('gate-old', 'key-1', 'anthropic/claude-opus-4-5', 2310, 2000, 'ok', 200, 5, 1)",
			),
		]);

		await applyD1Migrations(db, env.TEST_MIGRATIONS);

		const { results } = await db
			.prepare(
				"SELECT id, input_price, cache_write_price, cache_write_1h_price FROM models WHERE provider = 'anthropic' ORDER BY id",
			)
			.all();
		expect(results).toEqual([
			// Not a seeded row: its id is not one the migration names.
			{ id: "anthropic/claude-custom", input_price: 5, cache_write_price: null, cache_write_1h_price: null },
			{ id: "anthropic/claude-haiku-4-5", input_price: 1, cache_write_price: 1.25, cache_write_1h_price: 2 },
			{ id: "anthropic/claude-opus-4-5", input_price: 5, cache_write_price: 6.25, cache_write_1h_price: 10 },
			// Repriced by the operator: left alone, so its writes cost its own input price.
			{
				id: "anthropic/claude-sonnet-4-5",
				input_price: 2.5,
				cache_write_price: null,
				cache_write_1h_price: null,
			},
		]);
		const others = await db
			.prepare(
				"SELECT COUNT(*) AS n FROM models WHERE provider <> 'anthropic' AND cache_write_price IS NOT NULL",
			)
			.first("n");
		expect(others).toBe(0);
		expect(
			await db.prepare("SELECT ingress, cache_creation_tokens FROM usage WHERE id = 'gate-old'").first(),
		).toEqual({ ingress: "chat", cache_creation_tokens: 0 });
	});
});
