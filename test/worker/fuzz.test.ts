import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { GATE_ID } from "../shared/patterns";
import { parseSse } from "../shared/sse";
import { ADMIN_TOKEN, createKey, putModel, uniqueModelId } from "./helpers";

/**
 * Property tests: thousands of malformed, near-valid and odd requests to /v1/chat/completions and
 * /admin/*. Whatever arrives, the gateway answers with a status below 500 (the fuzzed model's upstream
 * is the fake's `text` scenario, so nothing legitimately fails upstream), a JSON body — an SSE stream
 * for a streamed 200 — and, for every error, exactly OpenAI's error shape; every response carries a
 * `gate-…` request id, and every chat request that reached the handler leaves exactly one usage row.
 *
 * Requests go straight to the Worker's fetch handler rather than through `exports.default.fetch`: the
 * loopback path of @cloudflare/vitest-pool-workers gets slower with every call made in an isolate
 * (measured here: 200 sequential 401s took 2 s, then 7 s, 20 s and 52 s; cloudflare/workers-sdk#15446),
 * which makes thousands of requests impossible. The direct call runs the same Hono app with the same
 * bindings; each request gets its own ExecutionContext, whose waitUntil work is awaited per property.
 *
 * Seeds are printed with the run counts; replay a failure with the seed and path fast-check reports.
 */

const MODEL = uniqueModelId("openai", "fuzz");
/** The same `text` scenario behind the Anthropic and Gemini fakes: their translators get fuzzed too. */
const MODEL_ANTHROPIC = uniqueModelId("anthropic", "fuzz");
const MODEL_GEMINI = uniqueModelId("google", "fuzz");
const ORIGIN = "http://gateway.test";
let apiKey = "";
let apiKeyId = "";
/** A key only the admin properties touch (PATCH, DELETE): the chat key must keep its settings. */
let scratchKeyId = "";

/** waitUntil work of requests sent so far, awaited at the end of each property. */
const contexts: ExecutionContext[] = [];
/** Gate ids of chat requests that reached the chat handler: each must have exactly one usage row. */
const handledChatIds: string[] = [];

async function send(request: Request): Promise<Response> {
	const ctx = createExecutionContext();
	contexts.push(ctx);
	return worker.fetch(request, env, ctx);
}

async function settle(): Promise<void> {
	await Promise.all(contexts.splice(0).map((ctx) => waitOnExecutionContext(ctx)));
}

/** Own keys of the built-in prototypes before the fuzz: `__proto__` and friends must not change them. */
const prototypes = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype };
const prototypeKeys = (proto: object) => Reflect.ownKeys(proto).map(String).sort();
const prototypesBefore = Object.fromEntries(
	Object.entries(prototypes).map(([name, proto]) => [name, prototypeKeys(proto)]),
);

let logSpy: { mockRestore(): void } | undefined;
beforeAll(async () => {
	const capabilities = { vision: true, tools: true, json: true };
	await putModel(MODEL, { provider: "openai", upstream_model: "text", capabilities });
	await putModel(MODEL_ANTHROPIC, { provider: "anthropic", upstream_model: "text", capabilities });
	await putModel(MODEL_GEMINI, { provider: "google", upstream_model: "text", capabilities });
	({ key: apiKey, id: apiKeyId } = await createKey(undefined, "fuzz"));
	({ id: scratchKeyId } = await createKey(undefined, "fuzz-scratch"));
	// The gateway logs one line per request; thousands of them would bury the test output.
	logSpy = vi.spyOn(console, "log").mockImplementation(() => {});
});
afterAll(() => logSpy?.mockRestore());

// ---------------------------------------------------------------------------------------------------
// The invariant every response must satisfy.
// ---------------------------------------------------------------------------------------------------

/** Exactly `{error:{message,type,param,code}}`, nothing more, nothing less. */
function expectErrorShape(body: unknown, context: string): void {
	expect(body, context).toBeTypeOf("object");
	expect(body, context).not.toBeNull();
	const outer = body as Record<string, unknown>;
	expect(Object.keys(outer), context).toEqual(["error"]);
	const error = outer.error as Record<string, unknown>;
	expect(error, context).toBeTypeOf("object");
	expect(error, context).not.toBeNull();
	expect(Object.keys(error).sort(), context).toEqual(["code", "message", "param", "type"]);
	expect(error.message, context).toBeTypeOf("string");
	expect((error.message as string).length, context).toBeGreaterThan(0);
	expect(error.type, context).toBeTypeOf("string");
	expect(error.param === null || typeof error.param === "string", `${context}: param`).toBe(true);
	expect(error.code === null || typeof error.code === "string", `${context}: code`).toBe(true);
}

/** A streamed 200: `data:` events, ending in `[DONE]` or in exactly one error event. */
function expectSse(raw: string, gateId: string, context: string): "done" | "error" {
	const { blocks, terminated } = parseSse(raw);
	expect(terminated, `${context}: stream must end with a blank line`).toBe(true);
	expect(blocks.length, context).toBeGreaterThan(0);
	blocks.forEach((block, i) => {
		if (block.kind === "not-data") {
			expect(block.block.startsWith("data: "), `${context}: block ${i}: ${block.block.slice(0, 80)}`).toBe(
				true,
			);
		}
		const last = i === blocks.length - 1;
		if (block.kind === "done") {
			expect(last, `${context}: [DONE] before the end`).toBe(true);
			return;
		}
		if (block.kind === "not-json") throw new SyntaxError(`${context}: block ${i} is not JSON: ${block.data}`);
		const event = (block.kind === "json" ? block.value : undefined) as Record<string, unknown>;
		if ("error" in event) {
			expect(last, `${context}: error event before the end`).toBe(true);
			expectErrorShape(event, `${context}: error event`);
			return;
		}
		expect(last, `${context}: stream ended without [DONE] or an error event`).toBe(false);
		expect(event.id, context).toBe(gateId);
		expect(event.object, context).toBe("chat.completion.chunk");
	});
	return blocks.at(-1)?.kind === "done" ? "done" : "error";
}

/** Status tallies per property, printed with the run counts. */
type Tally = Map<string, number>;

