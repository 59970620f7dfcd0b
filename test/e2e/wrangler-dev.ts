import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Starts the real gateway the way a user does (`npm run dev` = `node scripts/dev.mjs`: local
 * settings, local D1 migrations, `wrangler dev`), isolated from the developer's own state:
 *
 * - it runs from a throw-away copy of the project (src, migrations, scripts, public, wrangler.toml, with
 *   node_modules symlinked), so the developer's `.dev.vars`, `.wrangler/` and local D1 are never
 *   read or written, and edits made to the tree during the run do not hot-reload the gateway;
 *   dev.mjs writes a fresh `.dev.vars` there, exactly as on a fresh clone;
 * - PERSIST_DIR is a fresh directory, so the migrations apply to an empty local D1;
 * - PORT is a free port picked here;
 * - the test's settings are passed as `--var NAME:VALUE`, which wrangler applies over `.dev.vars`
 *   (and prints as "(hidden)" in its bindings table).
 */

export interface GatewayOptions {
	/** Extra `--var NAME:VALUE` settings, applied over `.dev.vars` and wrangler.toml. */
	vars: Record<string, string>;
	/** How long to wait for `GET /` to answer. */
	readyTimeoutMs?: number;
}

export interface RunningGateway {
	/** `http://127.0.0.1:<port>` */
	baseUrl: string;
	/** Everything dev.mjs, wrangler and the Worker (console.log) wrote to stdout and stderr so far. */
	logs(): string;
	/** Stops the whole process tree (dev.mjs → wrangler → workerd) and deletes the temporary copy. */
	stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const COPIED = ["src", "migrations", "scripts", "public", "wrangler.toml", "package.json", "tsconfig.json"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on right now: bind port 0, read it, release it. */
export async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(0, "127.0.0.1", resolve);
	});
	const address = server.address();
	await new Promise<void>((resolve) => server.close(() => resolve()));
	if (address === null || typeof address === "string") throw new Error("could not find a free port");
	return address.port;
}

/** Whether any process of the group still exists. */
function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pgid, signal);
	} catch {
		// Already gone.
	}
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
	const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
	const workDir = mkdtempSync(path.join(os.tmpdir(), "aigate-e2e-"));
	const projectDir = path.join(workDir, "project");
	const persistDir = path.join(workDir, "state");
	mkdirSync(projectDir);
	mkdirSync(persistDir);
	for (const entry of COPIED)
		cpSync(path.join(ROOT, entry), path.join(projectDir, entry), { recursive: true });
	symlinkSync(path.join(ROOT, "node_modules"), path.join(projectDir, "node_modules"), "dir");

	const port = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const varArgs = Object.entries(options.vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);

	let output = "";
	const child: ChildProcess = spawn(process.execPath, ["scripts/dev.mjs", ...varArgs], {
		cwd: projectDir,
		detached: true,
		stdio: ["ignore", "pipe", "pipe"],
		env: {
			...process.env,
			PORT: String(port),
			PERSIST_DIR: persistDir,
			// Never prompt, never phone home.
			CI: "true",
			WRANGLER_SEND_METRICS: "false",
			CLOUDFLARE_CF_FETCH_ENABLED: "false",
			WRANGLER_LOG_PATH: path.join(workDir, "wrangler-logs"),
			FORCE_COLOR: "0",
			NO_COLOR: "1",
		},
	});
	const pgid = child.pid;
	if (pgid === undefined) throw new Error("could not spawn node scripts/dev.mjs");
	for (const stream of [child.stdout, child.stderr]) {
		stream?.setEncoding("utf8");
		stream?.on("data", (text: string) => {
			output += text;
		});
	}
	let exitStatus: string | null = null;
	const exited = new Promise<void>((resolve) => {
		child.once("exit", (code, signal) => {
			exitStatus = signal ?? String(code);
			resolve();
		});
	});
	// If the test process dies without calling stop(), take the gateway with it.
	const onExit = () => killGroup(pgid, "SIGKILL");
	process.once("exit", onExit);

	let stopped: Promise<void> | null = null;
	const stop = (): Promise<void> => {
		stopped ??= (async () => {
			process.off("exit", onExit);
			killGroup(pgid, "SIGTERM");
			await Promise.race([exited, sleep(10_000)]);
			for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
			if (groupAlive(pgid)) {
				killGroup(pgid, "SIGKILL");
				for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
			}
			rmSync(workDir, { recursive: true, force: true });
		})();
		return stopped;
	};

	const deadline = Date.now() + readyTimeoutMs;
	for (;;) {
		if (exitStatus !== null) {
			await stop();
			throw new Error(`The gateway exited (${exitStatus}) before answering GET /. Its output:\n${output}`);
		}
		try {
			const res = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2_000) });
			await res.arrayBuffer();
			if (res.ok) break;
		} catch {
			// Not listening yet.
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`The gateway did not answer GET / within ${readyTimeoutMs} ms. Its output:\n${output}`);
		}
		await sleep(150);
	}

	return { baseUrl, logs: () => output, stop };
}
