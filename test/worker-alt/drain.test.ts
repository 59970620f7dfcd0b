import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { DRIP_USAGE } from "../fakes/scenarios/openai";
import { chat, createKey, putModel, uniqueModelId, usageRow } from "../worker/helpers";

// This project runs with ON_CLIENT_DISCONNECT=drain (vitest.config.ts, project worker-alt).
it("reads the upstream to its end after the client left, and records the provider's own usage", async () => {
	const { key } = await createKey();
	const token = crypto.randomUUID();
	const id = uniqueModelId("openai", "drain");
	await putModel(id, { provider: "openai", upstream_model: `drip-12-${token}` });
	const res = await chat(key, {
		model: id,
		stream: true,
		messages: [{ role: "user", content: "hi" }],
	});
	const gateId = res.headers.get("x-request-id") ?? "";
	const reader = res.body?.getReader();
	if (!reader) throw new Error("no body");
	await reader.read();
	void reader.cancel().catch(() => {});

	const fakeBase = env.OPENAI_BASE_URL?.replace(/\/v1$/, "");
	const row = await usageRow(gateId, 5000);
	const status = (await (await fetch(`${fakeBase}/__status/${token}`)).json()) as {
		sent: number;
		finished: boolean;
	};
	expect(status).toMatchObject({ sent: 12, finished: true });
	// The provider's own count (2), not the estimate its 26 characters would give (7).
	expect(row).toMatchObject({ outcome: "client_disconnected", estimated: 0, ...DRIP_USAGE });
});