async function checkResponse(
	res: Response,
	request: { method: string; describe: string; chat?: boolean },
	tally: Tally,
): Promise<{ status: number; gateId: string }> {
	const context = request.describe;
	const raw = await res.text();
	const status = res.status;
	const gateId = res.headers.get("x-request-id") ?? "";
	expect(gateId, `${context}: x-request-id`).toMatch(GATE_ID);
	expect(status, `${context}: got ${status} ${raw.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
	expect(status, `${context}: got ${status} ${raw.slice(0, 300)}`).toBeLessThan(500);
	const contentType = res.headers.get("content-type") ?? "";
	const count = (label: string) => tally.set(label, (tally.get(label) ?? 0) + 1);
	if (request.method === "HEAD" || status === 204) {
		count(String(status));
		expect(raw, context).toBe("");
		return { status, gateId };
	}
	if (status === 200 && contentType.startsWith("text/event-stream")) {
		expect(request.chat, `${context}: only chat streams`).toBe(true);
		count(expectSse(raw, gateId, context) === "done" ? "200/sse" : "200/sse-error");
		return { status, gateId };
	}
	count(String(status));
	expect(contentType, `${context}: content-type`).toMatch(/^application\/json/);
	let body: unknown;
	try {
		body = JSON.parse(raw);
	} catch {
		throw new Error(`${context}: body is not JSON: ${raw.slice(0, 300)}`);
	}
	if (status >= 400) {
		expectErrorShape(body, `${context} (${status})`);
	} else if (request.chat) {
		const completion = body as { id?: unknown; object?: unknown; choices?: unknown };
		expect(completion.object, context).toBe("chat.completion");
		expect(completion.id, context).toBe(gateId);
		expect(Array.isArray(completion.choices), context).toBe(true);
	} else {
		expect(body, context).toBeTypeOf("object");
	}
	return { status, gateId };
}

function report(name: string, runs: number, seed: number, tally: Tally, extra = ""): void {
	const statuses = [...tally.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([status, n]) => `${status}×${n}`)
		.join(" ");
	console.info(`[fuzz] ${name}: ${runs} runs (seed ${seed}); statuses ${statuses}${extra}`);
}

const newSeed = () => (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;

// ---------------------------------------------------------------------------------------------------
// Building blocks: raw JSON tokens, prototype-polluting keys, deep nesting, odd strings and numbers.
// ---------------------------------------------------------------------------------------------------

/** A piece of JSON text spliced in as is: numbers JSON.stringify cannot write, deep nesting. */
class Raw {
	constructor(readonly text: string) {}
}

/** JSON text of a value that may hold Raw pieces and own `__proto__` keys. */
function toJson(value: unknown): string {
	if (value instanceof Raw) return value.text;
	if (Array.isArray(value)) return `[${value.map(toJson).join(",")}]`;
	if (value !== null && typeof value === "object") {
		const record = value as Record<string, unknown>;
		return `{${Object.keys(record)
			.map((key) => `${JSON.stringify(key)}:${toJson(record[key])}`)
			.join(",")}}`;
	}
	return JSON.stringify(value) ?? "null";
}

/** An object with the given own keys, `__proto__` included, defined without touching prototypes. */
function objectOf(entries: Array<[string, unknown]>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of entries) {
		Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
	}
	return out;
}

const pollutingKey = fc.constantFrom(
	"__proto__",
	"constructor",
	"prototype",
	"toString",
	"valueOf",
	"hasOwnProperty",
	"__defineGetter__",
	"then",
);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const oddString = fc.oneof(
	fc.string({ maxLength: 40 }),
	fc.string({ unit: "binary", maxLength: 40 }),
	fc.string({
		unit: fc.oneof(loneSurrogate, fc.constantFrom("\u0000", "\u202e", "\ufeff", "\uffff", "\n", "\\")),
	}),
	fc.constantFrom(
		"",
		" ",
		"NaN",
		"Infinity",
		"-Infinity",
		"1e999",
		"-0",
		"0x1F",
		"null",
		"undefined",
		"true",
		"[]",
		"{}",
		"__proto__",
		"constructor",
		"%00",
		"../../etc/passwd",
		"'; DROP TABLE usage; --",
		"😀".repeat(64),
		"a".repeat(5000),
	),
);
const rawNumber = fc
	.constantFrom(
		"1e400",
		"-1e400",
		"1e-400",
		"123456789012345678901234567890",
		"-0",
		"-0.0",
		"1E2",
		"0.0000000000000000000000001",
		"9007199254740993",
	)
	.map((text) => new Raw(text));
const oddNumber = fc.oneof(
	fc.integer(),
	fc.double({ noNaN: true, noDefaultInfinity: true }),
	fc.constantFrom(1e308, -1e308, 5e-324, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64, -1, 0, 0.5, 129, 1_000_000),
	rawNumber,
);
/** Numbers, and things that are almost numbers. */
const numberish = fc.oneof(oddNumber, oddNumber, oddString, fc.boolean(), fc.constant(null));
const deep = fc
	.tuple(
		fc.constantFrom("array", "object"),
		fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(1_000, 10_000, 100_000)),
	)
	.map(([kind, depth]) =>
		kind === "array"
			? new Raw(`${"[".repeat(depth)}${"]".repeat(depth)}`)
			: new Raw(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`),
	);
const polluted = fc
	.array(fc.tuple(pollutingKey, fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 3 })
	.map(objectOf);
