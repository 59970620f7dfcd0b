import { copyFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { OPENAI_KEY, USAGE } from "../fakes/scenarios/openai";
import { type AdminClient, adminClient } from "./admin-client";
import { type OfflineBrowser, openOfflineBrowser } from "./offline-browser";
import { type RunningGateway, startGateway } from "./wrangler-dev";

/**
 * The operator dashboard (`/dashboard`, static files in public/dashboard/) as an operator uses it:
 * the real gateway under `wrangler dev` with the fake OpenAI upstream, driven by Debian's Chromium
 * through playwright-core. Every step goes through the page (sign-in, forms, switches, dialogs);
 * the admin API and the `openai` package only set the scene and check what the page did.
 *
 * Screenshots of every screen (1280×800) go to DASHBOARD_SCREENSHOTS, else
 * `<tmp>/aigate-dashboard-screens/`; with UPDATE_DASHBOARD_SCREENSHOT=1 the usage screen is also
 * written to docs/dashboard-usage.png, the README's picture.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCREENS = process.env.DASHBOARD_SCREENSHOTS ?? path.join(os.tmpdir(), "aigate-dashboard-screens");
const COMMITTED_SCREENSHOT = path.join(ROOT, "docs/dashboard-usage.png");

const ADMIN_TOKEN = "e2e-dashboard-admin-token";
const TOKEN_KEY = "aigate.adminToken";
const CSP =
	"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const MODEL = "openai/e2e-dash";
const DEMO_CATALOG_MODEL = "demo/e2e-catalog";
const PRICES = { input: 1, output: 2 };
const ROW_COST = (USAGE.prompt_tokens * PRICES.input + USAGE.completion_tokens * PRICES.output) / 1e6;
const KEY_NAME = "e2e dashboard key";
const HOSTILE_KEY_NAME = "<img src=x onerror=alert(1)>";
const QUOTED_KEY_NAME = `"quoted" key's <b>name</b>`;
const HOSTILE_MODEL = "openai/xss-check";
const HOSTILE_UPSTREAM = `qu"ote'<b>bold</b>`;
const HOSTILE_FALLBACK = `openai/"><img src=x onerror=alert(2)>`;
/** Echo requests beside the fake's: 4 + 1 + 16 = 21 rows, one more than a page of recent requests. */
const ECHO_REQUESTS = 16;
const TOTAL_REQUESTS = 4 + 1 + ECHO_REQUESTS;

/** The little of the DOM the page callbacks below touch (the e2e tsconfig has no DOM library). */
interface DomNode {
	textContent: string | null;
	value: string;
	dataset: Record<string, string | undefined>;
	cells: ArrayLike<DomNode>;
	querySelector(selector: string): DomNode | null;
	checkValidity(): boolean;
}
interface Browser {
	sessionStorage: { getItem(key: string): string | null; length: number } & Record<string, unknown>;
	localStorage: { length: number } & Record<string, unknown>;
	navigator: { clipboard: { readText(): Promise<string> } };
	scrollTo(x: number, y: number): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined, or fails naming `what`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await check();
			if (value !== undefined) return value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
		await sleep(150);
	}
}

/** The cells' text of a table's body rows. */
const tableRows = (page: Page, selector: string) =>
	page.$$eval(`${selector} tbody tr:not(.empty)`, (rows) =>
		rows.map((row) => Array.from((row as unknown as DomNode).cells, (cell) => cell.textContent ?? "")),
	);

/** The bars of one chart: group → value (and errors, for requests). */
const chartBars = (page: Page, metric: string) =>
	page.$$eval(`svg.chart[data-metric="${metric}"] g.bar-group`, (groups) =>
		groups.map((g) => ({
			group: (g as unknown as DomNode).dataset.group ?? "",
			value: Number((g as unknown as DomNode).dataset.value),
			errors: Number((g as unknown as DomNode).dataset.errors ?? 0),
			title: (g as unknown as DomNode).querySelector("title")?.textContent ?? "",
		})),
	);

