import * as z from "zod/mini";
import { configOf } from "../config";
import type { Env } from "../env";
import { type CatalogModel, modelKinds } from "./types";

interface ModelRow {
	id: string;
	provider: string;
	upstream_model: string;
	enabled: number;
	input_price: number;
	output_price: number;
	cached_input_price: number | null;
	cache_write_price: number | null;
	cache_write_1h_price: number | null;
	kind: string;
	max_output_tokens: number;
	capabilities: string;
	fallbacks: string;
	created_at: number;
}

/**
 * The built-in demo model, answered by the in-Worker echo upstream (protocols/demo). Enabled only
 * where DEMO_MODEL is "on", which `npm run dev` sets in .dev.vars; wrangler.toml keeps it off for
 * deployments.
 */
const DEMO_MODEL: CatalogModel = {
	id: "demo/echo",
	provider: "demo",
	upstreamModel: "echo",
	enabled: true,
	inputPrice: 0,
	outputPrice: 0,
	cachedInputPrice: null,
	cacheWritePrice: null,
	cacheWrite1hPrice: null,
	kind: "chat",
	maxOutputTokens: 4096,
	capabilities: { vision: false, tools: false, json: false, image_output: false },
	fallbacks: [],
	createdAt: 0,
};

const demoEnabled = (env: Env) => configOf(env).demoModel;

/** The demo model lives in code, not in the catalog table: the admin API cannot change it. */
export const isBuiltInModel = (id: string) => id === DEMO_MODEL.id;

const capabilitiesSchema = z.object({
	vision: z._default(z.boolean(), false),
	tools: z._default(z.boolean(), false),
	json: z._default(z.boolean(), false),
	image_output: z._default(z.boolean(), false),
});

export const modelSpec = z.strictObject({
	provider: z.string().check(z.minLength(1)),
	upstream_model: z.string().check(z.minLength(1)),
	enabled: z._default(z.boolean(), true),
	input_price: z.number().check(z.gte(0)),
	output_price: z.number().check(z.gte(0)),
	cached_input_price: z.nullish(z.number().check(z.gte(0))),
	cache_write_price: z.nullish(z.number().check(z.gte(0))),
	cache_write_1h_price: z.nullish(z.number().check(z.gte(0))),
	kind: z._default(z.enum(modelKinds), "chat"),
	max_output_tokens: z.optional(z.number().check(z.int(), z.positive())),
	capabilities: z.optional(z.partial(capabilitiesSchema)),
	fallbacks: z.optional(z.array(z.string().check(z.minLength(1))).check(z.maxLength(10))),
});
export type ModelSpec = z.infer<typeof modelSpec>;

/**
 * PATCH: any field of modelSpec but the provider (it is part of the id), none defaulted, so that a
 * field left out keeps its value; null clears a nullable price. `capabilities` names only the flags
 * it changes. The `satisfies` keeps the two schemas' fields in step.
 */
export const modelPatch = z.strictObject({
	upstream_model: z.optional(modelSpec.shape.upstream_model),
	enabled: z.optional(z.boolean()),
	input_price: z.optional(modelSpec.shape.input_price),
	output_price: z.optional(modelSpec.shape.output_price),
	cached_input_price: modelSpec.shape.cached_input_price,
	cache_write_price: modelSpec.shape.cache_write_price,
	cache_write_1h_price: modelSpec.shape.cache_write_1h_price,
	kind: z.optional(z.enum(modelKinds)),
	max_output_tokens: modelSpec.shape.max_output_tokens,
	capabilities: z.optional(
		z.object({
			vision: z.optional(z.boolean()),
			tools: z.optional(z.boolean()),
			json: z.optional(z.boolean()),
			image_output: z.optional(z.boolean()),
		}),
	),
	fallbacks: modelSpec.shape.fallbacks,
} satisfies Record<Exclude<keyof ModelSpec, "provider">, z.ZodMiniType>);
export type ModelPatch = z.infer<typeof modelPatch>;

/** A hand-edited row with broken JSON degrades to the empty value rather than failing every request. */
function parseJson(text: string | null | undefined): unknown {
	try {
		return JSON.parse(text ?? "null");
	} catch {
		return null;
	}
}

const fallbackList = z.catch(z.array(z.string()), []);

function fromRow(row: ModelRow): CatalogModel {
	const caps = parseJson(row.capabilities) ?? {};
	return {
		id: row.id,
		provider: row.provider,
		upstreamModel: row.upstream_model,
		enabled: row.enabled === 1,
		inputPrice: row.input_price,
		outputPrice: row.output_price,
		cachedInputPrice: row.cached_input_price,
		cacheWritePrice: row.cache_write_price,
		cacheWrite1hPrice: row.cache_write_1h_price,
		// A hand-edited row with an unknown kind is a chat model, as every row was before kinds.
		kind: z.catch(z.enum(modelKinds), "chat").parse(row.kind),
		maxOutputTokens: row.max_output_tokens,
		capabilities: z
			.catch(capabilitiesSchema, { vision: false, tools: false, json: false, image_output: false })
			.parse(caps),
		fallbacks: fallbackList.parse(parseJson(row.fallbacks)),
		createdAt: row.created_at,
	};
}

