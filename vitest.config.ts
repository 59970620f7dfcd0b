import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Projects of one run: `worker` runs inside workerd with real local D1, KV and R2 bindings
 * (`worker-alt` likewise, with the non-default settings its tests name); `e2e` runs in Node and drives a real `wrangler dev` with the `openai` package. Fake upstreams are
 * Node HTTP servers on 127.0.0.1 started once by test/fakes/global-setup.ts.
 */
export default defineConfig({
	test: {
		globalSetup: ["./test/fakes/global-setup.ts"],
		projects: [
			{
				extends: true,
				plugins: [cloudflareTest(async ({ inject }) => workerOptions(inject, {}))],
				test: {
					name: "worker",
					include: ["test/worker/**/*.test.ts"],
					setupFiles: ["./test/worker/apply-migrations.ts"],
				},
			},
			{
				extends: true,
				plugins: [
					cloudflareTest(async ({ inject }) =>
						workerOptions(inject, { ON_CLIENT_DISCONNECT: "drain", CORS_ORIGINS: "https://app.example" }),
					),
				],
				test: {
					name: "worker-alt",
					include: ["test/worker-alt/**/*.test.ts"],
					setupFiles: ["./test/worker/apply-migrations.ts"],
				},
			},
			{
				extends: true,
				test: {
					name: "e2e",
					include: ["test/e2e/**/*.test.ts"],
					environment: "node",
					testTimeout: 60_000,
					hookTimeout: 120_000,
				},
			},
		],
	},
});

type Inject = <T>(key: string) => T;

/** The gateway under test: real local bindings, fake upstreams on loopback, and these var overrides. */
async function workerOptions(inject: Inject, overrides: Record<string, string>) {
	return {
		main: "./src/index.ts",
		wrangler: { configPath: "./wrangler.toml" },
		miniflare: {
			// An empty database beside DB, for tests that migrate old rows (test/worker/migrations/).
			d1Databases: { MIGRATION_DB: "migration-check" },
			bindings: {
				TEST_MIGRATIONS: await readD1Migrations(path.join(import.meta.dirname, "migrations")),
				OPENAI_BASE_URL: `${inject<string>("openaiUrl")}/v1`,
				ANTHROPIC_BASE_URL: inject<string>("anthropicUrl"),
				GEMINI_BASE_URL: inject<string>("geminiUrl"),
				OPENAI_API_KEY: "sk-upstream-openai-SECRET",
				ANTHROPIC_API_KEY: "sk-ant-upstream-SECRET",
				GEMINI_API_KEY: "AIza-upstream-gemini-SECRET",
				ADMIN_TOKEN: "test-admin-token",
				DEMO_MODEL: "on",
				MAX_BODY_BYTES: "1048576",
				MAX_MESSAGES: "100",
				MAX_IMAGES: "8",
				MAX_IMAGE_BYTES: "65536",
				UPSTREAM_FIRST_BYTE_TIMEOUT_MS: "1500",
				UPSTREAM_IDLE_TIMEOUT_MS: "1500",
				// Short waits keep retry tests fast; the fake's retry-after of 7 s is then "too long to wait".
				UPSTREAM_RETRY_BASE_MS: "20",
				UPSTREAM_MAX_RETRY_WAIT_MS: "1000",
				PROVIDERS: JSON.stringify([
					{
						name: "groq",
						protocol: "openai",
						base_url: `${inject<string>("openaiUrl")}/groq/v1`,
						key_secret: "GROQ_API_KEY",
					},
					// Nothing listens on port 1: an upstream that cannot be reached.
					{
						name: "offline",
						protocol: "openai",
						base_url: "http://127.0.0.1:1/v1",
						key_secret: "OFFLINE_API_KEY",
					},
					// Drops, stalls, garbage and 5xx at random (test/fakes/chaos-fake.ts).
					{
						name: "chaos",
						protocol: "openai",
						base_url: `${inject<string>("chaosUrl")}/v1`,
						key_secret: "CHAOS_API_KEY",
					},
				]),
				OFFLINE_API_KEY: "sk-offline-SECRET",
				GROQ_API_KEY: "gsk-upstream-groq-SECRET",
				CHAOS_API_KEY: "sk-chaos-upstream-SECRET",
				...overrides,
			},
		},
	};
}
