import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { deflateSync } from "node:zlib";
import { listFixtures, missingFixtureMessage, readFixture } from "./fixtures";
import {
	handleEmbeddingsStats,
	handleGeminiEmbeddings,
	matchEmbeddingsRoute,
} from "./gemini-embeddings-fake";
import { GoogleError, invalid, sendGoogleError, unknownField } from "./google-errors";
import type { FakeHandler } from "./http";
import { json, writeInPieces } from "./http";
import {
	BAD_REQUEST_MESSAGE,
	GEMINI_KEY,
	IMAGE,
	MAX_TOKENS_PIECES,
	PARALLEL,
	PROMPT_BLOCK_REASON,
	RATE_LIMITED_RETRY_DELAY_S,
	SAFETY_TEXT,
	STREAM_BREAK_AFTER,
	TEXT_PIECES,
	TEXT_TOKENS,
	THINKING,
	TOOL_ANSWER_PREFIX,
	TOOL_CALL_ARGS,
	USAGE_TAIL,
} from "./scenarios/gemini";

/**
 * A fake Gemini API (generativelanguage v1beta) speaking the real wire format:
 *   POST /v1beta/models/{scenario}:generateContent
 *   POST /v1beta/models/{scenario}:streamGenerateContent?alt=sse   (CRLF-separated `data:` events,
 *        each a whole GenerateContentResponse with usage on every event, split at odd byte counts)
 * The `{model}` in the path picks the behaviour (see SCENARIOS below; what they answer is in
 * scenarios/gemini.ts). Every request is checked
 * the way the real API checks it where a translator can go wrong: the key, unknown fields,
 * alternating roles, part shapes, function responses matching the calls they answer, and the
 * thought signatures of function calls this fake emitted (it signs them from their content and
 * rejects a later turn that replays one without its signature, as Gemini 3 does).
 *
 * Test helpers: GET /__fake/png serves the PNG the `image` scenario draws; GET /__fake/fixture/<file>
 * serves one recorded response of gemini/ in the fixtures folder (fixtures.ts); scenario
 * `replay-<file stem>` answers with it, or with a 500 naming the file when it is not there.
 *
 * `:batchEmbedContents` and `:embedContent` are answered by gemini-embeddings-fake.ts (its own
 * scenarios, and its counters at GET /__fake/embeddings-stats) once the key is checked here.
 */

const MODEL_VERSION = "fake-gemini-1";

type Json = Record<string, unknown>;
type Event = Json;
interface Call {
	name: string;
	args: Json;
}

// ---------------------------------------------------------------------------------------------
// A real PNG (8×8 RGB gradient), built with correct CRCs so any decoder accepts it.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(bytes: Buffer): number {
	let c = 0xffffffff;
	for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

function makePng(width: number, height: number): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method, no interlace
	const rows: number[] = [];
	for (let y = 0; y < height; y++) {
		rows.push(0); // filter: none
		for (let x = 0; x < width; x++) rows.push((x * 255) / (width - 1), (y * 255) / (height - 1), 128);
	}
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk("IHDR", header),
		pngChunk("IDAT", deflateSync(Buffer.from(rows.map(Math.round)))),
		pngChunk("IEND", Buffer.alloc(0)),
	]);
}

export const FAKE_PNG = makePng(8, 8);

// ---------------------------------------------------------------------------------------------
// Thought signatures: derived from the call's content, about 700 base64 characters like real ones.

const signedCalls = new Set<string>();

function canonical(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
	if (value !== null && typeof value === "object") {
		const entries = Object.entries(value as Json).sort(([a], [b]) => (a < b ? -1 : 1));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
	}
	return JSON.stringify(value);
}

const callKey = (call: Call) => `${call.name}:${canonical(call.args ?? {})}`;

function signatureFor(call: Call): string {
	const blocks = Array.from({ length: 16 }, (_, i) =>
		createHash("sha256")
			.update(`fake-thought-signature:${i}:${callKey(call)}`)
			.digest(),
	);
	return Buffer.concat(blocks).toString("base64");
}

