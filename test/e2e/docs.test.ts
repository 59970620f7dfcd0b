import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OfflineBrowser, openOfflineBrowser } from "./offline-browser";
import { type RunningGateway, startGateway } from "./wrangler-dev";

/**
 * `/docs` as a person sees it: the real gateway (`npm run dev` → wrangler dev, with its static
 * assets) rendered by Debian's Chromium through playwright-core. The page must render the API
 * reference from `/openapi.json` using nothing but this origin.
 */

const SCREENSHOT = process.env.DOCS_SCREENSHOT ?? path.join(os.tmpdir(), "aigate-docs.png");

describe("GET /docs in headless Chromium", () => {
	let gateway: RunningGateway;
	let browser: OfflineBrowser;

	beforeAll(async () => {
		gateway = await startGateway({ vars: { ADMIN_TOKEN: "e2e-admin-token" } });
		browser = await openOfflineBrowser({ viewport: { width: 1280, height: 900 } });
	});

	afterAll(async () => {
		await browser?.close();
		await gateway?.stop();
	});

	it("renders the API reference with the chat completions endpoint, from this origin only", async () => {
		const page = await browser.context.newPage();
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

		expect(browser.offHost, "requests to hosts other than loopback").toEqual([]);
		expect(browser.failed, "failed requests").toEqual([]);
		expect(browser.consoleErrors, "console errors").toEqual([]);
	});

	it("serves the UI script as a static asset, not through the Worker", async () => {
		const res = await fetch(`${gateway.baseUrl}/docs-assets/scalar-api-reference.js`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/javascript/);
		expect(res.headers.get("x-request-id")).toBeNull();
		expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
	});
});