/** Anything a JSON field could hold, biased towards trouble. */
const weird: fc.Arbitrary<unknown> = fc.oneof(
	{ weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
	{ weight: 3, arbitrary: oddString },
	{ weight: 3, arbitrary: numberish },
	{ weight: 1, arbitrary: deep },
	{ weight: 1, arbitrary: polluted },
);

/** Extra top-level or nested keys: polluting names, or anything. */
const extras = fc.array(fc.tuple(fc.oneof(pollutingKey, fc.string({ maxLength: 12 })), weird), {
	maxLength: 3,
});

// ---------------------------------------------------------------------------------------------------
// Near-valid chat bodies: a valid request with a few fields deleted, retyped or corrupted.
// ---------------------------------------------------------------------------------------------------

const role = fc.oneof(
	{ weight: 4, arbitrary: fc.constantFrom("system", "developer", "user", "assistant", "tool", "function") },
	{ weight: 1, arbitrary: weird },
);
const contentPart = fc.oneof(
	fc.record({ type: fc.constant("text"), text: fc.oneof(fc.string(), weird) }),
	fc.record({
		type: fc.constant("image_url"),
		image_url: fc.oneof(
			fc.record(
				{
					url: fc.oneof(
						// No remote URLs: the Gemini adapter would fetch them, and the sandbox has no internet.
						fc.constantFrom(
							"data:image/png;base64,iVBORw0KGgo=",
							"data:image/jpeg;base64,",
							"data:,",
							"data:text/plain,hi",
						),
						weird,
					),
					detail: fc.oneof(fc.constantFrom("auto", "low", "high"), weird),
				},
				{ requiredKeys: [] },
			),
			weird,
		),
	}),
	fc.record({
		type: fc.constantFrom("input_audio", "file", "refusal", "video", "TEXT"),
		input_audio: weird,
		file: weird,
		refusal: weird,
	}),
	weird,
);
const content = fc.oneof(
	{ weight: 4, arbitrary: fc.string({ maxLength: 30 }) },
	{ weight: 2, arbitrary: fc.array(contentPart, { maxLength: 4 }) },
	{ weight: 2, arbitrary: weird },
);
const toolCall = fc.oneof(
	fc.record(
		{
			id: fc.oneof(fc.string(), weird),
			type: fc.oneof(fc.constant("function"), weird),
			function: fc.oneof(
				fc.record({ name: fc.oneof(fc.string(), weird), arguments: fc.oneof(fc.json(), weird) }),
				weird,
			),
		},
		{ requiredKeys: [] },
	),
	weird,
);
const message = fc.oneof(
	{
		weight: 5,
		arbitrary: fc
			.tuple(
				fc.record(
					{
						role,
						content,
						name: fc.oneof(fc.string(), weird),
						tool_calls: fc.oneof(fc.array(toolCall, { maxLength: 3 }), weird),
						tool_call_id: fc.oneof(fc.string(), weird),
						refusal: weird,
					},
					{ requiredKeys: ["role", "content"] },
				),
				extras,
			)
			.map(([fields, more]) => objectOf([...Object.entries(fields), ...more])),
	},
	{ weight: 1, arbitrary: weird },
);
const messages = fc.oneof(
	{ weight: 5, arbitrary: fc.array(message, { minLength: 1, maxLength: 4 }) },
	{ weight: 1, arbitrary: fc.constant([]) },
	// Around MAX_MESSAGES (100 in the test config).
	{
		weight: 1,
		arbitrary: fc
			.integer({ min: 98, max: 103 })
			.map((n) =>
				Array.from({ length: n }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `m${i}` })),
			),
	},
	{ weight: 2, arbitrary: weird },
);
const schemaLike = fc.oneof(
	fc.constant({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
	fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
	deep,
	weird,
);
const tool = fc.oneof(
	{
		weight: 4,
		arbitrary: fc.record({
			type: fc.oneof(fc.constant("function"), weird),
			function: fc.oneof(
				fc.record(
					{
						name: fc.oneof(fc.constantFrom("get_weather", "", "a".repeat(300)), weird),
						description: fc.oneof(fc.string(), weird),
						parameters: schemaLike,
						strict: fc.oneof(fc.boolean(), weird),
					},
					{ requiredKeys: ["name"] },
				),
				weird,
			),
		}),
	},
	{ weight: 1, arbitrary: weird },
);
const toolChoice = fc.oneof(
	fc.constantFrom("none", "auto", "required", "any", "NONE"),
	fc.record({ type: fc.constant("function"), function: fc.oneof(fc.record({ name: fc.string() }), weird) }),
	fc.record({ type: fc.oneof(fc.string(), weird) }),
	weird,
);
const responseFormat = fc.oneof(
	fc.record({ type: fc.oneof(fc.constantFrom("text", "json_object", "json_schema", "xml"), weird) }),
	fc.record({
		type: fc.constant("json_schema"),
		json_schema: fc.oneof(
			fc.record(
				{ name: fc.oneof(fc.string(), weird), schema: schemaLike, strict: fc.oneof(fc.boolean(), weird) },
				{ requiredKeys: [] },
			),
			weird,
		),
	}),
	weird,
);

/** One field of the request, set to a plausible, wrong or absurd value. */
const fieldMutation: fc.Arbitrary<[string, unknown]> = fc.oneof(
	fc.tuple(
		fc.constant("model"),
		fc.oneof(
			fc.constantFrom(
				MODEL,
				MODEL_ANTHROPIC,
				MODEL_GEMINI,
				"",
				"openai/does-not-exist",
				MODEL.toUpperCase(),
				`${MODEL} `,
			),
			weird,
		),
	),
	fc.tuple(fc.constant("messages"), messages),
	fc.tuple(fc.constant("stream"), fc.oneof(fc.boolean(), fc.boolean(), weird)),
	fc.tuple(
		fc.constant("stream_options"),
		fc.oneof(fc.record({ include_usage: fc.oneof(fc.boolean(), weird) }, { requiredKeys: [] }), weird),
	),
	fc.tuple(
		fc.constantFrom(
			"max_tokens",
			"max_completion_tokens",
			"temperature",
			"top_p",
			"n",
			"seed",
			"presence_penalty",
			"frequency_penalty",
			"top_logprobs",
		),
		numberish,
	),
	fc.tuple(fc.constantFrom("logprobs", "parallel_tool_calls"), fc.oneof(fc.boolean(), weird)),
	fc.tuple(fc.constant("stop"), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 6 }), weird)),
	fc.tuple(fc.constant("user"), fc.oneof(fc.string(), weird)),
	fc.tuple(fc.constant("modalities"), fc.oneof(fc.array(fc.constantFrom("text", "image", "audio")), weird)),
	fc.tuple(fc.constant("tools"), fc.oneof(fc.array(tool, { maxLength: 3 }), weird)),
	fc.tuple(fc.constant("tool_choice"), toolChoice),
	fc.tuple(fc.constant("response_format"), responseFormat),
	fc.tuple(
		fc.constant("models"),
		fc.oneof(
			fc.array(
				fc.oneof(
					fc.constantFrom(MODEL, MODEL_ANTHROPIC, MODEL_GEMINI, "openai/does-not-exist", ""),
					fc.string(),
				),
				{
					maxLength: 12,
				},
			),
			weird,
		),
	),
	fc.tuple(fc.oneof(pollutingKey, fc.string({ maxLength: 12 })), weird),
);