/** A functionCall part as Gemini 3 emits it: only the first call of a response is signed. */
function callPart(call: Call, signed: boolean): Json {
	if (!signed) return { functionCall: call };
	signedCalls.add(callKey(call));
	return { functionCall: call, thoughtSignature: signatureFor(call) };
}

// ---------------------------------------------------------------------------------------------
// Request validation, with the real API's error shapes.

const TOP_LEVEL = [
	"contents",
	"systemInstruction",
	"tools",
	"toolConfig",
	"generationConfig",
	"safetySettings",
	"cachedContent",
];
const GENERATION_CONFIG = [
	"temperature",
	"topP",
	"topK",
	"candidateCount",
	"maxOutputTokens",
	"stopSequences",
	"presencePenalty",
	"frequencyPenalty",
	"seed",
	"responseMimeType",
	"responseSchema",
	"responseJsonSchema",
	"responseModalities",
	"thinkingConfig",
	"imageConfig",
	"mediaResolution",
	"responseLogprobs",
	"logprobs",
];
const PART_DATA = [
	"text",
	"inlineData",
	"fileData",
	"functionCall",
	"functionResponse",
	"executableCode",
	"codeExecutionResult",
];
const PART_MODIFIERS = ["thought", "thoughtSignature", "videoMetadata", "mediaResolution", "partMetadata"];

const isObject = (value: unknown): value is Json =>
	value !== null && typeof value === "object" && !Array.isArray(value);

function checkKeys(value: Json, allowed: string[], at?: string): void {
	for (const key of Object.keys(value)) if (!allowed.includes(key)) throw unknownField(key, at);
}

function validate(body: Json): void {
	checkKeys(body, TOP_LEVEL);
	const contents = body.contents;
	if (!Array.isArray(contents) || contents.length === 0)
		throw invalid("* GenerateContentRequest.contents: contents is not specified");
	if (body.systemInstruction !== undefined) {
		const system = body.systemInstruction;
		if (
			!isObject(system) ||
			!Array.isArray(system.parts) ||
			!system.parts.every((p) => isObject(p) && typeof p.text === "string")
		) {
			throw invalid("systemInstruction must be a Content with text parts");
		}
	}
	let previousRole = "";
	contents.forEach((content: unknown, i) => {
		if (!isObject(content)) throw invalid(`contents[${i}] is not an object`);
		checkKeys(content, ["role", "parts"], `contents[${i}]`);
		if (content.role !== "user" && content.role !== "model") {
			throw invalid(`Please use a valid role: user, model. (contents[${i}].role = ${String(content.role)})`);
		}
		if (content.role === previousRole)
			throw invalid("Please ensure that multiturn requests alternate between user and model.");
		previousRole = content.role;
		if (!Array.isArray(content.parts) || content.parts.length === 0) {
			throw invalid(`* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`);
		}
		for (const [j, part] of (content.parts as unknown[]).entries()) {
			validatePart(part, content.role, `contents[${i}].parts[${j}]`);
		}
	});
	validateFunctionTurns(contents as Json[]);
	validateSignatures(contents as Json[]);
	validateTools(body);
	validateGenerationConfig(body);
}

