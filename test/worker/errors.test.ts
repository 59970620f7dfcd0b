import { beforeAll, describe, expect, it } from "vitest";
import { BAD_REQUEST_ERROR, ERROR_MESSAGES, RATE_LIMITED_RETRY_AFTER } from "../fakes/scenarios/openai";
import { GATE_ID } from "../shared/patterns";
import { chat, createKey, gateway, putModel, uniqueModelId, usageRow } from "./helpers";

let key: string;
beforeAll(async () => {
	({ key } = await createKey());
});

async function scenario(upstream: string, provider = "openai"): Promise<string> {
	const id = uniqueModelId(provider, upstream);
	await putModel(id, { provider, upstream_model: upstream });
	return id;
}

const ask = (model: string, extra: object = {}) => ({
	model,
	messages: [{ role: "user", content: "hi" }],
	...extra,
});

async function expectError(res: Response, status: number, error: object): Promise<void> {
	expect(res.status).toBe(status);
	expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	expect(res.headers.get("x-request-id")).toMatch(GATE_ID);
	expect(await res.json()).toEqual({
		error: { param: null, code: null, type: "invalid_request_error", ...error },
	});
}

describe("bad requests", () => {
	it("malformed JSON is a 400", async () => {
		await expectError(await chat(key, '{"model": "x", "messages": ['), 400, {
			message:
				"We could not parse the JSON body of your request. The body must be valid JSON with Content-Type: application/json.",
			code: "invalid_json",
		});
	});

	it("a schema violation is a 400 naming the field", async () => {
		const id = await scenario("text");
		await expectError(await chat(key, { model: id, messages: [] }), 400, {
			message: "Invalid value for 'messages': Too small: expected array to have >=1 items.",
			param: "messages",
			code: "invalid_value",
		});
		const res = await chat(key, { model: id, messages: [{ role: "user", content: "hi" }], temperature: 7 });
		expect(res.status).toBe(400);
		expect(((await res.json()) as { error: { param: string } }).error.param).toBe("temperature");
		const role = await chat(key, { model: id, messages: [{ role: "robot", content: "hi" }] });
		expect(((await role.json()) as { error: { param: string } }).error.param).toBe("messages[0].role");
		const missing = await chat(key, { messages: [{ role: "user", content: "hi" }] });
		expect(((await missing.json()) as { error: { param: string } }).error.param).toBe("model");
	});

	it("an unknown or disabled model is a 404 model_not_found, and disabling takes effect on the next request", async () => {
		const notFound = {
			type: "invalid_request_error",
			param: "model",
			code: "model_not_found",
		};
		await expectError(await chat(key, ask("openai/no-such-model")), 404, {
			...notFound,
			message: "The model 'openai/no-such-model' does not exist or is not enabled on this gateway.",
		});
		const id = await scenario("text");
		expect((await chat(key, ask(id))).status).toBe(200);
		await putModel(id, { provider: "openai", upstream_model: "text", enabled: false });
		await expectError(await chat(key, ask(id)), 404, {
			...notFound,
			message: `The model '${id}' does not exist or is not enabled on this gateway.`,
		});
	});

	it("an unknown route is a 404 and a wrong method a 405 with Allow", async () => {
		await expectError(await gateway("/v1/nothing"), 404, {
			message: "Unknown route: GET /v1/nothing.",
			code: "not_found",
		});
		const res = await gateway("/v1/chat/completions", { headers: { authorization: `Bearer ${key}` } });
		expect(res.headers.get("allow")).toBe("POST");
		await expectError(res, 405, {
			message: "Method GET is not allowed on /v1/chat/completions; use POST.",
			code: "method_not_allowed",
		});
	});

	it("a body over the limit is a 413 before it is parsed", async () => {
		// The test configuration sets MAX_BODY_BYTES to 1 MiB.
		const big = JSON.stringify(ask("openai/gpt-5.5", { padding: "x".repeat(1024 * 1024) }));
		await expectError(await chat(key, big), 413, {
			message: "The request body is larger than the gateway's limit of 1048576 bytes.",
			code: "request_too_large",
		});
		const notJson = "{".repeat(1024 * 1024 + 1);
		expect((await chat(key, notJson)).status).toBe(413);
		// Without a content-length (chunked), the bytes are counted as they arrive.
		const bytes = new TextEncoder().encode(big);
		const chunked = new ReadableStream<Uint8Array>({
			start(controller) {
				for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.slice(i, i + 65_536));
				controller.close();
			},
		});
		const res = await chat(key, chunked, { duplex: "half" } as RequestInit);
		await expectError(res, 413, {
			message: "The request body is larger than the gateway's limit of 1048576 bytes.",
			code: "request_too_large",
		});
	});

	it("limits messages, images and inline image size, naming the field", async () => {
		const id = await scenario("text");
		// The test configuration: 100 messages, 8 images, 64 KiB per inline image.
		const many = Array.from({ length: 101 }, () => ({ role: "user", content: "hi" }));
		await expectError(await chat(key, { model: id, messages: many }), 400, {
			message: "Too many messages: 101, the limit is 100.",
			param: "messages",
			code: "too_many_messages",
		});
		const image = (bytes: number) => ({
			type: "image_url",
			image_url: { url: `data:image/png;base64,${"A".repeat(Math.ceil((bytes * 4) / 3))}` },
		});
		const nine = [{ role: "user", content: Array.from({ length: 9 }, () => image(10)) }];
		await expectError(await chat(key, { model: id, messages: nine }), 400, {
			message: "Too many images: the limit is 8 per request.",
			param: "messages[0].content[8]",
			code: "too_many_images",
		});
		const big = [{ role: "user", content: [{ type: "text", text: "look" }, image(70_000)] }];
		await expectError(await chat(key, { model: id, messages: big }), 413, {
			message: "An image is larger than the limit of 65536 bytes.",
			param: "messages[0].content[1].image_url.url",
			code: "image_too_large",
		});
		const fine = [{ role: "user", content: [image(60_000)] }];
		expect((await chat(key, { model: id, messages: fine })).status).toBe(200);
	});

	it("JSON nested too deeply to forward is a 400 with a usage row, not a 500", async () => {
		// Found by the fuzz test: ten thousand levels parse, but V8 cannot stringify them once a sibling
		// object takes its slow path (a `then` key does).
		const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
		const openai = await scenario("text");
		const anthropic = await scenario("text", "anthropic");
		const bodies = [
			`{"model":"${openai}","messages":[{"role":"user","content":"hi","x":${deep},"y":{"then":""}}]}`,
			`{"model":"${anthropic}","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function",` +
				`"function":{"name":"f","parameters":{"type":"object","x":${deep},"y":{"then":""}}}}]}`,
		];
		for (const body of bodies) {
			const res = await chat(key, body);
			const gateId = res.headers.get("x-request-id") ?? "";
			await expectError(res, 400, {
				message: "The request body nests JSON too deeply to be forwarded.",
				code: "nesting_too_deep",
			});
			expect(await usageRow(gateId)).toMatchObject({ outcome: "rejected", status: 400 });
		}
	});

	it("rejected requests still leave a usage row", async () => {
		const res = await chat(key, ask("openai/no-such-model"));
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({
			model: "openai/no-such-model",
			outcome: "rejected",
			status: 404,
			error_code: "model_not_found",
		});
	});
});

