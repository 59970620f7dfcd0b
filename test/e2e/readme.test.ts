import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { OPENAI_KEY } from "../fakes/scenarios/openai";
import { type RunningGateway, startGateway } from "./wrangler-dev";

/**
 * The README cannot rot: every command and curl in it is run here, in order, against the real
 * gateway under `wrangler dev` with a fake OpenAI upstream. Commands that need a Cloudflare account
 * run against the fake wrangler of the setup tests; `npm run deploy` runs as a real dry run. Two
 * commands are not re-run from inside the suite: `npm ci && npm test` is the command running this
 * test (it must be what .ci/run runs), and `npm run bench` takes minutes (its script must exist).
 * Blocks marked `bash` are for a reader's own machine (Claude Code's settings) and are not run.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
	scripts: Record<string, string>;
};
const FAKE_WRANGLER = path.join(ROOT, "test/e2e/fake-wrangler.mjs");

interface Block {
	lang: string;
	body: string;
}

function blocks(markdown: string): Block[] {
	return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
		lang: m[1] ?? "",
		body: m[2] ?? "",
	}));
}

/** Shell lines: continuations joined, comment lines dropped, trailing comments removed. */
function commands(body: string): string[] {
	return body
		.replace(/\\\n\s*/g, " ")
		.split("\n")
		.map((line) => line.replace(/\s+#.*$/, "").trim())
		.filter((line) => line !== "" && !line.startsWith("#"));
}

const shellBlocks = blocks(README).filter((b) => b.lang === "sh");
const allCommands = shellBlocks.flatMap((b) => commands(b.body));

describe("README", () => {
	let gateway: RunningGateway;
	let work: string;
	const env: Record<string, string> = { ADMIN_TOKEN: "" };
	const ran: string[] = [];
	let lastOutput = "";
	let createdKeyId = "";

	beforeAll(async () => {
		const providers = /^PROVIDERS = '(.*)'$/m.exec(README)?.[1];
		expect(providers, "README shows a PROVIDERS example").toBeDefined();
		gateway = await startGateway({
			vars: {
				OPENAI_BASE_URL: `${inject("openaiUrl")}/v1`,
				OPENAI_API_KEY: OPENAI_KEY,
				// What `npm run dev` puts in .dev.vars, which the README's examples rely on.
				ADMIN_TOKEN: "dev-admin-token",
				DEMO_MODEL: "on",
				PROVIDERS: providers ?? "[]",
			},
		});
		work = mkdtempSync(path.join(os.tmpdir(), "aigate-readme-"));
		copyFileSync(path.join(ROOT, "wrangler.toml"), path.join(work, "wrangler.toml"));
		cpSync(path.join(ROOT, "migrations"), path.join(work, "migrations"), { recursive: true });
	});

	afterAll(async () => {
		await gateway?.stop();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	const bash = (command: string, extraEnv: Record<string, string> = {}) => {
		const result = spawnSync("bash", ["-c", command], {
			cwd: ROOT,
			encoding: "utf8",
			env: {
				...process.env,
				...env,
				FAKE_WRANGLER_STATE: path.join(work, "account.json"),
				FAKE_WRANGLER_LOG: path.join(work, "wrangler.log"),
				...extraEnv,
			},
			timeout: 120_000,
		});
		lastOutput = result.stdout;
		return result;
	};

	/** Runs one README command the way a reader would, mapping only what needs an account. */
	function run(command: string): void {
		const exported = /^export (.*)$/.exec(command);
		if (exported) {
			for (const [, name, value] of (exported[1] ?? "").matchAll(/(\w+)=(\S+)/g)) {
				if (name === "GW") {
					expect(value).toBe("http://127.0.0.1:8787"); // where `npm run dev` listens
					env.GW = gateway.baseUrl;
				} else if (name === "KEY") {
					env.KEY = String((JSON.parse(lastOutput) as { key: string }).key);
				} else if (name && value) {
					env[name] = value;
				}
			}
			return;
		}
		if (command === "npm install && npm run dev") {
			// startGateway ran exactly this script (scripts/dev.mjs) to start the gateway under test.
			expect(PACKAGE.scripts.dev).toBe("node scripts/dev.mjs");
			return;
		}
		if (command === "npm ci && npm test") {
			expect(readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toContain("npm ci && npm test");
			return;
		}
		if (command === "npm run bench") {
			expect(PACKAGE.scripts.bench).toBeDefined();
			return;
		}
		let shell = command;
		if (command.startsWith("npx wrangler ")) {
			shell = `node ${FAKE_WRANGLER} ${command.slice("npx wrangler ".length)} --config ${work}/wrangler.toml`;
		} else if (command.startsWith("npm run setup")) {
			shell = `${command} ${command.includes(" -- ") ? "" : "--"} --config ${work}/wrangler.toml --wrangler ${FAKE_WRANGLER}`;
		} else if (command === "npm run deploy") {
			shell = `npm run deploy -- --dry-run --outdir ${work}/dist`;
		} else if (command.startsWith("curl ")) {
			shell = `curl --fail-with-body -sS ${command.slice("curl ".length).replaceAll("key_…", createdKeyId)}`;
		}
		const result = bash(shell);
		expect(result.status, `${command}\n${result.stdout}\n${result.stderr}`).toBe(0);
		if (command.startsWith("curl ") && command.includes("/admin/keys") && command.includes("-d ")) {
			const created = JSON.parse(result.stdout) as { id?: string };
			if (created.id) createdKeyId = created.id;
		}
	}

	it("has its two commands at the very top", () => {
		expect(allCommands.slice(0, 2)).toEqual(["npm install && npm run dev", "npm ci && npm test"]);
	});

	it("runs every shell command and curl, in order, successfully", { timeout: 300_000 }, () => {
		for (const command of allCommands) {
			run(command);
			ran.push(command);
		}
		expect(ran.length).toBeGreaterThan(10);
		expect(ran.filter((c) => c.startsWith("curl "))).toHaveLength(
			allCommands.filter((c) => c.startsWith("curl ")).length,
		);
	});

	it("runs its JavaScript example against the gateway", { timeout: 60_000 }, () => {
		const js = blocks(README).filter((b) => b.lang === "js");
		expect(js).toHaveLength(1);
		const file = path.join(ROOT, `.readme-example-${process.pid}.mjs`);
		writeFileSync(file, js[0]?.body ?? "");
		try {
			const result = bash(`node ${file}`);
			expect(result.status, result.stderr).toBe(0);
			expect(result.stdout).toBe("Echo: Hello!");
		} finally {
			rmSync(file, { force: true });
		}
	});

	it("names only real settings in its .dev.vars example and configuration table", () => {
		const envBlock = blocks(README).find((b) => b.lang === "" && /^[A-Z_]+=/m.test(b.body));
		const names = [...(envBlock?.body ?? "").matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
		expect(names).toEqual(["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"]);
		const envSource = readFileSync(path.join(ROOT, "src/env.ts"), "utf8");
		const documented = [...README.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1] ?? "");
		for (const name of documented)
			expect(envSource, `${name} is a setting the code reads`).toContain(`${name}?:`);
		for (const [, name] of envSource.matchAll(/^\t([A-Z_]+)\?: string;/gm)) {
			expect(README, `${name} is documented`).toContain(`\`${name}\``);
		}
	});
});