function validatePart(part: unknown, role: string, at: string): void {
	if (!isObject(part)) throw invalid(`${at} is not an object`);
	checkKeys(part, [...PART_DATA, ...PART_MODIFIERS], at);
	const data = PART_DATA.filter((key) => key in part);
	if (data.length !== 1) throw invalid(`${at}: a part must hold exactly one of ${PART_DATA.join(", ")}`);
	if ("text" in part && (typeof part.text !== "string" || part.text === "")) {
		throw invalid(
			"Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again.",
		);
	}
	if ("inlineData" in part) {
		const inline = part.inlineData;
		if (
			!isObject(inline) ||
			typeof inline.mimeType !== "string" ||
			typeof inline.data !== "string" ||
			inline.data === ""
		) {
			throw invalid(`${at}.inlineData needs mimeType and data`);
		}
		if (!/^[A-Za-z0-9+/]*={0,2}$/.test(inline.data) || Buffer.from(inline.data, "base64").length === 0) {
			throw invalid(`Invalid value at '${at}.inline_data.data' (TYPE_BYTES), Base64 decoding failed`);
		}
	}
	if ("functionCall" in part) {
		if (role !== "model") throw invalid(`${at}: function calls can only be in model turns`);
		const call = part.functionCall;
		if (
			!isObject(call) ||
			typeof call.name !== "string" ||
			(call.args !== undefined && !isObject(call.args))
		) {
			throw invalid(`${at}.functionCall needs a name and object args`);
		}
	}
	if ("functionResponse" in part) {
		if (role !== "user") throw invalid(`${at}: function responses can only be in user turns`);
		const response = part.functionResponse;
		if (!isObject(response) || typeof response.name !== "string" || !isObject(response.response)) {
			throw invalid(`${at}.functionResponse needs a name and an object response`);
		}
	}
}

const callsOf = (content: Json | undefined): Call[] =>
	((content?.parts as Json[] | undefined) ?? [])
		.filter((p) => "functionCall" in p)
		.map((p) => p.functionCall as Call);

function validateFunctionTurns(contents: Json[]): void {
	contents.forEach((content, i) => {
		const responses = (content.parts as Json[])
			.filter((p) => "functionResponse" in p)
			.map((p) => p.functionResponse as Json);
		if (responses.length === 0) return;
		const calls = callsOf(contents[i - 1]);
		if (calls.length !== responses.length) {
			throw invalid(
				"Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.",
			);
		}
		const names = (list: Array<{ name: unknown }>) =>
			list
				.map((x) => String(x.name))
				.sort()
				.join(",");
		if (names(calls) !== names(responses as Array<{ name: unknown }>)) {
			throw invalid(
				"Please ensure that function response turn comes immediately after a function call turn, with matching names.",
			);
		}
	});
}

/**
 * Gemini validates the current turn only: everything after the last user content that is not
 * just function responses. In it, a call this fake signed must come back with its exact signature.
 */