describe("upstream failures before the first byte", () => {
	const serverError = { type: "server_error" };
	const cases: Array<[string, number, object, Record<string, string>?]> = [
		[
			"rate-limited",
			429,
			{
				type: "requests",
				code: "rate_limit_exceeded",
				message: `The upstream provider is rate-limiting requests: ${ERROR_MESSAGES.rateLimited}`,
			},
			{ "retry-after": RATE_LIMITED_RETRY_AFTER },
		],
		[
			"server-error",
			502,
			{
				...serverError,
				code: "upstream_error",
				message: `The upstream provider failed (HTTP 500): ${ERROR_MESSAGES.serverError}`,
			},
		],
		[
			"unavailable",
			503,
			{
				...serverError,
				code: "upstream_error",
				message: `The upstream provider failed (HTTP 503): ${ERROR_MESSAGES.unavailable}`,
			},
		],
		[
			"bad-request",
			400,
			{ message: BAD_REQUEST_ERROR.message, param: BAD_REQUEST_ERROR.param, code: BAD_REQUEST_ERROR.code },
		],
		[
			"auth-fail",
			502,
			{
				...serverError,
				code: "upstream_auth_failed",
				message:
					"The provider rejected the gateway's credentials; the gateway operator must check its API key.",
			},
		],
		[
			"garbage",
			502,
			{
				...serverError,
				code: "upstream_bad_response",
				message: "The upstream provider sent an answer that is not JSON.",
			},
		],
		[
			"slow",
			504,
			{ ...serverError, code: "upstream_timeout", message: "The upstream did not answer within 1500 ms." },
		],
	];
	for (const [upstream, status, error, headers] of cases) {
		it(`${upstream} → ${status}`, async () => {
			const id = await scenario(upstream);
			const res = await chat(key, ask(id));
			for (const [name, value] of Object.entries(headers ?? {})) expect(res.headers.get(name)).toBe(value);
			const text = await res.clone().text();
			expect(text).not.toMatch(/SECRET|sk-upstr|127\.0\.0\.1/);
			await expectError(res, status, error);
			const row = await usageRow(res.headers.get("x-request-id") ?? "");
			expect(row).toMatchObject({ outcome: "upstream_error", status });
		});
	}

	it("a streamed request that fails upstream before the first byte gets the same JSON error, not a stream", async () => {
		const id = await scenario("rate-limited");
		const res = await chat(key, ask(id, { stream: true }));
		expect(res.status).toBe(429);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	});

	it("an unreachable upstream is a 502 that names no host", async () => {
		const id = uniqueModelId("offline", "text");
		await putModel(id, { provider: "offline", upstream_model: "text" });
		const res = await chat(key, ask(id));
		expect(await res.clone().text()).not.toMatch(/127\.0\.0\.1|SECRET/);
		await expectError(res, 502, {
			type: "server_error",
			code: "upstream_unreachable",
			message: "The upstream provider could not be reached.",
		});
	});
});

describe("every response", () => {
	it("carries the request id and security headers, and no CORS headers by default", async () => {
		for (const res of [
			await gateway("/v1/models", { headers: { origin: "https://app.example" } }),
			await gateway("/nowhere"),
			await chat(key, ask("openai/no-such-model")),
			await gateway("/admin/keys", { method: "OPTIONS", headers: { origin: "https://app.example" } }),
		]) {
			expect(res.headers.get("x-request-id")).toMatch(GATE_ID);
			expect(res.headers.get("x-content-type-options")).toBe("nosniff");
			expect(res.headers.get("x-frame-options")).toBe("DENY");
			expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
			expect(res.headers.get("referrer-policy")).toBe("no-referrer");
			expect(res.headers.get("access-control-allow-origin")).toBeNull();
		}
	});
});