export async function findModel(env: Env, id: string): Promise<CatalogModel | null> {
	if (id === DEMO_MODEL.id) return demoEnabled(env) ? DEMO_MODEL : null;
	const row = await env.DB.prepare("SELECT * FROM models WHERE id = ?").bind(id).first<ModelRow>();
	return row ? fromRow(row) : null;
}

export async function listModels(env: Env, options: { enabledOnly: boolean }): Promise<CatalogModel[]> {
	const sql = options.enabledOnly
		? "SELECT * FROM models WHERE enabled = 1 ORDER BY id"
		: "SELECT * FROM models ORDER BY id";
	const { results } = await env.DB.prepare(sql).all<ModelRow>();
	const models = results.map(fromRow);
	return demoEnabled(env) ? [DEMO_MODEL, ...models] : models;
}

export async function upsertModel(env: Env, id: string, spec: ModelSpec, now: number): Promise<CatalogModel> {
	const capabilities = capabilitiesSchema.parse(spec.capabilities ?? {});
	await env.DB.prepare(
		`INSERT INTO models (id, provider, upstream_model, enabled, input_price, output_price, cached_input_price,
			cache_write_price, cache_write_1h_price, max_output_tokens, capabilities, fallbacks, kind, created_at,
			updated_at)
		 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?12, ?13, ?8, ?9, ?11, ?14, ?10, ?10)
		 ON CONFLICT (id) DO UPDATE SET provider = ?2, upstream_model = ?3, enabled = ?4, input_price = ?5,
			output_price = ?6, cached_input_price = ?7, cache_write_price = ?12, cache_write_1h_price = ?13,
			max_output_tokens = ?8, kind = ?14,
			capabilities = ?9, fallbacks = ?11, updated_at = ?10`,
	)
		.bind(
			id,
			spec.provider,
			spec.upstream_model,
			spec.enabled ? 1 : 0,
			spec.input_price,
			spec.output_price,
			spec.cached_input_price ?? null,
			spec.max_output_tokens ?? 8192,
			JSON.stringify(capabilities),
			now,
			JSON.stringify(spec.fallbacks ?? []),
			spec.cache_write_price ?? null,
			spec.cache_write_1h_price ?? null,
			spec.kind,
		)
		.run();
	const saved = await findModel(env, id);
	if (!saved) throw new Error("model row vanished after upsert");
	return saved;
}

/**
 * Changes the fields a patch names, in one statement (no read-modify-write race between two admin
 * calls): a non-null field left out is bound as NULL and kept by COALESCE; a nullable price carries
 * a flag saying whether the patch names it; capabilities are merged with json_patch. Null when the
 * catalog has no such row.
 */
export async function patchModel(
	env: Env,
	id: string,
	patch: ModelPatch,
	now: number,
): Promise<CatalogModel | null> {
	const nullable = (value: number | null | undefined) => [value === undefined ? 0 : 1, value ?? null];
	const row = await env.DB.prepare(
		`UPDATE models SET
			upstream_model = COALESCE(?2, upstream_model),
			enabled = COALESCE(?3, enabled),
			input_price = COALESCE(?4, input_price),
			output_price = COALESCE(?5, output_price),
			cached_input_price = CASE WHEN ?6 THEN ?7 ELSE cached_input_price END,
			cache_write_price = CASE WHEN ?8 THEN ?9 ELSE cache_write_price END,
			cache_write_1h_price = CASE WHEN ?10 THEN ?11 ELSE cache_write_1h_price END,
			kind = COALESCE(?12, kind),
			max_output_tokens = COALESCE(?13, max_output_tokens),
			capabilities = json_patch(CASE WHEN json_valid(capabilities) THEN capabilities ELSE '{}' END, ?14),
			fallbacks = COALESCE(?15, fallbacks),
			updated_at = ?16
		 WHERE id = ?1 RETURNING id`,
	)
		.bind(
			id,
			patch.upstream_model ?? null,
			patch.enabled === undefined ? null : patch.enabled ? 1 : 0,
			patch.input_price ?? null,
			patch.output_price ?? null,
			...nullable(patch.cached_input_price),
			...nullable(patch.cache_write_price),
			...nullable(patch.cache_write_1h_price),
			patch.kind ?? null,
			patch.max_output_tokens ?? null,
			JSON.stringify(patch.capabilities ?? {}),
			patch.fallbacks === undefined ? null : JSON.stringify(patch.fallbacks),
			now,
		)
		.first<{ id: string }>();
	return row ? findModel(env, id) : null;
}

/** The public view of a catalog entry (admin API). */
export function describeModel(model: CatalogModel) {
	return {
		id: model.id,
		provider: model.provider,
		upstream_model: model.upstreamModel,
		enabled: model.enabled,
		input_price: model.inputPrice,
		output_price: model.outputPrice,
		cached_input_price: model.cachedInputPrice,
		cache_write_price: model.cacheWritePrice,
		cache_write_1h_price: model.cacheWrite1hPrice,
		kind: model.kind,
		max_output_tokens: model.maxOutputTokens,
		capabilities: model.capabilities,
		fallbacks: model.fallbacks,
	};
}