function validateSignatures(contents: Json[]): void {
	let start = 0;
	contents.forEach((content, i) => {
		const parts = content.parts as Json[];
		if (content.role === "user" && parts.some((p) => !("functionResponse" in p))) start = i + 1;
	});
	contents.slice(start).forEach((content, offset) => {
		if (content.role !== "model") return;
		(content.parts as Json[]).forEach((part, j) => {
			if (!("functionCall" in part)) return;
			const call = part.functionCall as Call;
			if (!signedCalls.has(callKey(call))) return;
			if (part.thoughtSignature === undefined) {
				throw invalid(
					`Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${call.name}\` , position ${j + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
				);
			}
			if (normalizeBase64(String(part.thoughtSignature)) !== signatureFor(call)) {
				throw invalid(`Corrupted thought signature. (contents[${start + offset}].parts[${j}])`);
			}
		});
	});
}

/** The API decodes bytes fields from base64 or base64url. */
const normalizeBase64 = (text: string) =>
	Buffer.from(text.replaceAll("-", "+").replaceAll("_", "/"), "base64").toString("base64");

function validateTools(body: Json): void {
	const names: string[] = [];
	if (body.tools !== undefined) {
		if (!Array.isArray(body.tools)) throw invalid("tools must be a list");
		for (const [i, tool] of (body.tools as unknown[]).entries()) {
			if (!isObject(tool)) throw invalid(`tools[${i}] must be an object`);
			checkKeys(tool, ["functionDeclarations", "googleSearch", "codeExecution", "urlContext"], `tools[${i}]`);
			for (const [j, fn] of ((tool.functionDeclarations as unknown[]) ?? []).entries()) {
				const at = `tools[${i}].function_declarations[${j}]`;
				if (!isObject(fn)) throw invalid(`${at} must be an object`);
				checkKeys(
					fn,
					["name", "description", "parameters", "parametersJsonSchema", "response", "responseJsonSchema"],
					at,
				);
				if (typeof fn.name !== "string" || !/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/.test(fn.name)) {
					throw invalid(`* GenerateContentRequest.${at}.name: Invalid function name.`);
				}
				if (fn.parameters !== undefined && fn.parametersJsonSchema !== undefined) {
					throw invalid(`${at}: parameters and parameters_json_schema are mutually exclusive`);
				}
				if (fn.parametersJsonSchema !== undefined)
					checkJsonSchema(fn.parametersJsonSchema, `${at}.parameters_json_schema`);
				names.push(fn.name);
			}
		}
	}
	if (body.toolConfig !== undefined) {
		const config = (body.toolConfig as Json).functionCallingConfig as Json | undefined;
		if (!isObject(config) || !["AUTO", "ANY", "NONE", "VALIDATED"].includes(String(config.mode))) {
			throw invalid("toolConfig.functionCallingConfig.mode must be AUTO, ANY, NONE or VALIDATED");
		}
		const allowed = config.allowedFunctionNames as string[] | undefined;
		if (allowed !== undefined) {
			if (config.mode !== "ANY") throw invalid("allowed_function_names can only be set when mode is ANY");
			for (const name of allowed)
				if (!names.includes(name)) throw invalid(`allowed_function_names: ${name} is not declared`);
		}
		const generation = body.generationConfig as Json | undefined;
		if (config.mode === "ANY" && generation?.responseMimeType === "application/json") {
			throw invalid(
				"Forced function calling (ANY mode) with a response mime type: 'application/json' is unsupported",
			);
		}
	}
}

/** The real API refuses a `$ref` with siblings other than description and default. */
function checkJsonSchema(schema: unknown, at: string): void {
	if (Array.isArray(schema)) {
		for (const [i, item] of schema.entries()) checkJsonSchema(item, `${at}[${i}]`);
		return;
	}
	if (!isObject(schema)) return;
	if ("$ref" in schema && Object.keys(schema).some((k) => !["$ref", "description", "default"].includes(k))) {
		throw invalid(
			`${at}: If a schema node has $ref set, then only description and default can be set alongside it`,
		);
	}
	for (const [key, value] of Object.entries(schema))
		if (key !== "enum" && key !== "default") checkJsonSchema(value, `${at}.${key}`);
}

function validateGenerationConfig(body: Json): void {
	const config = body.generationConfig;
	if (config === undefined) return;
	if (!isObject(config)) throw invalid("generationConfig must be an object");
	checkKeys(config, GENERATION_CONFIG, "generation_config");
	if (config.responseJsonSchema !== undefined && config.responseMimeType !== "application/json") {
		throw invalid("response_json_schema requires response_mime_type application/json");
	}
	const count = config.candidateCount;
	if (count !== undefined && (typeof count !== "number" || count < 1 || count > 8)) {
		throw invalid("candidateCount must be between 1 and 8");
	}
	const modalities = config.responseModalities;
	if (
		modalities !== undefined &&
		(!Array.isArray(modalities) || modalities.some((m) => !["TEXT", "IMAGE", "AUDIO"].includes(m)))
	) {
		throw invalid("responseModalities must list TEXT, IMAGE or AUDIO");
	}
}

// ---------------------------------------------------------------------------------------------
// Scenarios: each returns the events of a streamed answer; unary answers merge them.

interface Usage {
	prompt: number;
	candidates: number;
	thoughts?: number;
	extra?: Json;
}

function usage({ prompt, candidates, thoughts, extra }: Usage): Json {
	const meta: Json = { promptTokenCount: prompt, candidatesTokenCount: candidates };
	if (thoughts !== undefined) meta.thoughtsTokenCount = thoughts;
	// As recorded: the total counts tool-use prompt tokens too.
	meta.totalTokenCount = prompt + candidates + (thoughts ?? 0) + Number(extra?.toolUsePromptTokenCount ?? 0);
	meta.promptTokensDetails = [{ modality: "TEXT", tokenCount: prompt }];
	return { ...meta, ...extra };
}

let responseCounter = 0;
function event(candidates: Json[] | undefined, meta: Json, extra: Json = {}): Event {
	const out: Event = {};
	if (candidates) out.candidates = candidates;
	return {
		...out,
		...extra,
		usageMetadata: meta,
		modelVersion: MODEL_VERSION,
		responseId: `fake-${responseCounter}`,
	};
}

const candidate = (parts: Json[] | undefined, index = 0, finishReason?: string, extra: Json = {}): Json => {
	const out: Json = parts ? { content: { parts, role: "model" } } : {};
	if (finishReason) out.finishReason = finishReason;
	return { ...out, index, ...extra };
};

function lastContent(body: Json): Json | undefined {
	const contents = body.contents as Json[];
	return contents[contents.length - 1];
}

const answersFunctions = (body: Json) =>
	((lastContent(body)?.parts as Json[] | undefined) ?? [])
		.filter((p) => "functionResponse" in p)
		.map((p) => p.functionResponse as Json);

function firstDeclaredName(body: Json, fallback: string): string {
	const tools = (body.tools as Json[] | undefined) ?? [];
	const first = (tools[0]?.functionDeclarations as Json[] | undefined)?.[0];
	return typeof first?.name === "string" ? first.name : fallback;
}

type Scenario = (body: Json) => Event[];

const SCENARIOS: Record<string, Scenario> = {
	text: (body) => {
		const n = Number((body.generationConfig as Json | undefined)?.candidateCount ?? 1);
		const { prompt, candidates, thoughts } = TEXT_TOKENS;
		const events = TEXT_PIECES.map((piece, k) =>
			event(
				Array.from({ length: n }, (_, i) =>
					candidate([{ text: i === 0 || k > 0 ? piece : `${piece} #${i}` }], i),
				),
				usage({ prompt, candidates: (k + 1) * n, thoughts }),
			),
		);
		const last = Array.from({ length: n }, (_, i) =>
			candidate([{ text: "", thoughtSignature: "dGV4dC1zaWduYXR1cmU=" }], i, "STOP"),
		);
		return [...events, event(last, usage({ prompt, candidates: candidates * n, thoughts }))];
	},
	thinking: () => [
		event(
			[candidate([{ text: THINKING.thought, thought: true }])],
			usage({ prompt: 8, candidates: 0, thoughts: 20 }),
		),
		event([candidate([{ text: THINKING.text }])], usage({ prompt: 8, candidates: 6, thoughts: 25 })),
		event([candidate([{ text: "" }], 0, "STOP")], usage({ prompt: 8, candidates: 6, thoughts: 25 })),
	],
	"tool-call": (body) => {
		const answered = answersFunctions(body);
		if (answered.length > 0) {
			return [
				event(
					[candidate([{ text: `${TOOL_ANSWER_PREFIX}${canonical(answered[0]?.response)}` }])],
					usage({ prompt: 40, candidates: 9 }),
				),
				event([candidate([{ text: "" }], 0, "STOP")], usage({ prompt: 40, candidates: 9 })),
			];
		}
		const call = { name: firstDeclaredName(body, "get_weather"), args: { ...TOOL_CALL_ARGS } };
		return [
			event([candidate([callPart(call, true)])], usage({ prompt: 29, candidates: 15, thoughts: 45 })),
			event(
				[candidate([{ text: "" }], 0, "STOP", { finishMessage: "Model generated function call(s)." })],
				usage({ prompt: 29, candidates: 15, thoughts: 45 }),
			),
		];
	},
	"tool-parallel": (body) => {
		const answered = answersFunctions(body);
		if (answered.length > 0) {
			return [
				event(
					[candidate([{ text: PARALLEL.answer(answered.length) }])],
					usage({ prompt: 60, candidates: 5 }),
				),
				event([candidate([{ text: "" }], 0, "STOP")], usage({ prompt: 60, candidates: 5 })),
			];
		}
		const name = firstDeclaredName(body, "get_weather");
		return [
			event([candidate([{ text: PARALLEL.text }])], usage({ prompt: 30, candidates: 4 })),
			event(
				[candidate(PARALLEL.locations.map((location, i) => callPart({ name, args: { location } }, i === 0)))],
				usage({ prompt: 30, candidates: 20, thoughts: 30 }),
			),
			event([candidate([{ text: "" }], 0, "STOP")], usage({ prompt: 30, candidates: 20, thoughts: 30 })),
		];
	},
	image: (body) => {
		const modalities = (body.generationConfig as Json | undefined)?.responseModalities as
			| string[]
			| undefined;
		if (modalities && !modalities.includes("IMAGE")) {
			return [
				event([candidate([{ text: IMAGE.notRequested }], 0, "STOP")], usage({ prompt: 12, candidates: 9 })),
			];
		}
		const image = {
			inlineData: { mimeType: "image/png", data: FAKE_PNG.toString("base64") },
			thoughtSignature: IMAGE.signature,
		};
		const details = { candidatesTokensDetails: [{ modality: "IMAGE", tokenCount: 1290 }] };
		return [
			event([candidate([{ text: IMAGE.before }])], usage({ prompt: 12, candidates: 5 })),
			event([candidate([image])], usage({ prompt: 12, candidates: 1295, extra: details })),
			event([candidate([{ text: IMAGE.after }])], usage({ prompt: 12, candidates: 1301, extra: details })),
			event([candidate([{ text: "" }], 0, "STOP")], usage({ prompt: 12, candidates: 1301, extra: details })),
		];
	},
	"prompt-blocked": () => [
		event(
			undefined,
			{ promptTokenCount: 9, totalTokenCount: 9 },
			{ promptFeedback: { blockReason: PROMPT_BLOCK_REASON } },
		),
	],
	"no-image": () => [
		event([{ content: {}, finishReason: "NO_IMAGE", index: 0 }], { promptTokenCount: 9, totalTokenCount: 9 }),
	],
	safety: () => [
		event([candidate([{ text: SAFETY_TEXT }])], usage({ prompt: 10, candidates: 4 })),
		event(
			[
				candidate(undefined, 0, "SAFETY", {
					safetyRatings: [
						{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true },
					],
				}),
			],
			usage({ prompt: 10, candidates: 4 }),
		),
	],
	"max-tokens": () => [
		event([candidate([{ text: MAX_TOKENS_PIECES[0] }])], usage({ prompt: 10, candidates: 5 })),
		event(
			[candidate([{ text: MAX_TOKENS_PIECES[1] }], 0, "MAX_TOKENS")],
			usage({ prompt: 10, candidates: 6 }),
		),
	],
	"usage-tail": () => [
		event([candidate([{ text: "Done." }], 0, "STOP")], usage({ prompt: 12, candidates: 2 })),
		{
			usageMetadata: usage({
				prompt: USAGE_TAIL.prompt,
				candidates: USAGE_TAIL.candidates,
				thoughts: USAGE_TAIL.thoughts,
				extra: {
					cachedContentTokenCount: USAGE_TAIL.cached,
					toolUsePromptTokenCount: USAGE_TAIL.toolUsePrompt,
				},
			}),
		},
	],
	"echo-request": (body) => [
		event([candidate([{ text: JSON.stringify(body) }])], usage({ prompt: 5, candidates: 5 })),
		event([candidate([{ text: "" }], 0, "STOP")], usage({ prompt: 5, candidates: 5 })),
	],
};

const ERRORS: Record<string, () => GoogleError> = {
	"rate-limited": () =>
		new GoogleError(
			429,
			"You exceeded your current quota, please check your plan and billing details.",
			"RESOURCE_EXHAUSTED",
			[
				{
					"@type": "type.googleapis.com/google.rpc.QuotaFailure",
					violations: [{ quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }],
				},
				{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${RATE_LIMITED_RETRY_DELAY_S}s` },
			],
		),
	"server-error": () => new GoogleError(500, "Internal error encountered.", "INTERNAL"),
	unavailable: () => new GoogleError(503, "The model is overloaded. Please try again later.", "UNAVAILABLE"),
	"bad-request": () => new GoogleError(400, BAD_REQUEST_MESSAGE, "INVALID_ARGUMENT"),
	"reject-key": () => keyError(),
	forbidden: () =>
		new GoogleError(
			403,
			`Permission denied: Consumer 'api_key:${GEMINI_KEY}' has been suspended.`,
			"PERMISSION_DENIED",
		),
};

function keyError(): GoogleError {
	return new GoogleError(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", [
		{
			"@type": "type.googleapis.com/google.rpc.ErrorInfo",
			reason: "API_KEY_INVALID",
			domain: "googleapis.com",
			metadata: { service: "generativelanguage.googleapis.com" },
		},
		{
			"@type": "type.googleapis.com/google.rpc.LocalizedMessage",
			locale: "en-US",
			message: "API key not valid. Please pass a valid API key.",
		},
	]);
}

/** A unary answer holds what the stream would have: parts concatenated per candidate, the last usage. */
function mergeEvents(events: Event[]): Json {
	const byIndex = new Map<number, Json & { parts: Json[] }>();
	let merged: Json = {};
	for (const e of events) {
		const { candidates, ...rest } = e;
		merged = { ...merged, ...rest };
		for (const c of (candidates as Json[] | undefined) ?? []) {
			const index = Number(c.index ?? 0);
			const entry = byIndex.get(index) ?? { parts: [], index };
			const content = c.content as Json | undefined;
			for (const part of (content?.parts as Json[] | undefined) ?? []) {
				const previous = entry.parts[entry.parts.length - 1];
				const plainText = (p: Json | undefined) =>
					p !== undefined && typeof p.text === "string" && !p.thought;
				if (plainText(part) && plainText(previous) && previous && previous.thoughtSignature === undefined) {
					previous.text = String(previous.text) + String(part.text);
					if (part.thoughtSignature) previous.thoughtSignature = part.thoughtSignature;
				} else if (!(part.text === "" && part.thoughtSignature === undefined)) entry.parts.push({ ...part });
			}
			const { content: _content, index: _index, ...fields } = c;
			Object.assign(entry, fields);
			if (content && !("parts" in content)) entry.emptyContent = true;
			byIndex.set(index, entry);
		}
	}
	if (byIndex.size > 0) {
		merged.candidates = [...byIndex.values()].map(({ parts, emptyContent, ...fields }) => ({
			...(parts.length > 0 ? { content: { parts, role: "model" } } : emptyContent ? { content: {} } : {}),
			...fields,
		}));
	}
	return merged;
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function stream(
	res: ServerResponse,
	events: Event[],
	options: { dropAfter?: number; errorAfter?: number } = {},
) {
	res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
	for (const [i, e] of events.entries()) {
		if (options.errorAfter === i) {
			await writeInPieces(
				res,
				`data: ${JSON.stringify({ error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } })}\r\n\r\n`,
				[9, 17],
			);
			res.end();
			return;
		}
		const text = `data: ${JSON.stringify(e)}\r\n\r\n`;
		if (options.dropAfter === i) {
			await writeInPieces(res, text.slice(0, 25), [7]);
			res.destroy();
			return;
		}
		await writeInPieces(res, text, [7, 13, 1, 31, 64, 3, 257]);
	}
	res.end();
}

async function replay(res: ServerResponse, stem: string, streaming: boolean): Promise<void> {
	const files = listFixtures("gemini");
	const sse = `${stem}.response.sse`;
	const jsonFile = [`${stem}.response.json`, `${stem}.json`].find((f) => files.includes(f));
	const recordedSse = streaming && files.includes(sse) ? readFixture("gemini", sse) : undefined;
	if (recordedSse) {
		res.writeHead(200, { "content-type": "text/event-stream" });
		await writeInPieces(res, recordedSse.toString("utf8"), [4093, 17, 65536], 0);
		res.end();
		return;
	}
	const recorded = jsonFile ? readFixture("gemini", jsonFile) : undefined;
	if (!recorded) {
		const wanted = streaming ? `${sse} or ${stem}.response.json` : `${stem}.response.json`;
		return sendGoogleError(res, new GoogleError(500, missingFixtureMessage("gemini", wanted), "INTERNAL"));
	}
	const body = JSON.parse(recorded.toString("utf8")) as Json;
	if (!streaming) return json(res, 200, body, { "content-type": "application/json; charset=UTF-8" });
	res.writeHead(200, { "content-type": "text/event-stream" });
	await writeInPieces(res, `data: ${JSON.stringify(body)}\r\n\r\n`, [65536, 4093], 0);
	res.end();
}

export const handleGemini: FakeHandler = async (req, rawBody, res) => {
	const url = new URL(req.url ?? "/", "http://fake");
	if (req.method === "GET" && url.pathname === "/__fake/png") {
		res.writeHead(200, { "content-type": "image/png" });
		return void res.end(FAKE_PNG);
	}
	if (req.method === "GET" && url.pathname.startsWith("/__fake/fixture/")) {
		const name = decodeURIComponent(url.pathname.slice("/__fake/fixture/".length));
		const recorded = readFixture("gemini", name);
		if (!recorded) return json(res, 500, { error: missingFixtureMessage("gemini", name) });
		res.writeHead(200, { "content-type": "application/octet-stream" });
		return void res.end(recorded);
	}

	if (handleEmbeddingsStats(req, url.pathname, res)) return;
	const embeddingsRoute = req.method === "POST" ? matchEmbeddingsRoute(url.pathname) : undefined;
	if (embeddingsRoute) {
		if (req.headers["x-goog-api-key"] !== GEMINI_KEY) return sendGoogleError(res, keyError());
		return handleGeminiEmbeddings(req, rawBody, res, embeddingsRoute);
	}

	const route = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
	if (req.method !== "POST" || !route)
		return sendGoogleError(
			res,
			new GoogleError(404, `Unknown route ${req.method} ${url.pathname}`, "NOT_FOUND"),
		);
	const model = decodeURIComponent(route[1] ?? "");
	const streaming = route[2] === "streamGenerateContent";
	responseCounter += 1;

	if (req.headers["x-goog-api-key"] !== GEMINI_KEY) return sendGoogleError(res, keyError());
	if (streaming && url.searchParams.get("alt") !== "sse") {
		return sendGoogleError(
			res,
			invalid("this fake streams only with alt=sse (without it Gemini sends a JSON array)"),
		);
	}
	if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
		return sendGoogleError(res, invalid("Content-Type must be application/json"));
	}
	let body: Json;
	try {
		const parsed: unknown = JSON.parse(rawBody);
		if (!isObject(parsed)) throw new Error("not an object");
		body = parsed;
		validate(body);
	} catch (error) {
		if (error instanceof GoogleError) return sendGoogleError(res, error);
		return sendGoogleError(res, invalid(`Invalid JSON payload received. ${String(error)}`));
	}

	const failure = ERRORS[model];
	if (failure) return sendGoogleError(res, failure());
	if (model.startsWith("replay-")) return replay(res, model.slice("replay-".length), streaming);
	if (model === "stream-error" || model === "stream-drop") {
		const events = SCENARIOS.text?.(body) ?? [];
		if (!streaming) return json(res, 200, mergeEvents(events));
		return stream(
			res,
			events,
			model === "stream-error" ? { errorAfter: STREAM_BREAK_AFTER } : { dropAfter: STREAM_BREAK_AFTER },
		);
	}
	const scenario = SCENARIOS[model];
	if (!scenario) {
		return sendGoogleError(
			res,
			new GoogleError(
				404,
				`models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
				"NOT_FOUND",
			),
		);
	}
	const events = scenario(body);
	if (streaming) return stream(res, events);
	return json(res, 200, mergeEvents(events), { "content-type": "application/json; charset=UTF-8" });
};