const nearValidChat = fc
	.record({
		drop: fc.oneof(
			{ weight: 4, arbitrary: fc.constant<string[]>([]) },
			{ weight: 1, arbitrary: fc.subarray(["model", "messages"], { minLength: 1 }) },
		),
		/** Mostly the OpenAI pass-through; the Anthropic and Gemini translators a third of the time. */
		model: fc.constantFrom(MODEL, MODEL, MODEL, MODEL, MODEL_ANTHROPIC, MODEL_GEMINI),
		/**
		 * Streamed requests exercise the SSE pipeline and its invariant, but the fake's `text` stream
		 * dribbles out in tiny pieces (~0.2 s a request): kept to ~1 in 25 so the file stays fast.
		 */
		streamed: fc.integer({ min: 0, max: 24 }).map((n) => n === 0),
		mutations: fc.array(fieldMutation, { maxLength: 3 }),
		/** Sometimes the whole body is wrapped or replaced by a container of the valid one. */
		wrap: fc.constantFrom("none", "none", "none", "none", "none", "none", "array", "string"),
	})
	.map(({ drop, model, streamed, mutations, wrap }) => {
		const fields = new Map<string, unknown>([
			["model", model],
			["messages", [{ role: "user", content: "hi" }]],
		]);
		if (streamed) fields.set("stream", true);
		for (const key of drop) fields.delete(key);
		for (const [key, value] of mutations) fields.set(key, value);
		const body = objectOf([...fields.entries()]);
		if (wrap === "array") return `[${toJson(body)}]`;
		if (wrap === "string") return JSON.stringify(toJson(body));
		return toJson(body);
	});

// ---------------------------------------------------------------------------------------------------
// Headers: values must be ByteStrings (no NUL, CR, LF); Headers trims surrounding whitespace itself.
// ---------------------------------------------------------------------------------------------------

