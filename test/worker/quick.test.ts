import { expect, it } from "vitest";
import { chat, createKey, putModel, readSse, uniqueModelId, usageRow } from "./helpers";

it("quick", async () => {
	const { key } = await createKey();
	const id = uniqueModelId("openai", "text");
	await putModel(id, { provider: "openai", upstream_model: "text" });
	const res = await chat(key, { model: id, messages: [{ role: "user", content: "hi" }] });
	console.log(res.status, await res.clone().text());
	const s = await chat(key, { model: id, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] });
	const { raw } = await readSse(s);
	console.log(raw);
	console.log(await usageRow(s.headers.get("x-request-id") ?? ""));
});
