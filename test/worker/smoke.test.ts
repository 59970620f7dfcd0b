import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("serves", async () => {
	const res = await exports.default.fetch("http://gw/health");
	expect(res.status).toBe(200);
	const r = await fetch(`${env.OPENAI_BASE_URL}/x`);
	expect(await r.json()).toEqual({ ok: true });
	await env.DB.prepare("select 1").run();
});
