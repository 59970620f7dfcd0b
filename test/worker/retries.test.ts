import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMITED_RETRY_AFTER } from "../fakes/scenarios/openai";
import { chat, createKey, putModel, readSse, uniqueModelId, usageRow } from "./helpers";

let key: string;
beforeAll(async () => {
	({ key } = await createKey());
});

async function scenario(upstream: string, extra: { fallbacks?: string[] } = {}): Promise<string> {
	const id = uniqueModelId("openai", upstream.slice(0, 20).replace(/[^a-z0-9-]/g, ""));
	await putModel(id, { provider: "openai", upstream_model: upstream, ...extra } as Parameters<
		typeof putModel
	>[1]);
	return id;
}

const token = () => crypto.randomUUID().slice(0, 8);
const ask = (model: string, extra: object = {}) => ({
	model,
	messages: [{ role: "user", content: "hi" }],
	...extra,
});
const attemptsOf = async (res: Response) =>
	JSON.parse(String((await usageRow(res.headers.get("x-request-id") ?? "")).attempts));

describe("retries on the same model", () => {
	it("retries 5xx with backoff and answers once the upstream recovers, listing every attempt", async () => {
		const id = await scenario(`flaky-2-${token()}`);
		const res = await chat(key, ask(id));
		expect(res.status).toBe(200);
		expect(((await res.json()) as { model: string }).model).toBe(id);
		const attempts = await attemptsOf(res);
		expect(attempts.map((a: { status: number; code: string | null }) => [a.status, a.code])).toEqual([
			[502, "upstream_error"],
			[502, "upstream_error"],
			[200, null],
		]);
		const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM usage WHERE id = ?")
			.bind(res.headers.get("x-request-id"))
			.first("n");
		expect(rows).toBe(1);
	});

	it("gives up after the retry budget (2 retries) and returns the last error", async () => {
		const id = await scenario(`flaky-5-${token()}`);
		const res = await chat(key, ask(id));
		expect(res.status).toBe(502);
		expect(await attemptsOf(res)).toHaveLength(3);
	});

	it("honours a short retry-after on 429 and retries a stream before its first byte", async () => {
		const id = await scenario(`brief-429-${token()}`);
		const res = await chat(key, ask(id, { stream: true }));
		expect(res.status).toBe(200);
		const { events } = await readSse(res);
		expect(events.at(-1)).toBe("[DONE]");
		const attempts = await attemptsOf(res);
		expect(attempts.map((a: { status: number }) => a.status)).toEqual([429, 200]);
	});

	it("does not retry a client error", async () => {
		const id = await scenario("bad-request");
		const res = await chat(key, ask(id, { models: [await scenario("text")] }));
		expect(res.status).toBe(400);
		expect(await attemptsOf(res)).toHaveLength(1);
	});
});

describe("fallbacks", () => {
	it("falls over to the request's models list; the response names the model that answered", async () => {
		const broken = await scenario("server-error");
		const good = await scenario("text");
		const res = await chat(key, ask(broken, { models: ["openai/does-not-exist", good] }));
		expect(res.status).toBe(200);
		expect(((await res.json()) as { model: string }).model).toBe(good);
		const attempts = await attemptsOf(res);
		expect(attempts.map((a: { model: string; status: number }) => [a.model, a.status])).toEqual([
			[broken, 502],
			[broken, 502],
			[broken, 502],
			["openai/does-not-exist", 404],
			[good, 200],
		]);
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({
			model: good,
			outcome: "ok",
		});
	});

	it("does not wait out a long retry-after, and never sends the models field upstream", async () => {
		const limited = await scenario("rate-limited");
		const echo = await scenario("echo-request");
		const res = await chat(key, ask(limited, { models: [echo] }));
		expect(res.status).toBe(200);
		const body = (await res.json()) as { model: string; choices: Array<{ message: { content: string } }> };
		expect(body.model).toBe(echo);
		expect(JSON.parse(body.choices[0]?.message.content ?? "").body).not.toHaveProperty("models");
		expect((await attemptsOf(res)).map((a: { status: number }) => a.status)).toEqual([429, 200]);
	});

	it("uses the catalog's fallbacks when the request names none, and does not retry a timeout on the same model", async () => {
		const good = await scenario("text");
		const slow = await scenario("slow", { fallbacks: [good] });
		const res = await chat(key, ask(slow, { stream: true }));
		expect(res.status).toBe(200);
		const { events } = await readSse(res);
		expect((events[0] as { model: string }).model).toBe(good);
		const attempts = await attemptsOf(res);
		expect(attempts.map((a: { model: string; status: number }) => [a.model, a.status])).toEqual([
			[slow, 504],
			[good, 200],
		]);
	});

	it("returns the last error when every model fails", async () => {
		const a = await scenario("unavailable");
		const b = await scenario("rate-limited");
		const res = await chat(key, ask(a, { models: [b] }));
		expect(res.status).toBe(429);
		expect(res.headers.get("retry-after")).toBe(RATE_LIMITED_RETRY_AFTER);
	});

	it("passes over a fallback that refuses the request, and reports the failure of the model asked for", async () => {
		const broken = await scenario("server-error");
		const refusing = await scenario("bad-request");
		const good = await scenario("text");
		const answered = await chat(key, ask(broken, { models: [refusing, good] }));
		expect(((await answered.json()) as { model: string }).model).toBe(good);
		const failed = await chat(key, ask(broken, { models: [refusing] }));
		expect(failed.status).toBe(502);
		expect(((await failed.json()) as { error: { code: string } }).error.code).toBe("upstream_error");
	});
});

describe("what is never retried", () => {
	it("an unreadable 4xx (a proxy's HTML 404) is a 502 tried once", async () => {
		const id = await scenario("html-404");
		const res = await chat(key, ask(id));
		expect(res.status).toBe(502);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_bad_response");
		expect(await attemptsOf(res)).toHaveLength(1);
	});
});
