import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/**
 * Debian's Chromium, headless through playwright-core, for the e2e tests of the gateway's pages
 * (/docs, /dashboard): a fresh profile, and nothing allowed off this machine. What the page did
 * wrong is collected for the test to assert empty: requests to other hosts (recorded and never
 * sent), failed local requests, console errors and uncaught page errors.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface OfflineBrowser {
	context: BrowserContext;
	/** URLs the page asked for on other hosts. */
	offHost: string[];
	/** Local requests that failed, with why. */
	failed: string[];
	/** console.error messages and uncaught errors. */
	consoleErrors: string[];
	close(): Promise<void>;
}

/** Whether a URL the page asked for stays on this machine (data: and blob: never leave the page). */
function staysLocal(url: string): boolean {
	const { protocol, hostname } = new URL(url);
	if (["data:", "blob:", "about:"].includes(protocol)) return true;
	return LOOPBACK.has(hostname);
}

export async function openOfflineBrowser(options: {
	viewport: { width: number; height: number };
	colorScheme?: "light" | "dark";
}): Promise<OfflineBrowser> {
	if (!existsSync(CHROMIUM)) {
		throw new Error(
			`No Chromium at ${CHROMIUM}: install Debian's package with \`apt-get update && apt-get install -y chromium\` (as root), or set CHROMIUM_PATH.`,
		);
	}
	const profileDir = mkdtempSync(path.join(os.tmpdir(), "aigate-chromium-"));
	const context = await chromium.launchPersistentContext(profileDir, {
		executablePath: CHROMIUM,
		headless: true,
		viewport: options.viewport,
		...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
		args: [
			"--headless",
			"--no-sandbox",
			"--disable-gpu",
			"--disable-quic",
			"--no-first-run",
			"--disable-background-networking",
			"--disable-component-update",
			"--disable-sync",
		],
	});
	const browser: OfflineBrowser = {
		context,
		offHost: [],
		failed: [],
		consoleErrors: [],
		async close() {
			await context.close();
			rmSync(profileDir, { recursive: true, force: true });
		},
	};
	await context.route("**/*", async (route) => {
		const url = route.request().url();
		if (staysLocal(url)) return route.continue();
		browser.offHost.push(url);
		return route.abort("blockedbyclient");
	});
	context.on("requestfailed", (request) => {
		if (staysLocal(request.url())) browser.failed.push(`${request.url()}: ${request.failure()?.errorText}`);
	});
	context.on("console", (message) => {
		if (message.type() === "error") browser.consoleErrors.push(message.text());
	});
	context.on("weberror", (error) => browser.consoleErrors.push(String(error.error())));
	return browser;
}