const headerChar = fc.oneof(
	{ weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
	{ weight: 1, arbitrary: fc.constant("\t") },
);
const headerValue = fc.string({ unit: headerChar, maxLength: 60 });
/**
 * Non-ASCII text as its UTF-8 bytes, one latin-1 character per byte: a ByteString, as Request wants.
 * (workerd still warns about non-ASCII header values and stores them UTF-8 encoded.)
 */
const utf8HeaderValue = fc
	.string({ unit: "grapheme", minLength: 1, maxLength: 12 })
	.map((text) => String.fromCharCode(...new TextEncoder().encode(text)));
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const whitespace = fc.constantFrom(" ", "\t", "  ", " \t ", "\t\t");

type AuthCase = { value: string | undefined; valid: boolean };
function authHeader(key: () => string): fc.Arbitrary<AuthCase> {
	return fc.oneof(
		{
			weight: 3,
			arbitrary: fc
				.tuple(
					fc.constantFrom("Bearer", "bearer", "BEARER", "BeArEr"),
					fc.option(whitespace),
					whitespace,
					fc.option(whitespace),
				)
				.map(([scheme, before, gap, after]) => ({
					value: `${before ?? ""}${scheme}${gap}${key()}${after ?? ""}`,
					valid: true,
				})),
		},
		{
			weight: 3,
			arbitrary: fc
				.constantFrom(
					(k: string) => `Basic ${btoa(`user:${k}`)}`,
					(k: string) => `Token ${k}`,
					(k: string) => k,
					(k: string) => `Bearer${k}`,
					(k: string) => `Bearer ${k}x`,
					(k: string) => `Bearer ${k.slice(0, -1)}`,
					(k: string) => `Bearer ${k.toUpperCase()}`,
					(k: string) => `Bearer ${k} ${k}`,
					(k: string) => `Bearer, Bearer ${k}`,
					(k: string) => `Bearer "${k}"`,
					() => "Bearer",
					() => "Bearer ",
					() => "Bearer sk-",
					() => "Bearer sk-\u00e9\u00ff",
					() => "",
				)
				.map((make) => ({ value: make(key()), valid: false })),
		},
		{ weight: 2, arbitrary: headerValue.map((value) => ({ value, valid: false })) },
		{ weight: 1, arbitrary: fc.constant({ value: undefined, valid: false }) },
	);
}
const contentType = fc.option(
	fc.oneof(
		fc.constantFrom(
			"application/json",
			"application/json; charset=utf-8",
			"application/json; charset=utf-16",
			"text/plain",
			"multipart/form-data; boundary=x",
			"application/x-www-form-urlencoded",
			"",
		),
		headerValue,
	),
);
const extraHeaders = fc.array(
	fc.tuple(
		fc.oneof(
			fc.constantFrom(
				"x-request-id",
				"content-encoding",
				"accept",
				"accept-encoding",
				"origin",
				"cookie",
				"x-forwarded-for",
				"expect",
				"range",
			),
			headerName,
		),
		headerValue,
	),
	{ maxLength: 4 },
);

// ---------------------------------------------------------------------------------------------------
// Chat properties.
// ---------------------------------------------------------------------------------------------------

type Body = string | Uint8Array;

function chatRequest(body: Body, headers: Headers, asStream = false): Request {
	const payload = typeof body === "string" ? new TextEncoder().encode(body) : body;
	const init: RequestInit = { method: "POST", headers };
	if (asStream) {
		init.body = new ReadableStream<Uint8Array>({
			start(controller) {
				for (let i = 0; i < payload.length; i += 4096) controller.enqueue(payload.slice(i, i + 4096));
				controller.close();
			},
		});
	} else {
		init.body = payload;
	}
	return new Request(`${ORIGIN}/v1/chat/completions`, init);
}

const keyHeaders = () =>
	new Headers({ authorization: `Bearer ${apiKey}`, "content-type": "application/json" });

const describeBody = (body: Body) =>
	typeof body === "string"
		? `body ${JSON.stringify(body.length > 300 ? `${body.slice(0, 300)}…(${body.length} chars)` : body)}`
		: `bytes [${[...body.slice(0, 64)].join(",")}${body.length > 64 ? ",…" : ""}]`;

/** Sends one chat body with a valid key and checks the invariant; records the id for the usage check. */
async function chatRun(body: Body, tally: Tally, asStream = false): Promise<void> {
	const res = await send(chatRequest(body, keyHeaders(), asStream));
	// Recorded before the checks: a request that fails them still owes its usage row.
	if (res.status !== 413) handledChatIds.push(res.headers.get("x-request-id") ?? "");
	await checkResponse(
		res,
		{ method: "POST", describe: `POST /v1/chat/completions ${describeBody(body)}`, chat: true },
		tally,
	);
}

async function runProperty<T>(
	name: string,
	numRuns: number,
	arbitrary: fc.Arbitrary<T>,
	predicate: (value: T, tally: Tally) => Promise<void>,
	extra: (tally: Tally) => string = () => "",
	/** Known counterexamples, always tried first. */
	examples: T[] = [],
): Promise<void> {
	const seed = newSeed();
	const tally: Tally = new Map();
	try {
		await fc.assert(
			fc.asyncProperty(arbitrary, (value) => predicate(value, tally)),
			{
				numRuns,
				seed,
				examples: examples.map((example): [T] => [example]),
				// Counterexamples can be megabytes (deep nesting): report them cut short; seed and path replay them.
				reporter(details) {
					if (!details.failed) return;
					const cut = (text: string, max: number) =>
						text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
					const report = cut(fc.defaultReportMessage(details) ?? "property failed", 6_000);
					const cause = details.errorInstance instanceof Error ? details.errorInstance.message : "";
					throw new Error(`${report}\nFailure: ${cut(cause, 3_000)}`, { cause: details.errorInstance });
				},
			},
		);
	} finally {
		await settle();
	}
	report(name, numRuns, seed, tally, extra(tally));
}

describe("fuzz: POST /v1/chat/completions", () => {
	it("sanity: the unmutated base request answers 200", async () => {
		const tally: Tally = new Map();
		await chatRun(toJson({ model: MODEL, messages: [{ role: "user", content: "hi" }] }), tally);
		await chatRun(toJson({ model: MODEL, messages: [{ role: "user", content: "hi" }], stream: true }), tally);
		expect([...tally.entries()]).toEqual([
			["200", 1],
			["200/sse", 1],
		]);
	});

	it("arbitrary JSON values as the body", async () => {
		await runProperty("chat: arbitrary JSON", 500, fc.jsonValue(), (value, tally) =>
			chatRun(JSON.stringify(value), tally),
		);
	}, 60_000);

	it("arbitrary strings and bytes as the body", async () => {
		const body: fc.Arbitrary<Body> = fc.oneof(
			fc.string({ maxLength: 200 }),
			fc.string({ unit: "binary", maxLength: 200 }),
			fc.uint8Array({ maxLength: 300 }),
			fc.json().map((text) => text.slice(0, Math.max(0, text.length - 1))),
			fc.constantFrom("", "{", "}", "[", "null", '{"model":', "\ufeff{}", "{}\u0000", '{"a":1}{"b":2}'),
		);
		await runProperty("chat: arbitrary strings/bytes", 500, body, (value, tally) => chatRun(value, tally));
	}, 60_000);

	it("near-valid bodies: fields deleted, retyped or corrupted", async () => {
		await runProperty(
			"chat: near-valid mutations",
			2_000,
			fc.tuple(nearValidChat, fc.boolean()),
			([body, asStream], tally) => chatRun(body, tally, asStream),
			(tally) =>
				`; reached the upstream and answered 200: ${(tally.get("200") ?? 0) + (tally.get("200/sse") ?? 0)}`,
		);
	}, 60_000);

	/*
	 * GATEWAY BUG (found by this property; src/ is not this file's to fix): a JSON Schema nested a few
	 * thousand levels deep through `not`/`anyOf` (likely `items`/`properties` too) in a Gemini model's
	 * tool parameters or response_format schema makes prepareJsonSchema (src/protocols/gemini/
	 * convert-tools.ts) recurse until "RangeError: Maximum call stack size exceeded", and the client
	 * gets 500 {"error":{"message":"Internal gateway error.","type":"server_error","param":null,"code":null}}
	 * instead of a 400. Shrunk counterexamples:
	 *   {"model":"google/fuzz-…","shape":"not","depth":20000,"placement":"tools[0].function.parameters"}
	 *   {"model":"google/fuzz-…","shape":"items","depth":20000,"placement":"tools[0].function.parameters"}
	 * Measured thresholds (direct requests): tools parameters 500 from 3,750 `not` levels (a 27 KB body)
	 * or 1,625 `anyOf` levels (21 KB); response_format.json_schema.schema from 5,956 `not` / 2,274
	 * `anyOf` levels. The OpenAI and Anthropic paths answer 200 or 400 at every depth up to the body limit.
	 * The example below pins the bug, so this property fails until the translator bounds its recursion.
	 */
	it("deep nesting in every free-form field, for each protocol", async () => {
		// Nesting through JSON Schema keywords too: translators walk `items`, `not`, `anyOf`, `properties`.
		const shapes: Record<string, [string, string, string]> = {
			array: ["[", "]", "1"],
			object: ['{"a":', "}", "1"],
			items: ['{"type":"array","items":', "}", '{"type":"string"}'],
			not: ['{"not":', "}", "{}"],
			anyOf: ['{"anyOf":[', "]}", '{"type":"string"}'],
			properties: ['{"type":"object","properties":{"p":', "}}", '{"type":"string"}'],
		};
		const nested = (shape: string, depth: number) => {
			const [open, close, leaf] = shapes[shape] ?? ["[", "]", "1"];
			return new Raw(`${open.repeat(depth)}${leaf}${close.repeat(depth)}`);
		};
		const placements: Record<string, (value: Raw) => Record<string, unknown>> = {
			"tools[0].function.parameters": (value) => ({
				tools: [{ type: "function", function: { name: "f", parameters: value } }],
			}),
			"tools[0].function.parameters.properties.x": (value) => ({
				tools: [
					{
						type: "function",
						function: { name: "f", parameters: { type: "object", properties: { x: value } } },
					},
				],
			}),
			"response_format.json_schema.schema": (value) => ({
				response_format: { type: "json_schema", json_schema: { name: "s", schema: value } },
			}),
			"top-level extra field": (value) => ({ metadata: value }),
			"messages[0] extra field": (value) => ({ messages: [{ role: "user", content: "hi", extra: value }] }),
			"stream_options extra field": (value) => ({ stream_options: { include_usage: true, extra: value } }),
		};
		await runProperty(
			"chat: deep nesting × protocol",
			90,
			fc.record({
				model: fc.constantFrom(MODEL, MODEL_ANTHROPIC, MODEL_GEMINI),
				shape: fc.constantFrom(...Object.keys(shapes)),
				depth: fc.constantFrom(100, 1_000, 5_000, 20_000, 50_000),
				placement: fc.constantFrom(...Object.keys(placements)),
			}),
			({ model, shape, depth, placement }, tally) => {
				const place = placements[placement] ?? ((value: Raw) => ({ metadata: value }));
				const fields = { model, messages: [{ role: "user", content: "hi" }], ...place(nested(shape, depth)) };
				return chatRun(toJson(fields), tally);
			},
			undefined,
			[{ model: MODEL_GEMINI, shape: "not", depth: 5_000, placement: "tools[0].function.parameters" }],
		);
	}, 60_000);

	it("odd authorization, content-type and other headers", async () => {
		await runProperty(
			"chat: headers",
			500,
			fc.record({
				auth: authHeader(() => apiKey),
				contentType,
				extra: extraHeaders,
				body: fc.oneof(
					{
						weight: 3,
						arbitrary: fc.constant(toJson({ model: MODEL, messages: [{ role: "user", content: "hi" }] })),
					},
					{ weight: 1, arbitrary: nearValidChat },
				),
			}),
			async ({ auth, contentType, extra, body }, tally) => {
				const headers = new Headers();
				for (const [name, value] of extra) headers.append(name, value);
				if (contentType !== null) headers.set("content-type", contentType);
				if (auth.value !== undefined) headers.set("authorization", auth.value);
				const describe = `POST /v1/chat/completions headers ${JSON.stringify([...headers])} ${describeBody(body)}`;
				const res = await send(chatRequest(body, headers));
				if (res.status !== 401 && res.status !== 413)
					handledChatIds.push(res.headers.get("x-request-id") ?? "");
				const { status } = await checkResponse(res, { method: "POST", describe, chat: true }, tally);
				// The body limit applies before authentication: an oversized body is a 413 whatever the key.
				if (status === 413) return;
				if (auth.valid) {
					expect(status, `${describe}: a valid key must be accepted`).not.toBe(401);
				} else {
					expect(status, `${describe}: an invalid key must be refused`).toBe(401);
				}
			},
		);
	}, 60_000);

	it("non-ASCII header values (UTF-8 bytes)", async () => {
		await runProperty(
			"chat: UTF-8 header values",
			40,
			fc.record({
				name: fc.constantFrom("authorization", "content-type", "x-request-id"),
				value: utf8HeaderValue,
			}),
			async ({ name, value }, tally) => {
				const headers = keyHeaders();
				headers.set(name, name === "authorization" ? `Bearer ${value}` : value);
				const describe = `POST /v1/chat/completions ${name}: ${JSON.stringify(value)}`;
				const res = await send(
					chatRequest(toJson({ model: MODEL, messages: [{ role: "user", content: "hi" }] }), headers),
				);
				if (res.status !== 401) handledChatIds.push(res.headers.get("x-request-id") ?? "");
				const { status } = await checkResponse(res, { method: "POST", describe, chat: true }, tally);
				if (name === "authorization") expect(status, describe).toBe(401);
			},
		);
	}, 60_000);

	it("bodies around the 1 MiB limit, with and without a content-length", async () => {
		const limit = 1_048_576;
		await runProperty(
			"chat: bodies around MAX_BODY_BYTES",
			16,
			fc.tuple(fc.integer({ min: -64, max: 64 }), fc.boolean()),
			async ([delta, asStream], tally) => {
				// A valid request padded with a long user message to exactly limit + delta bytes.
				const shell = toJson({ model: MODEL, messages: [{ role: "user", content: "" }] });
				const body = shell.replace('"content":""', `"content":"${"a".repeat(limit + delta - shell.length)}"`);
				expect(new TextEncoder().encode(body).length).toBe(limit + delta);
				const res = await send(chatRequest(body, keyHeaders(), asStream));
				const describe = `POST /v1/chat/completions with ${limit + delta} bytes${asStream ? " (streamed body)" : ""}`;
				if (res.status !== 413) handledChatIds.push(res.headers.get("x-request-id") ?? "");
				const { status } = await checkResponse(res, { method: "POST", describe, chat: true }, tally);
				if (delta > 0) expect(status, describe).toBe(413);
				else expect(status, describe).not.toBe(413);
			},
		);
	}, 60_000);

	it("every chat request that reached the handler left exactly one usage row", async () => {
		await settle();
		let found = 0;
		for (let i = 0; i < handledChatIds.length; i += 500) {
			const ids = handledChatIds.slice(i, i + 500);
			found += Number(
				await env.DB.prepare("SELECT COUNT(*) AS n FROM usage WHERE id IN (SELECT value FROM json_each(?))")
					.bind(JSON.stringify(ids))
					.first("n"),
			);
		}
		const forKey = Number(
			await env.DB.prepare("SELECT COUNT(*) AS n FROM usage WHERE key_id = ?").bind(apiKeyId).first("n"),
		);
		if (found !== handledChatIds.length) {
			const missing: string[] = [];
			for (const id of handledChatIds) {
				const row = await env.DB.prepare("SELECT id FROM usage WHERE id = ?").bind(id).first();
				if (!row) missing.push(id);
			}
			console.info(`[fuzz] gate ids without a usage row: ${missing.join(", ")}`);
		}
		console.info(
			`[fuzz] usage rows: ${handledChatIds.length} chat requests reached the handler, ${found} rows found, ${forKey} rows for the fuzz key`,
		);
		expect(new Set(handledChatIds).size).toBe(handledChatIds.length);
		expect(found).toBe(handledChatIds.length);
		expect(forKey).toBe(handledChatIds.length);
	}, 30_000);
});

// ---------------------------------------------------------------------------------------------------
// Admin properties.
// ---------------------------------------------------------------------------------------------------

/** A path segment: usually percent-encoded, sometimes raw from an alphabet that cannot leave the route. */
const segment = fc.oneof(
	{ weight: 3, arbitrary: oddString.map(encodeSegment) },
	{ weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_~!$&'()*+,;=:@-]{0,20}$/) },
	{ weight: 1, arbitrary: fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "%2F", "%2e%2e", "%C0%AF", "%FF") },
);

function adminRequest(
	method: string,
	path: string,
	body: string | undefined,
	token: string | undefined,
): Request {
	const headers = new Headers();
	if (token !== undefined) headers.set("authorization", token);
	if (body !== undefined) headers.set("content-type", "application/json");
	return new Request(`${ORIGIN}${path}`, { method, headers, body });
}

async function adminRun(
	method: string,
	path: string,
	body: string | undefined,
	tally: Tally,
	token: string | undefined = `Bearer ${ADMIN_TOKEN}`,
): Promise<number> {
	const describe = `${method} ${path} auth ${JSON.stringify(token)}${body === undefined ? "" : ` ${describeBody(body)}`}`;
	const res = await send(adminRequest(method, path, body, token));
	return (await checkResponse(res, { method, describe }, tally)).status;
}

/** A valid body with some fields deleted and 0–3 fields set to plausible, wrong or absurd values. */
function mutated(
	base: Array<[string, unknown]>,
	mutation: fc.Arbitrary<[string, unknown]>,
): fc.Arbitrary<{ fields: Map<string, unknown>; json: string }> {
	return fc
		.record({
			drop: fc.oneof(
				{ weight: 4, arbitrary: fc.constant<string[]>([]) },
				{
					weight: 1,
					arbitrary: fc.subarray(
						base.map(([key]) => key),
						{ minLength: 1, maxLength: 1 },
					),
				},
			),
			mutations: fc.array(
				fc.oneof(
					mutation,
					mutation,
					mutation,
					fc.tuple(fc.oneof(pollutingKey, fc.string({ maxLength: 12 })), weird),
				),
				{
					maxLength: 3,
				},
			),
		})
		.map(({ drop, mutations }) => {
			const fields = new Map<string, unknown>(base);
			for (const key of drop) fields.delete(key);
			for (const [key, value] of mutations) fields.set(key, value);
			return { fields, json: toJson(objectOf([...fields.entries()])) };
		});
}

const keyMutation: fc.Arbitrary<[string, unknown]> = fc.oneof(
	fc.tuple(
		fc.constant("name"),
		fc.oneof(
			fc.string({ minLength: 1, maxLength: 30 }),
			fc.string({ minLength: 195, maxLength: 205 }),
			weird,
		),
	),
	fc.tuple(
		fc.constant("models"),
		fc.oneof(
			fc.array(fc.oneof(fc.constantFrom(MODEL, ""), fc.string()), { maxLength: 4 }),
			fc.constant(null),
			weird,
		),
	),
	fc.tuple(fc.constant("budget_usd"), fc.oneof(fc.double({ min: 0.01, max: 1e6, noNaN: true }), numberish)),
	fc.tuple(
		fc.constant("budget_period"),
		fc.oneof(fc.constantFrom("total", "monthly", "daily", "MONTHLY"), weird),
	),
	fc.tuple(
		fc.constantFrom("rpm", "tpm"),
		fc.oneof(fc.integer({ min: 1, max: 1e9 }), fc.constant(null), numberish),
	),
);
const keyBody = mutated([["name", "fuzz-key"]], keyMutation).map(({ json }) => json);
const adminBody = fc.oneof(
	{ weight: 4, arbitrary: keyBody },
	{ weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
	{ weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
);

const providers = ["openai", "anthropic", "google", "groq", "offline", "demo"] as const;
const modelMutation: fc.Arbitrary<[string, unknown]> = fc.oneof(
	fc.tuple(fc.constant("provider"), fc.oneof(fc.constantFrom(...providers, "nobody", ""), weird)),
	fc.tuple(fc.constant("upstream_model"), fc.oneof(fc.constantFrom("text", "gpt-5.5", ""), weird)),
	fc.tuple(fc.constant("enabled"), fc.oneof(fc.boolean(), weird)),
	fc.tuple(
		fc.constantFrom("input_price", "output_price"),
		fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), numberish),
	),
	fc.tuple(fc.constant("cached_input_price"), fc.oneof(fc.constant(null), numberish)),
	fc.tuple(fc.constant("cache_write_price"), fc.oneof(fc.constant(null), numberish)),
	fc.tuple(fc.constant("cache_write_1h_price"), fc.oneof(fc.constant(null), numberish)),
	fc.tuple(fc.constant("max_output_tokens"), fc.oneof(fc.integer({ min: 1, max: 100_000 }), numberish)),
	fc.tuple(
		fc.constant("capabilities"),
		fc.oneof(
			fc.record(
				{
					vision: fc.oneof(fc.boolean(), weird),
					tools: fc.boolean(),
					json: fc.boolean(),
					image_output: weird,
				},
				{ requiredKeys: [] },
			),
			weird,
		),
	),
	fc.tuple(
		fc.constant("fallbacks"),
		fc.oneof(fc.array(fc.oneof(fc.constant(MODEL), fc.string()), { maxLength: 12 }), weird),
	),
);
/** A model spec for `provider`, mutated; `provider` is the body's own field after mutation. */
const modelBody = (provider: string) =>
	mutated(
		[
			["provider", provider],
			["upstream_model", "text"],
			["input_price", 1],
			["output_price", 2],
		],
		modelMutation,
	).map(({ fields, json }) => ({ provider: fields.get("provider"), json }));
/** A model name: usually one the id pattern accepts, sometimes anything. */
const modelName = fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,20}$/), segment);

