import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ANTHROPIC_KEY, countTokensOf, THINKING, TOOLS_PARALLEL } from "../../fakes/scenarios/anthropic";
import { TEXT as GEMINI_TEXT, TEXT_TOKENS as GEMINI_TEXT_TOKENS } from "../../fakes/scenarios/gemini";
import { TEXT as OPENAI_TEXT } from "../../fakes/scenarios/openai";
import { admin, createKey, gateway, putModel, uniqueModelId, usageRow } from "../helpers";
import { type NamedEvent, readMessagesStream } from "./helpers";

/**
 * A replay of what Claude Code (the `claude` CLI, pointed at the gateway with ANTHROPIC_BASE_URL and
 * ANTHROPIC_AUTH_TOKEN) sends, in the shape it has: the beta client's `?beta=true`, Bearer auth, its
 * betas, a long cached system prompt, its tool set with JSON Schema draft-07 schemas, a tool loop
 * with cache breakpoints, `metadata.user_id`, 32k max_tokens, temperature 1, a stream; a variant
 * with extended thinking whose history carries signed thinking blocks; and its count_tokens calls.
 * The shapes are written from Claude Code 2.0's requests (headers and body fields), the texts are
 * this test's own.
 */

type Json = Record<string, unknown>;

/** How Claude Code names the model; the gateway finds it in the catalog as anthropic/claude-sonnet-4-5. */
const CLAUDE_CODE_MODEL = "claude-sonnet-4-5-20250929";
const CATALOG_ID = "anthropic/claude-sonnet-4-5";
const BETAS = "claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14";

let key: string;

function claudeCodeHeaders(token: string, extra: Record<string, string> = {}): Record<string, string> {
	return {
		accept: "application/json",
		authorization: `Bearer ${token}`,
		"content-type": "application/json",
		"anthropic-version": "2023-06-01",
		"anthropic-beta": BETAS,
		"anthropic-dangerous-direct-browser-access": "true",
		"x-app": "cli",
		"user-agent": "claude-cli/2.0.14 (external, cli)",
		"x-stainless-arch": "x64",
		"x-stainless-lang": "js",
		"x-stainless-os": "Linux",
		"x-stainless-package-version": "0.60.0",
		"x-stainless-retry-count": "0",
		"x-stainless-runtime": "node",
		"x-stainless-runtime-version": "v22.17.0",
		"x-stainless-timeout": "600",
		...extra,
	};
}

