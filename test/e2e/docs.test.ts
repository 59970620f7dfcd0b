import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "./wrangler-dev";

/**
 * `/docs` as a person sees it: the real gateway (`npm run dev` → wrangler dev, with its static
 * assets) rendered by Debian's Chromium through playwright-core. The page must render the API
 * reference from `/openapi.json` using nothing but this origin.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = process.env.DOCS_SCREENSHOT ?? path.join(os.tmpdir(), "aigate-docs.png");
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether a URL the page asked for stays on this machine (data: and blob: never leave the page). */
function staysLocal(url: string): boolean {
	const { protocol, hostname } = new URL(url);
	if (["data:", "blob:", "about:"].includes(protocol)) return true;
	return LOOPBACK.has(hostname);
}

describe("GET /docs in headless Chromium", () => {
	let gateway: RunningGateway;
	let context: BrowserContext;
	let profileDir = "";
	const offHost: string[] = [];
	const failed: string[] = [];
	const consoleErrors: string[] = [];

	beforeAll(async () => {
		if (!existsSync(CHROMIUM)) {
			throw new Error(
				`No Chromium at ${CHROMIUM}: install Debian's package with \`apt-get update && apt-get install -y chromium\` (as root), or set CHROMIUM_PATH.`,
			);
		}
		gateway = await startGateway({ vars: { ADMIN_TOKEN: "e2e-admin-token" } });
		profileDir = mkdtempSync(path.join(os.tmpdir(), "aigate-chromium-"));
		context = await chromium.launchPersistentContext(profileDir, {
			executablePath: CHROMIUM,
			headless: true,
			viewport: { width: 1280, height: 900 },
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
		// Nothing may leave the machine: a request to another host is recorded and never sent.
		await context.route("**/*", async (route) => {
			const url = route.request().url();
			if (staysLocal(url)) return route.continue();
			offHost.push(url);
			return route.abort("blockedbyclient");
		});
		context.on("requestfailed", (request) => {
			if (staysLocal(request.url())) failed.push(`${request.url()}: ${request.failure()?.errorText}`);
		});
		context.on("console", (message) => {
			if (message.type() === "error") consoleErrors.push(message.text());
		});
		context.on("weberror", (error) => consoleErrors.push(String(error.error())));
	});

	afterAll(async () => {
		await context?.close();
		if (profileDir) rmSync(profileDir, { recursive: true, force: true });
		await gateway?.stop();
	});

	it("renders the API reference with the chat completions endpoint, from this origin only", async () => {
		const page = await context.newPage();
		const answer = await page.goto(`${gateway.baseUrl}/docs`);
		expect(answer?.status()).toBe(200);
		expect(answer?.headers()["content-security-policy"]).toContain("script-src 'self'");

		// Scalar fetches /openapi.json, then renders the sidebar and, section by section, the operations.
		await page.getByText("/v1/chat/completions").first().waitFor({ timeout: 30_000 });
		// biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text as a person sees it.
		const text = await page.locator("body").innerText();
		expect(text).toMatch(/POST\s+\/v1\/chat\/completions/);
		expect(text).toContain("Create a chat completion");
		expect(text).toContain("Admin: keys");

		// The operation itself, with its request body from the zod schema.
		await page.getByText("Create a chat completion").first().click();
		await page.getByText("max_completion_tokens").first().waitFor({ timeout: 30_000 });
		await page.waitForLoadState("networkidle");
		await page.screenshot({ path: SCREENSHOT });
		console.log(`docs screenshot: ${SCREENSHOT}`);

		expect(offHost, "requests to hosts other than loopback").toEqual([]);
		expect(failed, "failed requests").toEqual([]);
		expect(consoleErrors, "console errors").toEqual([]);
	});

	it("serves the UI script as a static asset, not through the Worker", async () => {
		const res = await fetch(`${gateway.baseUrl}/docs-assets/scalar-api-reference.js`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/javascript/);
		expect(res.headers.get("x-request-id")).toBeNull();
		expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
	});
});
