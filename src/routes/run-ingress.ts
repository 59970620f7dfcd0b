import type { Context } from "hono";
import { type EngineAnswer, type Ingress, runEngine } from "../engine/serve";
import type { AppEnv } from "../env";
import { gatewayHeaders } from "../respond";
import type { IngressName } from "../usage/recorder";

/** Runs an authenticated request through the engine, as the public API `name` received it. */
export function runIngress(c: Context<AppEnv>, name: IngressName, ingress: Ingress): Promise<EngineAnswer> {
	return runEngine(
		{
			env: c.env,
			ctx: c.executionCtx,
			gateId: c.get("gateId"),
			startedAt: c.get("startedAt"),
			apiKey: c.get("apiKey"),
			ingress: name,
			request: c.req.raw,
		},
		ingress,
	);
}

/** An encoded event stream as the client's response. */
export function eventStreamResponse(gateId: string, body: ReadableStream<Uint8Array>): Response {
	return new Response(body, {
		headers: gatewayHeaders(gateId, {
			"content-type": "text/event-stream; charset=utf-8",
			"cache-control": "no-cache",
		}),
	});
}