/** A request as Claude Code sends it: Bearer auth (ANTHROPIC_AUTH_TOKEN), `?beta=true`, its headers. */
function claudeCode(
	path: "/v1/messages" | "/v1/messages/count_tokens",
	body: unknown,
	options: { token?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
	return gateway(`${path}?beta=true`, {
		method: "POST",
		headers: claudeCodeHeaders(options.token ?? key, options.headers),
		body: JSON.stringify(body),
	});
}

// ---------------------------------------------------------------------------------------------------
// The request.

const SYSTEM_PROMPT = [
	"You are an interactive CLI tool that helps users with software engineering tasks. Use the instructions below and the tools available to you to assist the user.",
	"IMPORTANT: Assist with defensive security tasks only. Refuse to create, modify, or improve code that may be used maliciously.",
	"# Tone and style\nYou should be concise, direct, and to the point. Your output will be displayed on a command line interface. Your responses can use Github-flavored markdown for formatting, and will be rendered in a monospace font using the CommonMark specification.",
	"# Proactiveness\nYou are allowed to be proactive, but only when the user asks you to do something. Strike a balance between doing the right thing when asked, including taking actions and follow-up actions, and not surprising the user with actions you take without asking.",
	"# Following conventions\nWhen making changes to files, first understand the file's code conventions. Mimic code style, use existing libraries and utilities, and follow existing patterns. NEVER assume that a given library is available, even if it is well known.",
	"# Task Management\nYou have access to the TodoWrite tool to help you manage and plan tasks. Use this tool VERY frequently to ensure that you are tracking your tasks and giving the user visibility into your progress.",
	"# Doing tasks\nThe user will primarily request you perform software engineering tasks. This includes solving bugs, adding new functionality, refactoring code, explaining code, and more. Use the available search tools to understand the codebase and the user's query. Implement the solution using all tools available to you. Verify the solution if possible with tests.",
	"# Tool usage policy\nWhen doing file search, prefer to use the Task tool in order to reduce context usage. You have the capability to call multiple tools in a single response. When multiple independent pieces of information are requested, batch your tool calls together for optimal performance.",
	"Here is useful information about the environment you are running in:\n<env>\nWorking directory: /home/dev/app\nIs directory a git repo: Yes\nPlatform: linux\nOS Version: Linux 6.8.0-45-generic\nToday's date: 2025-10-14\n</env>\nYou are powered by the model named Sonnet 4.5. The exact model ID is claude-sonnet-4-5-20250929.",
	"# Code References\nWhen referencing specific functions or pieces of code include the pattern `file_path:line_number` to allow the user to easily navigate to the source code location.",
	"gitStatus: This is the git status at the start of the conversation.\nCurrent branch: fix-sum\n\nMain branch (you will usually use this for PRs): main\n\nStatus:\nM src/sum.ts\n\nRecent commits:\n4f1c2e9 Add sum helper\n8a0b7d1 Initial commit",
].join("\n\n");

const SYSTEM = [
	{ type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." },
	{ type: "text", text: SYSTEM_PROMPT, cache_control: { type: "ephemeral" } },
];

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";
/** A Claude Code tool: a draft-07 object schema without extra properties. */
function tool(name: string, description: string, properties: Json, required: string[]): Json {
	return {
		name,
		description,
		input_schema: {
			type: "object",
			properties,
			required,
			additionalProperties: false,
			$schema: DRAFT_07,
		},
	};
}
const str = (description: string) => ({ type: "string", description });
const num = (description: string) => ({ type: "number", description });
const bool = (description: string) => ({ type: "boolean", description });

const TOOL_LIST: Json[] = [
	tool(
		"Task",
		"Launch a new agent to handle complex, multi-step tasks autonomously.",
		{
			description: str("A short (3-5 word) description of the task"),
			prompt: str("The task for the agent to perform"),
			subagent_type: str("The type of specialized agent to use for this task"),
		},
		["description", "prompt", "subagent_type"],
	),
	tool(
		"Bash",
		"Executes a given bash command in a persistent shell session with optional timeout.",
		{
			command: str("The command to execute"),
			timeout: num("Optional timeout in milliseconds (max 600000)"),
			description: str("Clear, concise description of what this command does in 5-10 words"),
			run_in_background: bool("Set to true to run this command in the background."),
		},
		["command"],
	),
	tool(
		"Glob",
		"Fast file pattern matching tool that works with any codebase size.",
		{
			pattern: str("The glob pattern to match files against"),
			path: str("The directory to search in. If not specified, the current working directory will be used."),
		},
		["pattern"],
	),
	tool(
		"Grep",
		"A powerful search tool built on ripgrep.",
		{
			pattern: str("The regular expression pattern to search for in file contents"),
			path: str("File or directory to search in. Defaults to current working directory."),
			glob: str('Glob pattern to filter files (e.g. "*.js", "*.{ts,tsx}")'),
			output_mode: {
				type: "string",
				enum: ["content", "files_with_matches", "count"],
				description: 'Output mode. Defaults to "files_with_matches".',
			},
			"-i": bool("Case insensitive search"),
			"-n": bool("Show line numbers in output"),
			"-A": num("Number of lines to show after each match"),
			"-B": num("Number of lines to show before each match"),
			head_limit: num("Limit output to first N lines/entries"),
			multiline: bool("Enable multiline mode where . matches newlines"),
		},
		["pattern"],
	),
	tool(
		"ExitPlanMode",
		"Use this tool when you are in plan mode and have finished presenting your plan and are ready to code.",
		{ plan: str("The plan you came up with, that you want to run by the user for approval.") },
		["plan"],
	),
	tool(
		"Read",
		"Reads a file from the local filesystem.",
		{
			file_path: str("The absolute path to the file to read"),
			offset: num("The line number to start reading from."),
			limit: num("The number of lines to read."),
		},
		["file_path"],
	),
	tool(
		"Edit",
		"Performs exact string replacements in files.",
		{
			file_path: str("The absolute path to the file to modify"),
			old_string: str("The text to replace"),
			new_string: str("The text to replace it with (must be different from old_string)"),
			replace_all: { type: "boolean", default: false, description: "Replace all occurences of old_string" },
		},
		["file_path", "old_string", "new_string"],
	),
	tool(
		"Write",
		"Writes a file to the local filesystem.",
		{
			file_path: str("The absolute path to the file to write (must be absolute, not relative)"),
			content: str("The content to write to the file"),
		},
		["file_path", "content"],
	),
	tool(
		"NotebookEdit",
		"Completely replaces the contents of a specific cell in a Jupyter notebook.",
		{
			notebook_path: str("The absolute path to the Jupyter notebook file to edit"),
			cell_id: str("The ID of the cell to edit."),
			new_source: str("The new source for the cell"),
			cell_type: { type: "string", enum: ["code", "markdown"], description: "The type of the cell" },
			edit_mode: { type: "string", enum: ["replace", "insert", "delete"], description: "The type of edit" },
		},
		["notebook_path", "new_source"],
	),
	tool(
		"WebFetch",
		"Fetches content from a specified URL and processes it using an AI model.",
		{
			url: { type: "string", format: "uri", description: "The URL to fetch content from" },
			prompt: str("The prompt to run on the fetched content"),
		},
		["url", "prompt"],
	),
	tool(
		"TodoWrite",
		"Use this tool to create and manage a structured task list for your current coding session.",
		{
			todos: {
				type: "array",
				items: {
					type: "object",
					properties: {
						content: { type: "string", minLength: 1 },
						status: { type: "string", enum: ["pending", "in_progress", "completed"] },
						activeForm: { type: "string", minLength: 1 },
					},
					required: ["content", "status", "activeForm"],
					additionalProperties: false,
				},
				description: "The updated todo list",
			},
		},
		["todos"],
	),
	tool(
		"WebSearch",
		"Allows Claude to search the web and use the results to inform responses.",
		{
			query: { type: "string", minLength: 2, description: "The search query to use" },
			allowed_domains: {
				type: "array",
				items: { type: "string" },
				description: "Only include these domains",
			},
			blocked_domains: {
				type: "array",
				items: { type: "string" },
				description: "Never include these domains",
			},
		},
		["query"],
	),
	tool(
		"BashOutput",
		"Retrieves output from a running or completed background bash shell.",
		{
			bash_id: str("The ID of the background shell to retrieve output from"),
			filter: str("Optional regular expression to filter the output lines."),
		},
		["bash_id"],
	),
	tool(
		"KillShell",
		"Kills a running background bash shell by its ID.",
		{ shell_id: str("The ID of the background shell to kill") },
		["shell_id"],
	),
	tool(
		"SlashCommand",
		"Execute a slash command within the main conversation.",
		{ command: str('The slash command to execute with its arguments, e.g., "/review-pr 123"') },
		["command"],
	),
];
/** Claude Code marks its last tool as a cache breakpoint. */
const TOOLS = TOOL_LIST.map((t, i) =>
	i === TOOL_LIST.length - 1 ? { ...t, cache_control: { type: "ephemeral" } } : t,
);

const USER_ID =
	"user_5d2c0c0c9f0e4b7aa0f4f1e2d3c4b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1c2_account_1b6f3c2e-8d4a-4c1e-9f2b-7a5d3e1c0b9f_session_0e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968";

const READ_ID = "toolu_01VqZ5pXk7bWbYqJ3fTn9Hc2";
const BASH_ID = "toolu_01Hs8KdQ4mLr2NwXe6GpT1vA";

const REMINDER =
	"<system-reminder>\nThis is a reminder that your todo list is currently empty. DO NOT mention this to the user explicitly because they are already aware.\n</system-reminder>";
const ASK = "The test in src/sum.test.ts fails. Fix it.";
const READ_RESULT =
	"     1\timport { expect, it } from 'vitest';\n     2\timport { sum } from './sum';\n     3\t\n     4\tit('adds', () => expect(sum(1, 2)).toBe(3));\n";

/** A session's history: the user's ask with Claude Code's reminder, a Read, then a failing Bash run. */
function history(thinking: boolean): Json[] {
	const thought = (text: string, signature: string) =>
		thinking ? [{ type: "thinking", thinking: text, signature }] : [];
	return [
		{
			role: "user",
			content: [
				{
					type: "text",
					text: REMINDER,
				},
				{ type: "text", text: ASK },
			],
		},
		{
			role: "assistant",
			content: [
				...thought(
					"I should read the test before touching anything.",
					"EqQBCkgIBxABGAIiQMTcxYmJkZGUtOWM1Ny00ZDdlLWE0ZjctNmE3ZmJjZGEzOTI1EgxzaWduYXR1cmUtb25l",
				),
				{ type: "text", text: "I'll start by reading the test." },
				{
					type: "tool_use",
					id: READ_ID,
					name: "Read",
					input: { file_path: "/home/dev/app/src/sum.test.ts" },
				},
			],
		},
		{
			role: "user",
			content: [
				{
					type: "tool_result",
					tool_use_id: READ_ID,
					content: READ_RESULT,
				},
			],
		},
		{
			role: "assistant",
			content: [
				...thought(
					"Run it to see the failure.",
					"EqQBCkgIBxABGAIiQGI3YjQ1ZDFhLTBlNzItNGQ3NS05ZWMxLTNmODFkZTA1NmQ4ORIMc2lnbmF0dXJlLXR3bw==",
				),
				{
					type: "tool_use",
					id: BASH_ID,
					name: "Bash",
					input: { command: "npx vitest run src/sum.test.ts", description: "Run the failing test" },
				},
			],
		},
		{
			role: "user",
			content: [
				{
					type: "tool_result",
					tool_use_id: BASH_ID,
					content: "FAIL  src/sum.test.ts > adds\nAssertionError: expected 4 to be 3\n",
					is_error: true,
					// Claude Code marks the last block of the last user message as a cache breakpoint.
					cache_control: { type: "ephemeral" },
				},
			],
		},
	];
}

function claudeCodeRequest(model: string, thinking = false): Json {
	return {
		model,
		messages: history(thinking),
		temperature: 1,
		system: SYSTEM,
		tools: TOOLS,
		metadata: { user_id: USER_ID },
		max_tokens: 32000,
		...(thinking ? { thinking: { type: "enabled", budget_tokens: 10000 } } : {}),
		stream: true,
	};
}

// ---------------------------------------------------------------------------------------------------
// Stream reading.

const joinedText = (events: NamedEvent[]) =>
	events
		.map((e) => e.data as { type: string; delta?: { type: string; text?: string } })
		.filter((d) => d.type === "content_block_delta" && d.delta?.type === "text_delta")
		.map((d) => d.delta?.text ?? "")
		.join("");

/** Points the catalog's anthropic/claude-sonnet-4-5 at one of the fake Anthropic API's scenarios. */
function pointCatalogAt(scenario: string): Promise<void> {
	return putModel(CATALOG_ID, {
		provider: "anthropic",
		upstream_model: scenario,
		input_price: 3,
		output_price: 15,
		cached_input_price: 0.3,
		cache_write_price: 3.75,
	});
}

/** The fake Anthropic API asked directly, as the gateway asks it. */
async function anthropicDirect(body: Json): Promise<string> {
	const res = await fetch(`${env.ANTHROPIC_BASE_URL}/v1/messages`, {
		method: "POST",
		headers: {
			"x-api-key": ANTHROPIC_KEY,
			"anthropic-version": "2023-06-01",
			"anthropic-beta": BETAS,
			"content-type": "application/json",
		},
		body: JSON.stringify(body),
	});
	expect(res.status).toBe(200);
	return res.text();
}

beforeAll(async () => {
	({ key } = await createKey());
	// The seeded row names the real upstream model; here it is one of the fake's scenarios.
	await pointCatalogAt("echo-request");
});

describe("Claude Code → a Claude model (pass-through)", () => {
	/**
	 * The fake streams an echo 6 characters an event, a few bytes a millisecond: this request's echo
	 * (about 20 KB) would take minutes. So the body is checked on the same request unstreamed (the
	 * pass-through builds the upstream body the same way for both), and the streams against the
	 * fake's streamed scenarios.
	 */
	for (const thinking of [false, true]) {
		it(`sends its request upstream exactly as sent but for the model, with its betas${thinking ? " (extended thinking, signed thinking in history)" : ""}`, async () => {
			await pointCatalogAt("echo-request");
			const request = { ...claudeCodeRequest(CLAUDE_CODE_MODEL, thinking), stream: false };
			const res = await claudeCode("/v1/messages", request);
			expect(res.status, await res.clone().text()).toBe(200);
			const gateId = res.headers.get("x-request-id") ?? "";
			const body = (await res.json()) as { id: string; model: string; content: Array<{ text: string }> };
			expect(body.id).toBe(gateId);
			expect(body.model).toBe(CATALOG_ID);
			const echo = JSON.parse(body.content[0]?.text ?? "") as { headers: Json; body: Json };
			expect(echo.body).toEqual({ ...request, model: "echo-request" });
			expect(echo.headers).toEqual({
				"anthropic-version": "2023-06-01",
				"content-type": "application/json",
				"anthropic-beta": BETAS,
			});
			expect(await usageRow(gateId)).toMatchObject({
				ingress: "messages",
				model: CATALOG_ID,
				provider: "anthropic",
				upstream_model: "echo-request",
				prompt_tokens: 10,
				completion_tokens: 10,
				streamed: 0,
				outcome: "ok",
				status: 200,
			});
		});
	}

	for (const [thinking, scenario] of [
		[false, "tools-parallel"],
		[true, "thinking"],
	] as const) {
		it(`streams Claude's answer (${scenario}) byte for byte but for message_start's id and model, well-formed`, async () => {
			await pointCatalogAt(scenario);
			const request = claudeCodeRequest(CLAUDE_CODE_MODEL, thinking);
			const [res, direct] = await Promise.all([
				claudeCode("/v1/messages", request),
				anthropicDirect({ ...request, model: scenario }),
			]);
			const raw = await res.clone().text();
			const { gateId, events } = await readMessagesStream(res);
			expect(raw).toBe(
				direct
					.replace('"id":"msg_fake"', `"id":"${gateId}"`)
					.replace(`"model":"${scenario}"`, `"model":"${CATALOG_ID}"`),
			);
			expect(events.map((e) => (e.data as Json).type)).toContain("content_block_start");
			const usage = thinking ? THINKING.usage : TOOLS_PARALLEL.usage;
			expect(await usageRow(gateId)).toMatchObject({
				ingress: "messages",
				model: CATALOG_ID,
				upstream_model: scenario,
				prompt_tokens: usage.input_tokens,
				completion_tokens: usage.output_tokens,
				streamed: 1,
				outcome: "ok",
			});
		});
	}

	it("keeps every cache breakpoint where Claude Code put it (system, last tool, last user block)", async () => {
		await pointCatalogAt("echo-request");
		const request = { ...claudeCodeRequest(CLAUDE_CODE_MODEL), stream: false };
		const res = await claudeCode("/v1/messages", request);
		const answer = (await res.json()) as { content: Array<{ text: string }> };
		const body = (JSON.parse(answer.content[0]?.text ?? "") as { body: Json }).body;
		const marked = (list: unknown) =>
			(list as Json[]).flatMap((item, i) => ("cache_control" in item ? [i] : []));
		expect(marked(body.system)).toEqual([1]);
		expect(marked(body.tools)).toEqual([TOOLS.length - 1]);
		const messages = body.messages as Array<{ content: Json[] }>;
		expect(messages.map((m) => marked(m.content))).toEqual([[], [], [], [], [0]]);
	});

	it("answers its count_tokens calls with Claude's exact count, for the tool set and for the whole conversation", async () => {
		await pointCatalogAt("echo-request");
		// Its /context view counts the tool set with a minimal message, and the conversation whole.
		const toolsOnly = {
			model: CLAUDE_CODE_MODEL,
			messages: [{ role: "user", content: "foo" }],
			tools: TOOLS,
		};
		const {
			stream: _stream,
			max_tokens: _max,
			temperature: _t,
			metadata: _m,
			...conversation
		} = claudeCodeRequest(CLAUDE_CODE_MODEL, true);
		for (const body of [toolsOnly, conversation]) {
			const res = await claudeCode("/v1/messages/count_tokens", body, {
				headers: { "anthropic-beta": `${BETAS},token-counting-2024-11-01` },
			});
			expect(res.status, await res.clone().text()).toBe(200);
			expect(res.headers.get("x-aigate-token-count")).toBe("exact");
			expect(await res.json()).toEqual({ input_tokens: countTokensOf(body) });
		}
	});
});

describe("Claude Code → a translated model", () => {
	const models = new Map<string, string>();
	async function model(provider: string, scenario: string): Promise<string> {
		let id = models.get(`${provider}:${scenario}`);
		if (!id) {
			id = uniqueModelId(provider, scenario);
			await putModel(id, { provider, upstream_model: scenario });
			models.set(`${provider}:${scenario}`, id);
		}
		return id;
	}

	for (const [provider, text] of [
		["openai", OPENAI_TEXT],
		["google", GEMINI_TEXT],
	] as const) {
		for (const thinking of [false, true]) {
			it(`streams a well-formed answer from ${provider}${thinking ? " (thinking on)" : ""}`, async () => {
				const id = await model(provider, "text");
				const { gateId, events } = await readMessagesStream(
					await claudeCode("/v1/messages", claudeCodeRequest(id, thinking)),
				);
				const request = claudeCodeRequest(id, thinking);
				// message_start must carry real input tokens, never 0 (vercel/ai #17326). OpenAI reports usage
				// only at the end, so it has the gateway's estimate; Gemini reports it on every event, so it
				// has the fake's promptTokenCount from the first one (nothing cached).
				const inputTokens = provider === "google" ? GEMINI_TEXT_TOKENS.prompt : estimateByHand(request);
				expect(inputTokens).toBeGreaterThan(0);
				expect(events[0]?.data).toMatchObject({
					type: "message_start",
					message: {
						id: gateId,
						model: id,
						usage: {
							input_tokens: inputTokens,
							cache_creation_input_tokens: 0,
							cache_read_input_tokens: 0,
							output_tokens: 1,
						},
					},
				});
				expect(joinedText(events)).toBe(text);
				expect(await usageRow(gateId)).toMatchObject({
					ingress: "messages",
					model: id,
					provider,
					outcome: "ok",
					streamed: 1,
				});
			});
		}
	}

	it("OpenAI gets the conversation as chat: cache hints gone, tools as functions, thinking as reasoning_effort", async () => {
		const id = await model("openai", "echo-request");
		const { events } = await readMessagesStream(
			await claudeCode("/v1/messages", claudeCodeRequest(id, true)),
		);
		const sent = (JSON.parse(joinedText(events)) as { body: Json }).body;
		expect(JSON.stringify(sent)).not.toContain("cache_control");
		expect(JSON.stringify(sent)).not.toContain("signature");
		const { messages: chat, tools, ...rest } = sent;
		expect(rest).toEqual({
			model: "echo-request",
			max_completion_tokens: 32000,
			temperature: 1,
			// The first 64 characters: OpenAI-protocol upstreams cap `user` (Claude Code's is ~150).
			user: USER_ID.slice(0, 64),
			stream: true,
			stream_options: { include_usage: true },
			// A 10,000-token thinking budget is OpenAI's "medium".
			reasoning_effort: "medium",
		});
		expect(tools).toEqual(
			TOOL_LIST.map((t) => ({
				type: "function",
				function: { name: t.name, description: t.description, parameters: t.input_schema },
			})),
		);
		expect(chat).toEqual([
			{ role: "system", content: SYSTEM.map(({ text }) => ({ type: "text", text })) },
			{
				role: "user",
				content: [
					{ type: "text", text: REMINDER },
					{ type: "text", text: ASK },
				],
			},
			{
				role: "assistant",
				content: [{ type: "text", text: "I'll start by reading the test." }],
				tool_calls: [
					{
						id: READ_ID,
						type: "function",
						function: { name: "Read", arguments: '{"file_path":"/home/dev/app/src/sum.test.ts"}' },
					},
				],
			},
			{
				role: "tool",
				tool_call_id: READ_ID,
				content: READ_RESULT,
			},
			{
				role: "assistant",
				content: null,
				tool_calls: [
					{
						id: BASH_ID,
						type: "function",
						function: {
							name: "Bash",
							arguments: '{"command":"npx vitest run src/sum.test.ts","description":"Run the failing test"}',
						},
					},
				],
			},
			{
				role: "tool",
				tool_call_id: BASH_ID,
				content: "FAIL  src/sum.test.ts > adds\nAssertionError: expected 4 to be 3\n",
			},
		]);
	});

	it("Gemini gets the tools with their draft-07 $schema removed, and the tool loop as function calls and responses", async () => {
		const id = await model("google", "echo-request");
		const { events } = await readMessagesStream(await claudeCode("/v1/messages", claudeCodeRequest(id)));
		const sent = JSON.parse(joinedText(events)) as {
			tools: Array<{ functionDeclarations: Json[] }>;
			contents: Array<{ role: string; parts: Json[] }>;
			generationConfig: Json;
			systemInstruction: Json;
		};
		expect(sent.tools).toEqual([
			{
				functionDeclarations: TOOL_LIST.map((t) => {
					const { $schema: _schema, ...schema } = t.input_schema as Json;
					return { name: t.name, description: t.description, parametersJsonSchema: schema };
				}),
			},
		]);
		expect(sent.systemInstruction).toEqual({
			parts: [{ text: SYSTEM.map(({ text }) => text).join("\n") }],
		});
		expect(sent.generationConfig).toEqual({ temperature: 1, maxOutputTokens: 32000 });
		expect(sent.contents.map((c) => [c.role, c.parts.map((p) => Object.keys(p)[0])])).toEqual([
			["user", ["text", "text"]],
			["model", ["text", "functionCall"]],
			["user", ["functionResponse"]],
			["model", ["functionCall"]],
			["user", ["functionResponse"]],
		]);
		expect(sent.contents[4]?.parts[0]).toEqual({
			functionResponse: {
				name: "Bash",
				response: { result: "FAIL  src/sum.test.ts > adds\nAssertionError: expected 4 to be 3\n" },
			},
		});
	});

	it("answers count_tokens with the gateway's estimate, and says so", async () => {
		const id = await model("google", "text");
		const body = {
			model: id,
			system: "Be brief.",
			messages: [{ role: "user", content: "Hello there" }],
		};
		const res = await claudeCode("/v1/messages/count_tokens", body);
		expect(res.status).toBe(200);
		expect(res.headers.get("x-aigate-token-count")).toBe("estimate");
		// estimate-tokens.ts: 20 characters at 4 a token, plus 4 for the one message.
		expect(await res.json()).toEqual({
			input_tokens: Math.ceil(("Be brief.".length + "Hello there".length) / 4) + 4,
		});

		const {
			stream: _s,
			max_tokens: _m,
			temperature: _t,
			metadata: _u,
			...conversation
		} = claudeCodeRequest(id, true);
		const whole = await claudeCode("/v1/messages/count_tokens", conversation);
		expect(whole.headers.get("x-aigate-token-count")).toBe("estimate");
		expect(await whole.json()).toEqual({ input_tokens: estimateByHand(conversation) });
	});
});

/**
 * The documented heuristic of estimate-tokens.ts, restated for this test's blocks: text at 4
 * characters a token (system, text blocks, tool results, tool calls' name and input JSON, tool
 * definitions as JSON), thinking not counted, 4 tokens a message.
 */
function estimateByHand(body: Json): number {
	let chars = 0;
	for (const block of body.system as Array<{ text: string }>) chars += block.text.length;
	const messages = body.messages as Array<{ content: Json[] }>;
	for (const message of messages) {
		for (const block of message.content) {
			if (block.type === "text") chars += String(block.text).length;
			if (block.type === "tool_use") chars += String(block.name).length + JSON.stringify(block.input).length;
			if (block.type === "tool_result") chars += String(block.content).length;
		}
	}
	for (const t of body.tools as Json[]) chars += JSON.stringify(t).length;
	return Math.ceil(chars / 4) + 4 * messages.length;
}

describe("count_tokens: not a billed request", () => {
	it("writes no usage row and books nothing against the key's rpm", async () => {
		await pointCatalogAt("echo-request");
		const created = await admin("/admin/keys", {
			method: "POST",
			body: JSON.stringify({ name: "claude-code-counting", rpm: 1 }),
		});
		const limited = (await created.json()) as { id: string; key: string };
		const ids: string[] = [];
		for (let i = 0; i < 3; i++) {
			const res = await claudeCode(
				"/v1/messages/count_tokens",
				{ model: CLAUDE_CODE_MODEL, messages: [{ role: "user", content: `count ${i}` }] },
				{ token: limited.key },
			);
			expect(res.status, await res.clone().text()).toBe(200);
			ids.push(res.headers.get("x-request-id") ?? "");
		}
		// The key's one request a minute is still there, and its row is the key's only one.
		const asked = await claudeCode(
			"/v1/messages",
			{ model: CLAUDE_CODE_MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }] },
			{ token: limited.key },
		);
		expect(asked.status, await asked.clone().text()).toBe(200);
		const gateId = asked.headers.get("x-request-id") ?? "";
		await usageRow(gateId);
		const count = async (sql: string, value: string) =>
			(await env.DB.prepare(sql).bind(value).first<{ n: number }>())?.n;
		expect(await count("SELECT count(*) AS n FROM usage WHERE key_id = ?", limited.id)).toBe(1);
		for (const id of ids) expect(await count("SELECT count(*) AS n FROM usage WHERE id = ?", id)).toBe(0);
	});

	it("404 not_found_error in Anthropic's shape for a model the catalog does not have", async () => {
		const res = await claudeCode("/v1/messages/count_tokens", {
			model: "claude-nonexistent-9",
			messages: [{ role: "user", content: "hi" }],
		});
		expect(res.status).toBe(404);
		expect(await res.json()).toEqual({
			type: "error",
			error: {
				type: "not_found_error",
				message: "The model 'claude-nonexistent-9' does not exist or is not enabled on this gateway.",
			},
		});
	});
});
