import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { handleAnthropic } from "../fakes/anthropic-fake";
import {
	DEFAULT_FIXTURES_DIR,
	FIXTURE_PROVIDERS,
	FIXTURES_ENV,
	fixtureStatus,
	fixturesDir,
	REPO_ROOT,
} from "../fakes/fixtures";
import { handleGemini } from "../fakes/gemini-fake";
import { type FakeHandler, serveFake } from "../fakes/http";
import { handleOpenAI } from "../fakes/openai-fake";
import { ANTHROPIC_KEY } from "../fakes/scenarios/anthropic";
import { GEMINI_KEY } from "../fakes/scenarios/gemini";
import { OPENAI_KEY } from "../fakes/scenarios/openai";

/**
 * The one mechanism behind every replay of a recorded provider response (test/fakes/fixtures.ts):
 * where the folder is looked for, how its absence is reported, and what the fakes answer for a
 * recording that is not there. Runs in Node against the fakes themselves, no gateway involved.
 */

let root: string;
const saved = process.env[FIXTURES_ENV];

beforeAll(() => {
	root = mkdtempSync(path.join(os.tmpdir(), "aigate-fixtures-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
	if (saved === undefined) delete process.env[FIXTURES_ENV];
	else process.env[FIXTURES_ENV] = saved;
});

/** A fresh folder under the temporary root; with `providers`, one sub-folder each. */
function folder(name: string, providers: readonly string[] = []): string {
	const dir = path.join(root, name);
	mkdirSync(dir);
	for (const provider of providers) mkdirSync(path.join(dir, provider));
	return dir;
}

describe("where the recorded responses are looked for", () => {
	it("defaults to ../shared/fixtures beside the repository, whatever the working directory", () => {
		expect(REPO_ROOT).toBe(path.resolve(import.meta.dirname, "../.."));
		expect(DEFAULT_FIXTURES_DIR).toBe(path.resolve(import.meta.dirname, "../../../shared/fixtures"));
		expect(fixturesDir({})).toBe(DEFAULT_FIXTURES_DIR);
		expect(fixtureStatus({ [FIXTURES_ENV]: "" }).dir).toBe(DEFAULT_FIXTURES_DIR);
	});

	it("takes AIGATE_FIXTURES_DIR instead, relative paths from the repository's root", () => {
		expect(fixturesDir({ [FIXTURES_ENV]: "/somewhere/else" })).toBe("/somewhere/else");
		expect(fixturesDir({ [FIXTURES_ENV]: "recorded" })).toBe(path.join(REPO_ROOT, "recorded"));
	});

	it("reports a missing folder as absent, with the reason", () => {
		const dir = path.join(root, "does-not-exist");
		expect(fixtureStatus({ [FIXTURES_ENV]: dir })).toEqual({
			available: false,
			dir,
			reason: `${FIXTURES_ENV}=${dir} not found`,
		});
	});

	it("reports an empty folder, or one missing a provider, as absent, naming what is missing", () => {
		const empty = folder("empty");
		expect(fixtureStatus({ [FIXTURES_ENV]: empty })).toEqual({
			available: false,
			dir: empty,
			reason: `${FIXTURES_ENV}=${empty} has no openai, anthropic, gemini folder`,
		});
		const partial = folder("partial", ["openai", "gemini"]);
		expect(fixtureStatus({ [FIXTURES_ENV]: partial })).toMatchObject({
			available: false,
			reason: `${FIXTURES_ENV}=${partial} has no anthropic folder`,
		});
	});

	it("reports a folder with every provider's recordings as present", () => {
		const full = folder("full", FIXTURE_PROVIDERS);
		writeFileSync(path.join(full, "openai", "x.response.sse"), "data: [DONE]\n\n");
		expect(fixtureStatus({ [FIXTURES_ENV]: full })).toEqual({
			available: true,
			dir: full,
			reason: `recorded responses in ${full}`,
		});
	});

	it("is what global-setup provided to this run", () => {
		expect(inject("fixtures")).toEqual(fixtureStatus({ [FIXTURES_ENV]: saved }));
	});
});

describe("the fakes, asked to replay a recording", () => {
	const servers: Array<{ close(): Promise<void> }> = [];
	afterAll(async () => {
		await Promise.all(servers.map((server) => server.close()));
	});
	async function serve(handler: FakeHandler): Promise<string> {
		const server = await serveFake(handler);
		servers.push(server);
		return server.url;
	}

	const openai = (url: string, name: string) =>
		fetch(`${url}/v1/chat/completions`, {
			method: "POST",
			headers: { authorization: `Bearer ${OPENAI_KEY}`, "content-type": "application/json" },
			body: JSON.stringify({ model: `fixture-${name}`, stream: true, messages: [] }),
		});
	const anthropic = (url: string, model: string) =>
		fetch(`${url}/v1/messages`, {
			method: "POST",
			headers: {
				"x-api-key": ANTHROPIC_KEY,
				"anthropic-version": "2023-06-01",
				"content-type": "application/json",
			},
			body: JSON.stringify({
				model,
				max_tokens: 16,
				stream: true,
				messages: [{ role: "user", content: "hi" }],
			}),
		});
	const gemini = (url: string, stem: string) =>
		fetch(`${url}/v1beta/models/replay-${stem}:streamGenerateContent?alt=sse`, {
			method: "POST",
			headers: { "x-goog-api-key": GEMINI_KEY, "content-type": "application/json" },
			body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
		});

	it("answer a 500 naming the file and the reason when the folder is absent", async () => {
		const dir = path.join(root, "absent");
		process.env[FIXTURES_ENV] = dir;
		const why = `(${FIXTURES_ENV}=${dir} not found; ${FIXTURES_ENV} names another folder)`;

		const fromOpenAI = await openai(await serve(handleOpenAI), "openai-stream-tool-call-then-answer.0");
		expect(fromOpenAI.status).toBe(500);
		expect(((await fromOpenAI.json()) as { error: { message: string } }).error.message).toBe(
			`fixture openai/openai-stream-tool-call-then-answer.0.response.sse not found in ${dir} ${why}`,
		);

		const fromAnthropic = await anthropic(await serve(handleAnthropic), "replay-text");
		expect(fromAnthropic.status).toBe(500);
		expect(await fromAnthropic.json()).toMatchObject({
			type: "error",
			error: {
				type: "api_error",
				message: `fixture anthropic/anthropic-text-raw.response.sse not found in ${dir} ${why}`,
			},
		});

		const fromGemini = await gemini(await serve(handleGemini), "gemini-stream-text-raw");
		expect(fromGemini.status).toBe(500);
		expect(await fromGemini.json()).toMatchObject({
			error: {
				code: 500,
				status: "INTERNAL",
				message: expect.stringMatching(
					/^fixture gemini\/gemini-stream-text-raw\.response\.sse or .* not found/,
				),
			},
		});
	});

	it("answer a 500 for a file missing from a folder that is there, and replay the files that are", async () => {
		const dir = folder("some", FIXTURE_PROVIDERS);
		const recorded = 'data: {"choices":[]}\n\ndata: [DONE]\n\n';
		writeFileSync(path.join(dir, "openai", "mine.response.sse"), recorded);
		writeFileSync(
			path.join(dir, "gemini", "mine.response.sse"),
			'data: {"candidates":[{"content":{"parts":[{"text":"hi"}],"role":"model"},"finishReason":"STOP"}]}\r\n\r\n',
		);
		process.env[FIXTURES_ENV] = dir;
		const openaiUrl = await serve(handleOpenAI);

		const missing = await openai(openaiUrl, "other");
		expect(missing.status).toBe(500);
		expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(
			`fixture openai/other.response.sse not found in ${dir}`,
		);
		const present = await openai(openaiUrl, "mine");
		expect(present.status).toBe(200);
		expect(await present.text()).toBe(recorded);

		const fromAnthropic = await anthropic(await serve(handleAnthropic), "replay-thinking");
		expect(fromAnthropic.status).toBe(500);
		expect(JSON.stringify(await fromAnthropic.json())).toContain("anthropic-clear-thinking.1.chunks.txt");

		const geminiReplay = await gemini(await serve(handleGemini), "mine");
		expect(geminiReplay.status).toBe(200);
		expect(await geminiReplay.text()).toContain('"text":"hi"');
	});
});
