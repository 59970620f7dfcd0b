import { invalidRequest } from "../../errors";
import { isObject } from "../../is-object";
import type { FunctionTool, ToolChoice } from "../../schemas/chat-request";
import type { FunctionDeclaration, ToolConfig } from "./wire";

/**
 * OpenAI tools → Gemini functionDeclarations. Parameters go in `parametersJsonSchema`, which takes
 * JSON Schema as is (unions, bare arrays, additionalProperties, $defs), rather than `parameters`,
 * an OpenAPI 3.0 subset that rejects most real-world tool schemas with "Unknown name ... Cannot find
 * field". The two are mutually exclusive. Sources: the v1beta FunctionDeclaration reference,
 * https://docs.cloud.google.com/vertex-ai/docs/reference/rest/v1beta1/FunctionDeclaration
 * (parametersJsonSchema: "Describes the parameters to the function in JSON Schema format"), and the
 * generativelanguage v1beta surface as a client generated from it documents the field,
 * https://hexdocs.pm/geminix/Geminix.V1beta.FunctionDeclaration.html ("This field is mutually
 * exclusive with parameters").
 */
export function convertTools(
	tools: FunctionTool[] | undefined,
): Array<{ functionDeclarations: FunctionDeclaration[] }> {
	if (!tools || tools.length === 0) return [];
	const declarations = tools.map(({ function: fn }, i) => {
		const declaration: FunctionDeclaration = { name: fn.name };
		if (fn.description) declaration.description = fn.description;
		if (fn.parameters && Object.keys(fn.parameters).length > 0) {
			declaration.parametersJsonSchema = prepareJsonSchema(fn.parameters, `tools[${i}].function.parameters`);
		}
		return declaration;
	});
	return [{ functionDeclarations: declarations }];
}

/** tool_choice → functionCallingConfig; `required` is ANY, a named function is ANY limited to it. */
export function convertToolChoice(
	choice: ToolChoice | undefined,
	tools: FunctionTool[] | undefined,
): ToolConfig | undefined {
	if (choice === undefined) return undefined;
	if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
	if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
	if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
	if (choice.type === "function" && "function" in choice) {
		const name = (choice.function as { name: string }).name;
		if (!tools?.some((tool) => tool.function.name === name)) {
			throw invalidRequest(`tool_choice names a function that is not in tools: ${name}`, "tool_choice");
		}
		return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } };
	}
	throw invalidRequest(`tool_choice type "${choice.type}" is not supported by Gemini models`, "tool_choice");
}

type Json = Record<string, unknown>;

/**
 * Makes a client's JSON Schema acceptable to Gemini's JSON Schema fields without changing what it
 * means: drops the root `$schema` (unknown to Gemini), and inlines same-document `$ref`s, because
 * Gemini rejects a node that has `$ref` next to anything but `description` and `default`
 * ("If a schema node has $ref set, then only description and default can be set alongside it",
 * reported in https://github.com/anomalyco/opencode/issues/12295), which pydantic and zod emit.
 * A recursive reference cannot be inlined; it stays a `$ref` with its defs kept. A schema nested
 * deeper than MAX_SCHEMA_DEPTH is refused with a 400 naming `param`: the walk is recursive, and no
 * real tool needs that many levels.
 */
export function prepareJsonSchema(schema: Json, param: string): Json {
	const defs = { ...asObject(schema.$defs), ...asObject(schema.definitions) };
	let unresolved = false;
	// Each inlining copies a definition; a cap keeps a pathological schema from exploding in size.
	let budget = 500;

	const inline = (node: unknown, seen: readonly string[], depth = 0): unknown => {
		if (node === null || typeof node !== "object" || Array.isArray(node)) return node;
		if (depth > MAX_SCHEMA_DEPTH) {
			throw invalidRequest(
				`The JSON Schema nests more than ${MAX_SCHEMA_DEPTH} levels deep.`,
				param,
				"schema_too_deep",
			);
		}
		const walk = (child: unknown) => inline(child, seen, depth + 1);
		const { $ref, ...rest } = node as Json;
		const out: Json = {};
		for (const [key, value] of Object.entries(rest)) {
			// Only schema-valued keywords are walked: `enum`, `default`, `examples` hold data, and
			// the keys of `properties` are names, so a property called "$ref" stays a property.
			if (SCHEMA_LIST_KEYS.has(key) && Array.isArray(value)) out[key] = value.map(walk);
			else if (SCHEMA_KEYS.has(key)) out[key] = walk(value);
			else if (SCHEMA_MAP_KEYS.has(key) && isObject(value)) {
				out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
			} else out[key] = value;
		}
		if (typeof $ref !== "string") return out;
		const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec($ref)?.[1];
		const target = name === undefined ? undefined : defs[decodePointer(name)];
		if (name === undefined || target === undefined || seen.includes($ref) || budget-- <= 0) {
			unresolved = true;
			const kept: Json = { $ref };
			if ("description" in out) kept.description = out.description;
			if ("default" in out) kept.default = out.default;
			return kept;
		}
		const resolved = inline(target, [...seen, $ref], depth + 1);
		return { ...asObject(resolved), ...out };
	};

	const { $schema: _schema, $defs, definitions, ...body } = schema;
	const result = inline(body, []) as Json;
	if (unresolved) {
		if ($defs !== undefined) result.$defs = $defs;
		if (definitions !== undefined) result.definitions = definitions;
	}
	return result;
}

const MAX_SCHEMA_DEPTH = 100;

const SCHEMA_KEYS = new Set([
	"items",
	"additionalProperties",
	"not",
	"if",
	"then",
	"else",
	"contains",
	"propertyNames",
	"additionalItems",
	"unevaluatedItems",
	"unevaluatedProperties",
]);
const SCHEMA_LIST_KEYS = new Set(["anyOf", "oneOf", "allOf", "prefixItems", "items"]);
const SCHEMA_MAP_KEYS = new Set(["properties", "patternProperties", "dependentSchemas"]);

function asObject(value: unknown): Json {
	return isObject(value) ? value : {};
}

/** JSON Pointer escapes (RFC 6901). */
function decodePointer(token: string): string {
	return token.replaceAll("~1", "/").replaceAll("~0", "~");
}
