import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { countTokensRequest, messagesRequest } from "../../src/ingress/messages/schema";
import { responsesRequest } from "../../src/ingress/responses/schema";
import { chatRequest } from "../../src/schemas/chat-request";
import { gateway } from "./helpers";

interface Schema {
	type?: string;
	$ref?: string;
	required?: string[];
	properties?: Record<string, Schema>;
	items?: Schema;
	anyOf?: Schema[];
	oneOf?: Schema[];
	maxItems?: number;
	const?: unknown;
}
interface Operation {
	parameters?: Array<{ name: string; in: string }>;
	security?: Array<Record<string, string[]>>;
	requestBody?: { content: Record<string, { schema: Schema }> };
	responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface OpenApi {
	openapi: string;
	paths: Record<string, Record<string, Operation>>;
	components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { scheme: string }> };
}

async function fetchDocument(): Promise<{ res: Response; doc: OpenApi }> {
	const res = await gateway("/openapi.json");
	return { res, doc: (await res.json()) as OpenApi };
}

/** Every schema in a tree of anyOf/oneOf alternatives. */
const alternatives = (schema: Schema): Schema[] =>
	[...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap((s) => [s, ...alternatives(s)]);

describe("GET /openapi.json", () => {
	it("is OpenAPI 3.1 JSON, public, with every route of the gateway", async () => {
		const { res, doc } = await fetchDocument();
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(doc.openapi).toBe("3.1.0");
		const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
			Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
		);
		expect(operations.sort()).toEqual(
			[
				"POST /v1/chat/completions",
				"POST /v1/messages",
				"POST /v1/messages/count_tokens",
				"POST /v1/responses",
				"GET /v1/responses/{id}",
				"DELETE /v1/responses/{id}",
				"GET /v1/responses/{id}/input_items",
				"POST /v1/embeddings",
				"GET /v1/models",
				"GET /v1/images/{file}",
				"POST /admin/keys",
				"GET /admin/keys",
				"PATCH /admin/keys/{id}",
				"DELETE /admin/keys/{id}",
				"GET /admin/models",
				"PUT /admin/models/{provider}/{name}",
				"PATCH /admin/models/{provider}/{name}",
				"GET /admin/providers",
				"GET /admin/usage",
				"GET /admin/usage/models",
				"GET /admin/requests",
			].sort(),
		);
	});

	it("describes bearer security: API keys for /v1 (also in x-api-key under /v1/messages), the admin token for /admin", async () => {
		const { doc } = await fetchDocument();
		expect(doc.components.securitySchemes.apiKey?.scheme).toBe("bearer");
		expect(doc.components.securitySchemes.adminToken?.scheme).toBe("bearer");
		expect(doc.components.securitySchemes.xApiKey).toMatchObject({
			type: "apiKey",
			in: "header",
			name: "x-api-key",
		});
		for (const [path, item] of Object.entries(doc.paths)) {
			for (const operation of Object.values(item)) {
				const expected = path.startsWith("/admin/")
					? [{ adminToken: [] }]
					: path.startsWith("/v1/images/")
						? []
						: path.startsWith("/v1/messages")
							? [{ apiKey: [] }, { xApiKey: [] }]
							: [{ apiKey: [] }];
				expect(operation.security, path).toEqual(expected);
			}
		}
	});

	it("documents the chat request from the schema the route validates with", async () => {
		const { doc } = await fetchDocument();
		const chat = doc.paths["/v1/chat/completions"]?.post;
		expect(chat?.requestBody?.content["application/json"]?.schema).toEqual({
			$ref: "#/components/schemas/ChatCompletionRequest",
		});
		const request = doc.components.schemas.ChatCompletionRequest;
		expect(request?.required).toEqual(expect.arrayContaining(["model", "messages"]));
		const messages = request?.properties?.messages;
		expect(messages?.type).toBe("array");
		const roles = alternatives(messages?.items ?? {}).map((s) => s.properties?.role?.const);
		expect(roles).toEqual(
			expect.arrayContaining(["system", "developer", "user", "assistant", "tool", "function"]),
		);
		// Limits only the zod schema knows: at most 4 stop sequences and 10 fallback models.
		const stopList = alternatives(request?.properties?.stop ?? {}).find((s) => s.type === "array");
		expect(stopList?.maxItems).toBe(4);
		expect(request?.properties?.models?.maxItems).toBe(10);
		// And exactly what zod makes of that schema object.
		const { $schema: _, ...fromZod } = z.toJSONSchema(chatRequest, { target: "draft-2020-12", io: "input" });
		expect(request).toEqual(fromZod);
	});

	it("documents the Messages endpoints from the schemas their route validates with, errors in Anthropic's shape", async () => {
		const { doc } = await fetchDocument();
		const create = doc.paths["/v1/messages"]?.post;
		const count = doc.paths["/v1/messages/count_tokens"]?.post;
		expect(create?.requestBody?.content["application/json"]?.schema).toEqual({
			$ref: "#/components/schemas/MessagesRequest",
		});
		expect(count?.requestBody?.content["application/json"]?.schema).toEqual({
			$ref: "#/components/schemas/CountTokensRequest",
		});
		for (const [name, schema] of [
			["MessagesRequest", messagesRequest],
			["CountTokensRequest", countTokensRequest],
		] as const) {
			const { $schema: _, ...fromZod } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" });
			expect(doc.components.schemas[name], name).toEqual(fromZod);
		}
		expect(doc.components.schemas.MessagesRequest?.required).toEqual(
			expect.arrayContaining(["model", "max_tokens", "messages"]),
		);
		expect(create?.parameters?.map((p) => p.name)).toEqual([
			"anthropic-version",
			"anthropic-beta",
			"x-aigate-fallbacks",
		]);
		const responses = create?.responses ?? {};
		expect(Object.keys(responses["200"]?.content ?? {})).toEqual(["application/json", "text/event-stream"]);
		for (const status of ["400", "401", "403", "404", "413", "429", "500", "529"]) {
			expect(responses[status]?.content?.["application/json"]?.schema, status).toEqual({
				$ref: "#/components/schemas/MessagesError",
			});
		}
		expect(doc.components.schemas.MessagesError?.properties?.type?.const).toBe("error");
	});

	it("documents the Responses endpoints, the request from the schema its route validates with", async () => {
		const { doc } = await fetchDocument();
		expect(doc.paths["/v1/responses"]?.post?.requestBody?.content["application/json"]?.schema).toEqual({
			$ref: "#/components/schemas/ResponsesRequest",
		});
		const { $schema: _, ...fromZod } = z.toJSONSchema(responsesRequest, {
			target: "draft-2020-12",
			io: "input",
		});
		expect(doc.components.schemas.ResponsesRequest).toEqual(fromZod);
		expect(doc.paths["/v1/responses/{id}/input_items"]?.get?.parameters?.map((p) => p.name)).toEqual([
			"id",
			"limit",
			"after",
			"order",
		]);
		expect(Object.keys(doc.paths["/v1/responses"]?.post?.responses["200"]?.content ?? {})).toEqual([
			"application/json",
			"text/event-stream",
		]);
	});

	it("documents both answers of the chat endpoint and its errors", async () => {
		const { doc } = await fetchDocument();
		const responses = doc.paths["/v1/chat/completions"]?.post?.responses ?? {};
		expect(Object.keys(responses["200"]?.content ?? {})).toEqual(["application/json", "text/event-stream"]);
		for (const status of ["400", "401", "403", "404", "413", "429", "500", "502", "503", "504"]) {
			expect(responses[status]?.content?.["application/json"]?.schema, status).toEqual({
				$ref: "#/components/schemas/Error",
			});
		}
		const error = doc.components.schemas.Error?.properties?.error;
		expect(error?.required?.sort()).toEqual(["code", "message", "param", "type"]);
		expect(doc.components.schemas.ChatCompletionChunk?.properties?.object?.const).toBe(
			"chat.completion.chunk",
		);
	});

	it("leaves no reference dangling", async () => {
		const { res, doc } = await fetchDocument();
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		const text = JSON.stringify(doc);
		const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] ?? "");
		expect(refs.length).toBeGreaterThan(10);
		for (const name of refs) expect(doc.components.schemas[name], name).toBeDefined();
	});

	it("takes the usage query parameters from the route's schema", async () => {
		const { doc } = await fetchDocument();
		const parameters = doc.paths["/admin/usage"]?.get?.parameters;
		expect(parameters?.map((p) => p.name)).toEqual(["key_id", "model", "from", "to", "group_by"]);
	});

	it("documents every field of a catalog entry, the cache-write price included, in and out", async () => {
		const { doc } = await fetchDocument();
		const fields = [
			"input_price",
			"output_price",
			"cached_input_price",
			"cache_write_price",
			"cache_write_1h_price",
		];
		expect(Object.keys(doc.components.schemas.ModelSpec?.properties ?? {})).toEqual(
			expect.arrayContaining(fields),
		);
		expect(Object.keys(doc.components.schemas.CatalogModel?.properties ?? {})).toEqual(
			expect.arrayContaining(fields),
		);
	});
});

describe("GET /docs", () => {
	it("is an HTML page that loads the reference UI from this origin only", async () => {
		const res = await gateway("/docs");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^text\/html/);
		const csp = res.headers.get("content-security-policy") ?? "";
		expect(csp).toContain("script-src 'self'");
		expect(csp).toContain("connect-src 'self'");
		expect(csp).toContain("frame-ancestors 'none'");
		const html = await res.text();
		expect(html).toContain('data-url="/openapi.json"');
		const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
		expect(scripts).toEqual(["/docs-assets/scalar-api-reference.js"]);
	});

	it("answers other methods with 405", async () => {
		const res = await gateway("/openapi.json", { method: "POST" });
		expect(res.status).toBe(405);
		expect(res.headers.get("allow")).toBe("GET");
	});
});