describe("fuzz: /admin/*", () => {
	it("POST /admin/keys with arbitrary and near-valid bodies", async () => {
		await runProperty("admin: POST /admin/keys", 400, adminBody, async (body, tally) => {
			await adminRun("POST", "/admin/keys", body, tally);
		});
	}, 60_000);

	it("PATCH /admin/keys/:id with arbitrary ids and bodies", async () => {
		await runProperty(
			"admin: PATCH /admin/keys/:id",
			400,
			fc.tuple(fc.oneof(fc.constant(scratchKeyId), segment), adminBody),
			async ([id, body], tally) => {
				await adminRun("PATCH", `/admin/keys/${id}`, body, tally);
			},
		);
	}, 60_000);

	it("PUT /admin/models/<provider>/<name> with arbitrary ids and specs", async () => {
		const providerSegment = fc.oneof(fc.constantFrom(...providers), segment);
		await runProperty(
			"admin: PUT /admin/models/<p>/<n>",
			400,
			providerSegment.chain((provider) =>
				fc.tuple(fc.constant(provider), modelName, modelBody(decodeSafe(provider)), fc.boolean()),
			),
			async ([provider, name, body, pathFromBody], tally) => {
				// The body's provider in the path (if it is a string), or the path's provider kept.
				const p =
					pathFromBody && typeof body.provider === "string" && body.provider
						? encodeSegment(body.provider)
						: provider;
				// A real provider gets a `fuzz-` name, so no fuzzed spec overwrites a catalog entry other tests use.
				const real = (providers as readonly string[]).includes(decodeSafe(p));
				await adminRun("PUT", `/admin/models/${p}/${real ? `fuzz-${name}` : name}`, body.json, tally);
			},
		);
	}, 60_000);

	it("GET /admin/usage with arbitrary query strings", async () => {
		const queryKey = fc.oneof(
			{ weight: 4, arbitrary: fc.constantFrom("key_id", "model", "from", "to", "group_by") },
			{ weight: 1, arbitrary: fc.oneof(segment, pollutingKey) },
		);
		const queryValue = fc.oneof(
			fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
			fc.constantFrom(
				"day",
				"model",
				"key",
				"week",
				"",
				"2025-13-45",
				"now",
				"0",
				"-1",
				"1e400",
				"+275760-09-13T00:00:00.001Z",
			),
			fc.integer().map(String),
			segment,
		);
		await runProperty(
			"admin: GET /admin/usage?…",
			400,
			fc.tuple(fc.array(fc.tuple(queryKey, fc.option(queryValue)), { maxLength: 5 }), fc.boolean()),
			async ([pairs, encode], tally) => {
				const query = pairs
					.map(([k, v]) => {
						const enc = (s: string) => (encode ? encodeSegment(decodeSafe(s)) : s);
						return v === null ? enc(k) : `${enc(k)}=${enc(v)}`;
					})
					.join("&");
				await adminRun("GET", `/admin/usage?${query}`, undefined, tally);
			},
		);
	}, 60_000);

	it("any method, path and token: only the admin token opens /admin", async () => {
		const method = fc.oneof(
			{ weight: 5, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS") },
			{
				weight: 1,
				arbitrary: fc.constantFrom("get", "post", "patch", "PROPFIND", "QUERY", "PURGE", "MKCOL"),
			},
		);
		const path = fc.oneof(
			fc.constantFrom(
				"/admin/keys",
				"/admin/keys/",
				"/admin/models",
				"/admin/usage",
				"/admin",
				"/admin/",
				"//admin/keys",
				"/admin//keys",
				"/ADMIN/keys",
				"/admin/keys?x=1",
				"/v1/chat/completions",
				"/v1/models",
				"/v1/chat",
				"/",
			),
			segment.map((s) => `/admin/keys/${s}`),
			fc.tuple(segment, segment).map(([p, n]) => `/admin/models/${p}/${n}`),
			fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/admin/${parts.join("/")}`),
			fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join("/")}`),
		);
		const token = fc.oneof(
			{ weight: 2, arbitrary: fc.constant<string | undefined>(`Bearer ${ADMIN_TOKEN}`) },
			{
				weight: 3,
				arbitrary: fc.constantFrom<string | undefined>(
					undefined,
					"",
					"Bearer",
					`Bearer ${ADMIN_TOKEN}x`,
					`Bearer ${ADMIN_TOKEN.toUpperCase()}`,
					`Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`,
					ADMIN_TOKEN,
					`Bearer ${apiKey || "sk-x"}`,
					`Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
				),
			},
			{ weight: 2, arbitrary: headerValue },
		);
		const body = fc.option(
			fc.oneof(
				fc.jsonValue().map((v) => JSON.stringify(v)),
				fc.string({ maxLength: 40 }),
			),
		);
		let unconstructible = 0;
		await runProperty(
			"admin: any method/path/token",
			600,
			fc.record({ method, path, token, body }),
			async ({ method, path, token, body }, tally) => {
				const upper = method.toUpperCase();
				const withBody = upper === "GET" || upper === "HEAD" ? undefined : (body ?? undefined);
				let request: Request;
				try {
					request = adminRequest(method, path, withBody, token);
				} catch {
					unconstructible += 1; // A method workerd's Request refuses: nothing to send.
					return;
				}
				// DELETE on a real key id can only hit the scratch key (the fuzz key's id is never generated).
				const describe = `${method} ${path} auth ${JSON.stringify(token)}${withBody === undefined ? "" : ` ${describeBody(withBody)}`}`;
				const res = await send(request);
				const { status } = await checkResponse(res, { method: upper, describe }, tally);
				const url = new URL(request.url);
				const adminPath = url.pathname.startsWith("/admin/");
				if (adminPath && token !== `Bearer ${ADMIN_TOKEN}`) {
					expect(status, `${describe}: /admin without the admin token`).toBe(401);
				}
			},
			() => (unconstructible ? `; ${unconstructible} methods refused by Request()` : ""),
		);
	}, 60_000);
});

/** encodeURIComponent, after replacing surrogates (which it refuses) with "x". */
function encodeSegment(text: string): string {
	return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "x"));
}

describe("fuzz: aftermath", () => {
	it("no request polluted a built-in prototype (the gateway runs in this isolate)", () => {
		for (const [name, proto] of Object.entries(prototypes)) {
			expect(prototypeKeys(proto), `${name}.prototype`).toEqual(prototypesBefore[name]);
		}
		expect(Object.getPrototypeOf({})).toBe(Object.prototype);
	});
});

function decodeSafe(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}
