import { authenticate } from "./auth/middleware";
import type { Env } from "./env";
import { declaredLengthFits, maxBodyBytes, newGateId } from "./middleware";
import { errorResponse } from "./respond";
import { chatCompletions } from "./routes/chat-completions";

const CHAT_PATH = "/v1/chat/completions";

/**
 * Whether a request is a chat completion this module serves without the router: POST to the exact
 * path, with CORS off. Anything else — CORS preflights and headers, an encoded or odd path — goes
 * through Hono, which answers it the same way as before.
 */
export function isHotPath(request: Request, env: Env): boolean {
	if (request.method !== "POST") return false;
	const url = request.url;
	const start = url.indexOf("/", url.indexOf("://") + 3);
	if (start === -1 || !url.startsWith(CHAT_PATH, start)) return false;
	const end = start + CHAT_PATH.length;
	if (url.length !== end && url[end] !== "?") return false;
	return !(env.CORS_ORIGINS ?? "").trim();
}

/**
 * POST /v1/chat/completions, the request every client sends, without Hono's context, middleware
 * chain and response copies (bench/RESULTS.md). The same steps as the routed path, in the same
 * order: request id, body limit, API key, route; a chunked body is handed back to the router,
 * whose body limit counts it while it is read.
 */
export async function serveHotPath(
	request: Request,
	env: Env,
	ctx: ExecutionContext,
	routed: () => Response | Promise<Response>,
): Promise<Response> {
	const gateId = newGateId();
	const startedAt = Date.now();
	try {
		if (!declaredLengthFits(request.headers, maxBodyBytes(env))) return await routed();
		const apiKey = await authenticate(env, request.headers.get("authorization"));
		return await chatCompletions({ request, env, ctx, gateId, startedAt, apiKey });
	} catch (cause) {
		return errorResponse(cause, gateId);
	}
}
