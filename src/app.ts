import { Hono } from "hono";
import { requireAdmin, requireApiKey } from "./auth/middleware";
import type { AppEnv } from "./env";
import { GatewayError } from "./errors";
import { messagesErrorResponse } from "./ingress/messages/respond-error";
import { corsFrom, limitBody, requestContext } from "./middleware";
import { errorResponse } from "./respond";
import { adminKeysRoute } from "./routes/admin-keys";
import { adminModelsRoute } from "./routes/admin-models";
import { adminProvidersRoute } from "./routes/admin-providers";
import { adminRequestsRoute } from "./routes/admin-requests";
import { adminUsageRoute } from "./routes/admin-usage";
import { chatCompletions } from "./routes/chat-completions";
import { docsPage } from "./routes/docs";
import { embeddings } from "./routes/embeddings";
import { imagesRoute } from "./routes/images";
import { messages, messagesCountTokens } from "./routes/messages";
import { modelsRoute } from "./routes/models";
import { openApiJson } from "./routes/openapi";
import { deleteStoredResponse, getResponse, responseInputItems, responses } from "./routes/responses";

/** Every route, behind one router. */
export const app = new Hono<AppEnv>();

app.use(requestContext());
app.on(["POST", "PUT", "PATCH"], "*", limitBody());

app.use("/v1/*", corsFrom("corsOrigins"));
app.use("/admin/*", corsFrom("adminCorsOrigins"));
app.use("/v1/chat/*", requireApiKey());
app.use("/v1/models", requireApiKey());
app.use("/v1/embeddings", requireApiKey());
// `/v1/responses/*` also matches `/v1/responses` itself.
app.use("/v1/responses/*", requireApiKey());
// `/v1/messages/*` also matches `/v1/messages` itself: one registration, one key check per request.
app.use("/v1/messages/*", requireApiKey({ xApiKey: true }));
app.post("/v1/chat/completions", chatCompletions);
// Anthropic's SDKs add `?beta=true` to the path of their beta calls; the query is ignored.
app.post("/v1/messages", messages);
app.post("/v1/messages/count_tokens", messagesCountTokens);
app.post("/v1/responses", responses);
app.post("/v1/embeddings", embeddings);
app.get("/v1/responses/:id", getResponse);
app.delete("/v1/responses/:id", deleteStoredResponse);
app.get("/v1/responses/:id/input_items", responseInputItems);
app.route("/v1/models", modelsRoute);
// No API key: image URLs are unguessable capabilities, fetched as they are by chat UIs.
app.route("/v1/images", imagesRoute);

app.use("/admin/*", requireAdmin());
app.route("/admin/keys", adminKeysRoute);
app.route("/admin/models", adminModelsRoute);
app.route("/admin/usage", adminUsageRoute);
app.route("/admin/requests", adminRequestsRoute);
app.route("/admin/providers", adminProvidersRoute);

app.get("/", (c) => c.json({ name: "AIGate", docs: "https://github.com/aigate/aigate#readme" }));
// Public, no auth: the API's description and its interactive reference.
app.get("/openapi.json", openApiJson);
app.get("/docs", docsPage);

// Known paths with the wrong method: 405 with Allow, as HTTP asks, instead of a misleading 404.
const allowed: Array<[RegExp, string]> = [
	[/^\/v1\/chat\/completions$/, "POST"],
	[/^\/v1\/messages$/, "POST"],
	[/^\/v1\/messages\/count_tokens$/, "POST"],
	[/^\/v1\/responses$/, "POST"],
	[/^\/v1\/embeddings$/, "POST"],
	[/^\/v1\/responses\/[^/]+$/, "GET, DELETE"],
	[/^\/v1\/responses\/[^/]+\/input_items$/, "GET"],
	[/^\/v1\/models$/, "GET"],
	[/^\/admin\/keys$/, "GET, POST"],
	[/^\/admin\/keys\/[^/]+$/, "PATCH, DELETE"],
	[/^\/admin\/models$/, "GET"],
	[/^\/admin\/models\/[^/]+\/[^/]+$/, "PUT, PATCH"],
	[/^\/admin\/usage$/, "GET"],
	[/^\/admin\/usage\/models$/, "GET"],
	[/^\/admin\/requests$/, "GET"],
	[/^\/admin\/providers$/, "GET"],
	[/^\/openapi\.json$/, "GET"],
	[/^\/docs$/, "GET"],
];

app.notFound((c) => {
	const allow = allowed.find(([pattern]) => pattern.test(c.req.path))?.[1];
	if (allow) {
		const error = new GatewayError(
			405,
			`Method ${c.req.method} is not allowed on ${c.req.path}; use ${allow}.`,
			{
				code: "method_not_allowed",
				headers: { allow },
			},
		);
		return renderError(c.req.path, error, c.get("gateId"));
	}
	const error = new GatewayError(404, `Unknown route: ${c.req.method} ${c.req.path}.`, { code: "not_found" });
	return renderError(c.req.path, error, c.get("gateId"));
});

app.onError((cause, c) => renderError(c.req.path, cause, c.get("gateId")));

/** Each public API's errors in its own shape: Anthropic's under /v1/messages, OpenAI's elsewhere. */
function renderError(path: string, cause: unknown, gateId: string): Response {
	if (path === "/v1/messages" || path.startsWith("/v1/messages/"))
		return messagesErrorResponse(cause, gateId);
	return errorResponse(cause, gateId);
}