describe("the operator dashboard in headless Chromium", () => {
	let gateway: RunningGateway;
	let adminApi: AdminClient;
	let browser: OfflineBrowser;
	let context: BrowserContext;
	let page: Page;
	const dialogs: string[] = [];
	let secret = "";
	let keyId = "";
	/** The tokens the SDK was told each successful request used, summed. */
	let tokensSent = 0;

	/** An admin API call that must succeed, its answer parsed. */
	const admin = async (urlPath: string, init: { method?: string; body?: unknown } = {}) => {
		const { status, text } = await adminApi.request(urlPath, init);
		expect(status, `${init.method ?? "GET"} ${urlPath}: ${text}`).toBeLessThan(300);
		return JSON.parse(text) as Record<string, unknown> & { data: Array<Record<string, unknown>> };
	};

	const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });

	/** Opens a screen through its tab and waits until it has loaded its data. */
	async function openScreen(name: "usage" | "keys" | "models") {
		await page.click(`#tabs a[data-route="${name}"]`);
		await page.locator(`#view[data-screen="${name}"][data-ready="true"]`).waitFor();
	}

	/** A 1280×800 screenshot of the top of the page, no row under the mouse. */
	const shoot = async (name: string) => {
		await page.mouse.move(0, 0);
		await page.evaluate(() => (globalThis as unknown as Browser).scrollTo(0, 0));
		const file = path.join(SCREENS, `${name}.png`);
		await page.screenshot({ path: file });
		return file;
	};

	/** The page's text, as the DOM holds it. */
	const text = (selector: string) => page.locator(selector).first().textContent();

	beforeAll(async () => {
		mkdirSync(SCREENS, { recursive: true });
		gateway = await startGateway({
			vars: {
				OPENAI_BASE_URL: `${inject("openaiUrl")}/v1`,
				OPENAI_API_KEY: OPENAI_KEY,
				ADMIN_TOKEN,
				DEMO_MODEL: "on",
			},
		});
		adminApi = adminClient(gateway.baseUrl, ADMIN_TOKEN);
		browser = await openOfflineBrowser({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
		context = browser.context;
		await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gateway.baseUrl });
		page = context.pages()[0] ?? (await context.newPage());
		// window.alert, confirm or prompt: the page uses none, so any dialog is an injected script's.
		page.on("dialog", async (dialog) => {
			dialogs.push(`${dialog.type()}: ${dialog.message()}`);
			await dialog.dismiss();
		});
	});

	afterAll(async () => {
		await browser?.close();
		await gateway?.stop();
	});

	it("is served as static files with a strict CSP, never framed, the page never cached", async () => {
		const bare = await fetch(`${gateway.baseUrl}/dashboard`, { redirect: "manual" });
		expect(bare.status).toBe(307);
		expect(bare.headers.get("location")).toBe("/dashboard/");
		const index = await fetch(`${gateway.baseUrl}/dashboard/index.html`, { redirect: "manual" });
		expect(index.status).toBe(307);
		expect(index.headers.get("location")).toBe("/dashboard/");

		const html = await fetch(`${gateway.baseUrl}/dashboard/`);
		expect(html.status).toBe(200);
		expect(html.headers.get("content-type")).toMatch(/^text\/html/);
		expect(html.headers.get("content-security-policy")).toBe(CSP);
		expect(html.headers.get("x-frame-options")).toBe("DENY");
		expect(html.headers.get("cache-control")).toBe("no-store");
		expect(html.headers.get("x-content-type-options")).toBe("nosniff");
		expect(html.headers.get("referrer-policy")).toBe("no-referrer");
		// A static asset: the Worker never ran (it would have added its request id).
		expect(html.headers.get("x-request-id")).toBeNull();
		const body = await html.text();
		expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
		expect(body).not.toMatch(/\sstyle=/); // no inline style

		for (const file of [
			"app.js",
			"api.js",
			"dom.js",
			"chart.js",
			"usage.js",
			"keys.js",
			"models.js",
			"dashboard.css",
		]) {
			const res = await fetch(`${gateway.baseUrl}/dashboard/${file}`);
			expect(res.status, file).toBe(200);
			expect(res.headers.get("content-type"), file).toMatch(
				file.endsWith(".css") ? /^text\/css/ : /javascript/,
			);
			expect(res.headers.get("content-security-policy"), file).toBe(CSP);
			expect(res.headers.get("x-request-id"), file).toBeNull();
			const source = await res.text();
			expect(source, `${file} builds no DOM from HTML strings`).not.toMatch(
				/innerHTML|outerHTML|insertAdjacentHTML|document\.write/,
			);
			expect(source, `${file} stores nothing in localStorage`).not.toMatch(/localStorage\s*[.[]/);
		}

		const answer = await page.goto(`${gateway.baseUrl}/dashboard`);
		expect(page.url()).toBe(`${gateway.baseUrl}/dashboard/`);
		expect(answer?.status()).toBe(200);
		expect(answer?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
		await page.locator("#sign-in").waitFor();
	});

	it("refuses a wrong admin token with a message in the page", async () => {
		await page.fill("#token", "not-the-admin-token");
		await page.click("#sign-in-form button[type=submit]");
		await page.locator("#sign-in-error:not([hidden])").waitFor();
		expect(await text("#sign-in-error")).toContain("That admin token was refused");
		expect(await page.locator("#tabs").isHidden()).toBe(true);
		expect(
			await page.evaluate((key) => (globalThis as unknown as Browser).sessionStorage.getItem(key), TOKEN_KEY),
		).toBeNull();
		await shoot("sign-in");
		// The refused call is the only thing Chromium logs: "Failed to load resource: … 401".
		expect(browser.consoleErrors.every((line) => line.includes("status of 401"))).toBe(true);
		browser.consoleErrors.length = 0;
	});

	it("signs in; the token is kept in sessionStorage only, never in a URL", async () => {
		await page.fill("#token", ADMIN_TOKEN);
		await page.click("#sign-in-form button[type=submit]");
		await page.locator('#view[data-screen="usage"][data-ready="true"]').waitFor();
		expect(await page.locator("#sign-in").isHidden()).toBe(true);
		expect(await page.locator("#sign-in-error").isHidden()).toBe(true);
		expect(
			await page.evaluate((key) => (globalThis as unknown as Browser).sessionStorage.getItem(key), TOKEN_KEY),
		).toBe(ADMIN_TOKEN);
		expect(await page.evaluate(() => (globalThis as unknown as Browser).localStorage.length)).toBe(0);
		expect(page.url()).not.toContain(ADMIN_TOKEN);
		expect(await page.inputValue("#token")).toBe("");
	});

	it("creates a key whose secret is shown once, copied, and gone after dismissing and reloading", async () => {
		await openScreen("keys");
		await page.fill("#new-key-name", KEY_NAME);
		// The API wants a budget above $0: the form refuses 0 before sending it.
		const budgetValid = () =>
			page.$eval("#new-key-budget", (input) => (input as unknown as DomNode).checkValidity());
		await page.fill("#new-key-budget", "0");
		expect(await budgetValid()).toBe(false);
		await page.fill("#new-key-budget", "0.005");
		expect(await budgetValid()).toBe(true);
		await page.fill("#new-key-budget", "1");
		await page.selectOption("#new-key-period", "monthly");
		await page.click("#create-key-form button[type=submit]");
		await page.locator("#new-key-secret").waitFor();
		secret = (await text("#new-key-secret")) ?? "";
		expect(secret).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);
		expect(await text("#new-key-title")).toBe(`New key: ${KEY_NAME}`);

		await page.click("#copy-key");
		await until("the clipboard", async () =>
			(await text("#new-key-panel [role=status]")) ? true : undefined,
		);
		expect(await page.evaluate(() => (globalThis as unknown as Browser).navigator.clipboard.readText())).toBe(
			secret,
		);

		const keys = await admin(`/admin/keys?q=${encodeURIComponent(KEY_NAME)}`);
		const key = keys.data.find((k) => k.name === KEY_NAME);
		expect(key).toMatchObject({
			budget_usd: 1,
			budget_period: "monthly",
			spent_usd: 0,
			budget_spent_usd: 0,
			revoked_at: null,
		});
		keyId = String(key?.id);
		const row = page.locator(`#keys-list tr[data-key-id="${keyId}"]`);
		expect(await row.locator("td.key-name").textContent()).toBe(KEY_NAME);
		expect(await row.locator("[role=progressbar]").getAttribute("aria-valuemax")).toBe("1");
		expect(await row.locator("td.budget small").textContent()).toBe("$0 of $1.00 this month");

		await page.click("#dismiss-key");
		expect(await page.locator("#new-key-secret").count()).toBe(0);
		expect(await page.content()).not.toContain(secret);

		await page.reload();
		await page.locator('#view[data-screen="keys"][data-ready="true"]').waitFor();
		expect(await page.locator("#new-key-secret").count()).toBe(0);
		expect(await page.content()).not.toContain(secret);
		const storage = await page.evaluate(() => {
			const { sessionStorage, localStorage } = globalThis as unknown as Browser;
			return JSON.stringify({ ...sessionStorage, ...localStorage });
		});
		expect(storage).not.toContain(secret.slice(3));
	});

	it("adds an OpenAI-protocol model for a configured provider from the Models screen", async () => {
		await openScreen("models");
		const providers = await page.$$eval("#model-provider option", (options) =>
			options.map((option) => (option as unknown as DomNode).value),
		);
		expect(providers).toContain("openai");
		expect(providers).not.toContain("anthropic");
		expect(providers).not.toContain("google");
		await page.selectOption("#model-provider", "openai");
		await page.fill("#model-name", MODEL.slice("openai/".length));
		await page.fill("#model-upstream", "text");
		await page.fill("#model-input-price", String(PRICES.input));
		await page.fill("#model-output-price", String(PRICES.output));
		await page.click("#add-model-form button[type=submit]");
		await page.locator(`#models-list tr[data-model-id="${MODEL}"]`).waitFor();
		expect(await text("#add-model-message")).toBe(`Saved ${MODEL}.`);
		const rows = await tableRows(page, "#models-list");
		expect(rows.find((cells) => cells[1] === MODEL)?.slice(1, 6)).toEqual([
			MODEL,
			"chat",
			"text",
			"$1",
			"$2",
		]);
		const saved = (await admin("/admin/models")).data.find((m) => m.id === MODEL);
		expect(saved).toMatchObject({
			provider: "openai",
			upstream_model: "text",
			enabled: true,
			input_price: 1,
			output_price: 2,
		});
	});

	it("shows requests sent through the openai package in the recent requests, the charts and the tables", {
		timeout: 120_000,
	}, async () => {
		const client = sdk(secret);
		const firstHour = new Date().toISOString().slice(0, 13);
		for (let i = 0; i < 3; i++) {
			const answer = await client.chat.completions.create({
				model: MODEL,
				messages: [{ role: "user", content: `hello ${i}` }],
			});
			expect(answer.usage?.total_tokens).toBe(USAGE.total_tokens);
			tokensSent += answer.usage?.total_tokens ?? 0;
		}
		const stream = await client.chat.completions.create({
			model: MODEL,
			messages: [{ role: "user", content: "stream it" }],
			stream: true,
			stream_options: { include_usage: true },
		});
		for await (const chunk of stream) tokensSent += chunk.usage?.total_tokens ?? 0;
		const missing = await client.chat.completions
			.create({ model: "openai/does-not-exist", messages: [{ role: "user", content: "hi" }] })
			.catch((error: unknown) => error);
		expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
		for (let i = 0; i < ECHO_REQUESTS; i++) {
			const echo = await client.chat.completions.create({
				model: "demo/echo",
				messages: [{ role: "user", content: `echo ${i}` }],
			});
			tokensSent += echo.usage?.total_tokens ?? 0;
		}
		expect(tokensSent).toBeGreaterThan(4 * USAGE.total_tokens);
		// Still the hour of the first request after a chart was drawn: every request is in the chart's last
		// bar. Otherwise (the clock passed an hour meanwhile) only the sums are checked.
		const sameHour = () => new Date().toISOString().slice(0, 13) === firstHour;

		await openScreen("usage");
		// Usage rows are written just after each response: refresh until all of them are in.
		const newest = await until("every request in the recent requests", async () => {
			await page.click("#usage-refresh");
			await sleep(300);
			const rows = await tableRows(page, "#recent-requests");
			const bars = await chartBars(page, "requests");
			const counted = bars.reduce((sum, bar) => sum + bar.value, 0);
			return rows.length === 20 && counted === TOTAL_REQUESTS ? rows : undefined;
		});
		// Newest first: the echo requests, then the unknown model, then the fake's four.
		expect(
			newest.slice(0, ECHO_REQUESTS).every((cells) => cells[2] === "demo/echo" && cells[3] === "200"),
		).toBe(true);
		const unknown = newest[ECHO_REQUESTS];
		expect(unknown?.slice(1, 4)).toEqual([KEY_NAME, "openai/does-not-exist", "404"]);
		expect(unknown?.[4]).toContain("model_not_found");
		const fake = newest.slice(ECHO_REQUESTS + 1);
		expect(fake).toHaveLength(3);
		for (const cells of fake) {
			expect(cells.slice(1, 7)).toEqual([
				KEY_NAME,
				MODEL,
				"200",
				"ok",
				String(USAGE.total_tokens),
				"$0.000039",
			]);
			expect(cells[8]).toBe("1");
		}
		expect(ROW_COST).toBeCloseTo(0.000039, 12);

		// The next page holds the oldest request, the first one sent; Previous comes back.
		await page.click("#requests-next");
		const older = await until("the second page", async () => {
			const rows = await tableRows(page, "#recent-requests");
			return rows.length === 1 ? rows : undefined;
		});
		expect(older[0]?.slice(1, 6)).toEqual([KEY_NAME, MODEL, "200", "ok", String(USAGE.total_tokens)]);
		expect(await page.locator("#requests-next").isDisabled()).toBe(true);
		await page.click("#requests-prev");
		await until("the first page again", async () =>
			(await tableRows(page, "#recent-requests")).length === 20 ? true : undefined,
		);
		expect(await page.locator("#requests-prev").isDisabled()).toBe(true);

		// The charts: 24 hourly bars, this hour's (the last) holding every request, its tokens and its cost.
		const sum = (bars: Array<{ value: number }>) => bars.reduce((total, bar) => total + bar.value, 0);
		const requests = await chartBars(page, "requests");
		const tokens = await chartBars(page, "tokens");
		const cost = await chartBars(page, "cost");
		expect(requests).toHaveLength(24);
		expect(sum(requests)).toBe(TOTAL_REQUESTS);
		expect(requests.reduce((total, bar) => total + bar.errors, 0)).toBe(1);
		expect(sum(tokens)).toBe(tokensSent);
		expect(sum(cost)).toBeCloseTo(4 * ROW_COST, 12);
		if (sameHour()) {
			const hour = `${firstHour}:00Z`;
			expect(requests.at(-1)?.group).toBe(hour);
			expect(requests.at(-1)).toMatchObject({ value: TOTAL_REQUESTS, errors: 1 });
			expect(requests.at(-1)?.title).toBe(`${hour.slice(11, 16)}: ${TOTAL_REQUESTS} requests, 1 failed`);
			expect(tokens.at(-1)?.value).toBe(tokensSent);
			expect(cost.at(-1)?.value).toBeCloseTo(4 * ROW_COST, 12);
		}

		// Top models by cost: the fake's model first; the per-model errors and latency table.
		const top = await tableRows(page, "#top-models");
		expect(top[0]?.slice(0, 2)).toEqual([MODEL, "4"]);
		const topKeys = await tableRows(page, "#top-keys");
		expect(topKeys[0]?.slice(0, 2)).toEqual([KEY_NAME, String(TOTAL_REQUESTS)]);
		const stats = await tableRows(page, "#model-stats");
		expect(stats.find((cells) => cells[0] === MODEL)?.slice(0, 4)).toEqual([MODEL, "4", "0", "0.0%"]);
		expect(stats.find((cells) => cells[0] === "demo/echo")?.slice(0, 4)).toEqual([
			"demo/echo",
			String(ECHO_REQUESTS),
			"0",
			"0.0%",
		]);
		// The 404 for a model that does not exist never reached a model: it is in the recent requests
		// (above) but has no row of errors and latency.
		expect(stats.map((cells) => cells[0])).not.toContain("openai/does-not-exist");
		expect(stats).toHaveLength(2);
		expect(stats.find((cells) => cells[0] === MODEL)?.[4]).toMatch(/^\d[\d,]* ms$/);

		const screenshot = await shoot("usage");
		if (process.env.UPDATE_DASHBOARD_SCREENSHOT === "1") {
			mkdirSync(path.dirname(COMMITTED_SCREENSHOT), { recursive: true });
			copyFileSync(screenshot, COMMITTED_SCREENSHOT);
			console.log(`dashboard screenshot for the README: ${COMMITTED_SCREENSHOT}`);
		}
		await page.emulateMedia({ colorScheme: "dark" });
		await shoot("usage-dark");
		await page.emulateMedia({ colorScheme: "light" });

		// Filtered by model: only its four requests, and its row alone of errors and latency; by key: all
		// of them (one key sent them all).
		await page.selectOption("#usage-model", MODEL);
		await until("the chart, the requests and the errors and latency filtered by model", async () => {
			const counted = sum(await chartBars(page, "requests"));
			const rows = await tableRows(page, "#recent-requests");
			const perModel = await tableRows(page, "#model-stats");
			return counted === 4 &&
				rows.length === 4 &&
				rows.every((cells) => cells[2] === MODEL) &&
				perModel.length === 1 &&
				perModel[0]?.[0] === MODEL
				? true
				: undefined;
		});
		await page.selectOption("#usage-model", "");
		await page.selectOption("#usage-key", keyId);
		await until("the chart filtered by key", async () =>
			sum(await chartBars(page, "requests")) === TOTAL_REQUESTS ? true : undefined,
		);

		// Per day for 30 days: today's bar holds the same numbers.
		await page.click("#usage-range-30d");
		const daily = await until("the daily chart", async () => {
			const bars = await chartBars(page, "requests");
			return bars.length === 30 ? bars : undefined;
		});
		expect(sum(daily)).toBe(TOTAL_REQUESTS);
		if (sameHour()) {
			expect(daily.at(-1)?.group).toBe(firstHour.slice(0, 10));
			expect(daily.at(-1)?.value).toBe(TOTAL_REQUESTS);
		}
		expect(await page.getAttribute("#usage-range-30d", "aria-pressed")).toBe("true");
		await shoot("usage-30-days");
		await page.click("#usage-range-24h");
		await page.selectOption("#usage-key", "");

		// The key's spend against its budget, on the Keys screen: what its limiter booked (the echo
		// model is free), as the usage rows say too.
		const listed = (await admin(`/admin/keys?q=${encodeURIComponent(KEY_NAME)}`)).data.find(
			(k) => k.id === keyId,
		);
		expect(listed?.budget_spent_usd).toBeCloseTo(4 * ROW_COST, 12);
		expect(listed?.spent_usd).toBeCloseTo(4 * ROW_COST, 12);
		await openScreen("keys");
		const budget = page.locator(`#keys-list tr[data-key-id="${keyId}"] td.budget`);
		expect(Number(await budget.getAttribute("data-spent"))).toBeCloseTo(4 * ROW_COST, 12);
		expect(await budget.locator("small").textContent()).toBe("$0.00016 of $1.00 this month");
	});

	it("disables a model with its switch; it leaves GET /v1/models", async () => {
		const before = await sdk(secret).models.list();
		expect(before.data.map((m) => m.id)).toContain(MODEL);
		// A catalog model of the demo provider has a switch like any other; only the built-in demo/echo has none.
		await admin(`/admin/models/${DEMO_CATALOG_MODEL}`, {
			method: "PUT",
			body: { provider: "demo", upstream_model: "echo", input_price: 0, output_price: 0 },
		});
		await openScreen("models");
		const switchOf = (id: string) =>
			page.locator(`#models-list tr[data-model-id="${id}"] input[role=switch]`);
		expect(await switchOf("demo/echo").isDisabled()).toBe(true);
		expect(await switchOf(DEMO_CATALOG_MODEL).isDisabled()).toBe(false);
		const toggle = page.locator(`#models-list tr[data-model-id="${MODEL}"] input[role=switch]`);
		expect(await toggle.isChecked()).toBe(true);
		await toggle.click();
		await until("the switch's answer", async () =>
			(await text("#models-message")) === `${MODEL} disabled.` ? true : undefined,
		);
		expect(await toggle.isChecked()).toBe(false);
		await shoot("models");
		expect((await admin("/admin/models")).data.find((m) => m.id === MODEL)?.enabled).toBe(false);
		const after = await sdk(secret).models.list();
		expect(after.data.map((m) => m.id)).not.toContain(MODEL);
		expect(after.data.map((m) => m.id)).toContain("demo/echo");
	});

	it("edits a key's name, allow-list and limits in its dialog", async () => {
		await openScreen("keys");
		await page.click(`#keys-list tr[data-key-id="${keyId}"] button:text-is("Edit")`);
		await page.locator("#edit-key-dialog[open]").waitFor();
		await page.fill("#edit-key-name", `${KEY_NAME} (edited)`);
		await page.fill("#edit-key-models", "demo/echo, openai/gpt-5.5");
		await page.fill("#edit-key-rpm", "600");
		await page.fill("#edit-key-tpm", "100000");
		await page.fill("#edit-key-budget", "");
		await shoot("keys-edit");
		await page.click('#edit-key-dialog button[type="submit"]');
		await page.locator("#edit-key-dialog").waitFor({ state: "detached" });
		const row = page.locator(`#keys-list tr[data-key-id="${keyId}"]`);
		await until("the edited row", async () =>
			(await row.locator("td.key-name").textContent()) === `${KEY_NAME} (edited)` ? true : undefined,
		);
		const key = (await admin("/admin/keys?limit=200")).data.find((k) => k.id === keyId);
		expect(key).toMatchObject({
			name: `${KEY_NAME} (edited)`,
			models: ["demo/echo", "openai/gpt-5.5"],
			rpm: 600,
			tpm: 100_000,
			budget_usd: null,
			budget_spent_usd: null,
		});
		expect(await row.locator("td.models").textContent()).toBe("demo/echo, openai/gpt-5.5");
	});

	it("revokes the key through the confirmation dialog; its next request is refused", async () => {
		const row = page.locator(`#keys-list tr[data-key-id="${keyId}"]`);
		await row.locator('button:text-is("Revoke")').click();
		await page.locator("#confirm-dialog[open]").waitFor();
		expect(await text("#confirm-message")).toContain(`${KEY_NAME} (edited)`);
		await shoot("keys-revoke-dialog");
		await page.click("#confirm-cancel");
		await page.locator("#confirm-dialog:not([open])").waitFor({ state: "attached" });
		expect((await admin("/admin/keys?limit=200")).data.find((k) => k.id === keyId)?.revoked_at).toBeNull();

		await row.locator('button:text-is("Revoke")').click();
		await page.locator("#confirm-dialog[open]").waitFor();
		await page.click("#confirm-ok");
		await until("the revoked row", async () =>
			(await row.locator("td.status").textContent())?.startsWith("Revoked") ? true : undefined,
		);
		expect(await row.locator('button:text-is("Revoke")').isDisabled()).toBe(true);
		expect(
			(await admin("/admin/keys?limit=200")).data.find((k) => k.id === keyId)?.revoked_at,
		).not.toBeNull();
		const refused = await sdk(secret)
			.chat.completions.create({ model: "demo/echo", messages: [{ role: "user", content: "still there?" }] })
			.catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
		expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
	});

	it("shows hostile key names and model fields as text, running nothing", async () => {
		await admin("/admin/keys", { method: "POST", body: { name: QUOTED_KEY_NAME } });
		await admin(`/admin/models/${HOSTILE_MODEL}`, {
			method: "PUT",
			body: {
				provider: "openai",
				upstream_model: HOSTILE_UPSTREAM,
				input_price: 0,
				output_price: 0,
				fallbacks: [HOSTILE_FALLBACK],
			},
		});

		// Created through the page's own form.
		await page.reload();
		await page.locator('#view[data-screen="keys"][data-ready="true"]').waitFor();
		await page.fill("#new-key-name", HOSTILE_KEY_NAME);
		await page.click("#create-key-form button[type=submit]");
		await page.locator("#new-key-secret").waitFor();
		expect(await text("#new-key-title")).toBe(`New key: ${HOSTILE_KEY_NAME}`);
		await page.click("#dismiss-key");
		const names = await page.$$eval("#keys-list td.key-name", (cells) =>
			cells.map((cell) => cell.textContent),
		);
		expect(names).toContain(HOSTILE_KEY_NAME);
		expect(names).toContain(QUOTED_KEY_NAME);
		await shoot("keys");

		await page.fill("#keys-search", "onerror");
		await until("the search", async () => {
			const found = await page.$$eval("#keys-list td.key-name", (cells) =>
				cells.map((cell) => cell.textContent),
			);
			return found.length === 1 && found[0] === HOSTILE_KEY_NAME ? true : undefined;
		});
		await page.fill("#keys-search", "");

		await openScreen("models");
		const row = page.locator(`#models-list tr[data-model-id="${HOSTILE_MODEL}"]`);
		expect(await row.locator("td.upstream").textContent()).toBe(HOSTILE_UPSTREAM);
		expect(await row.locator("td.fallbacks").textContent()).toBe(HOSTILE_FALLBACK);

		await openScreen("usage");
		const options = await page.$$eval("#usage-key option", (list) =>
			list.map((option) => option.textContent ?? ""),
		);
		expect(options.some((option) => option.startsWith(`${HOSTILE_KEY_NAME} (`))).toBe(true);
		expect(options.some((option) => option.startsWith(`${QUOTED_KEY_NAME} (`))).toBe(true);

		// No element was made from those strings, and nothing ran.
		expect(await page.locator("img").count()).toBe(0);
		expect(await page.locator("#view b").count()).toBe(0);
		expect(dialogs).toEqual([]);
	});

	it("signs out: the token is forgotten and the sign-in form is back", async () => {
		await page.click("#sign-out");
		await page.locator("#sign-in").waitFor();
		expect(
			await page.evaluate((key) => (globalThis as unknown as Browser).sessionStorage.getItem(key), TOKEN_KEY),
		).toBeNull();
		expect(await page.locator("#view").isHidden()).toBe(true);
		expect(await page.locator("#view *").count()).toBe(0);
		await page.reload();
		await page.locator("#sign-in").waitFor();
		expect(await page.locator("#tabs").isHidden()).toBe(true);

		console.log(`dashboard screenshots: ${SCREENS}`);
		expect(browser.offHost, "requests to hosts other than loopback").toEqual([]);
		expect(browser.failed, "failed requests").toEqual([]);
		expect(browser.consoleErrors, "console errors").toEqual([]);
		expect(dialogs, "window dialogs").toEqual([]);
	});
});
