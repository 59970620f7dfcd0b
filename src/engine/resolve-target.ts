import type { KeyRecord } from "../auth/key-record";
import { findModelCached } from "../catalog/model-cache";
import { findProvider } from "../catalog/providers";
import type { CatalogModel, Provider } from "../catalog/types";
import type { Env } from "../env";
import { GatewayError } from "../errors";
import type {
	NativeApi,
	NativeRequest,
	PassThroughAdapter,
	ProtocolAdapter,
	UpstreamTarget,
} from "../protocols/adapter";
import { adapters, passThroughs } from "../protocols/registry";

export interface ResolvedTarget {
	model: CatalogModel;
	provider: Provider;
	adapter: ProtocolAdapter;
	/** The public APIs whose bodies the provider takes as they are, each with its pass-through. */
	passThroughs: Partial<Record<NativeApi, PassThroughAdapter>>;
	target: UpstreamTarget;
}

/** Catalog id → where and how to send the request, enforcing the catalog and the key's allow-list. */
/** What a request asks a model for: chat (also through Messages and Responses) or embeddings. */
export type Wanted = "chat" | "embeddings";

export async function resolveTarget(
	env: Env,
	modelId: string,
	key: KeyRecord,
	wants: Wanted = "chat",
): Promise<ResolvedTarget> {
	const model = await findModelCached(env, modelId);
	if (!model?.enabled) {
		throw new GatewayError(404, `The model '${modelId}' does not exist or is not enabled on this gateway.`, {
			code: "model_not_found",
			param: "model",
		});
	}
	if (key.models && !key.models.includes(model.id)) {
		throw new GatewayError(403, `This API key is not allowed to use the model '${modelId}'.`, {
			type: "permission_error",
			code: "model_not_allowed",
			param: "model",
		});
	}
	if ((model.kind === "embeddings") !== (wants === "embeddings")) {
		const kind = model.kind === "embeddings" ? "an embeddings" : "a chat";
		throw new GatewayError(
			400,
			`The model '${modelId}' is ${kind} model: it cannot answer ${wants} requests.`,
			{
				code: "model_not_supported",
				param: "model",
			},
		);
	}
	const provider = findProvider(env, model.provider);
	if (!provider) {
		throw new GatewayError(503, `The provider '${model.provider}' of model '${modelId}' is not configured.`, {
			code: "provider_not_configured",
		});
	}
	if (!provider.apiKey) {
		throw new GatewayError(
			503,
			`The provider '${provider.name}' has no API key configured on this gateway.`,
			{
				code: "provider_not_configured",
			},
		);
	}
	return {
		model,
		provider,
		adapter: adapters[provider.protocol],
		passThroughs: passThroughs[provider.protocol] ?? {},
		target: {
			baseUrl: provider.baseUrl,
			apiKey: provider.apiKey,
			upstreamModel: model.upstreamModel,
			defaultMaxTokens: model.maxOutputTokens,
			capabilities: model.capabilities,
		},
	};
}

/** The model the client named, or else the first of its aliases the catalog has; the error is the named model's. */
export async function resolveNamed(
	env: Env,
	modelId: string,
	aliases: string[],
	key: KeyRecord,
	wants: Wanted = "chat",
): Promise<ResolvedTarget> {
	try {
		return await resolveTarget(env, modelId, key, wants);
	} catch (error) {
		if (!(error instanceof GatewayError) || error.code !== "model_not_found") throw error;
		for (const alias of aliases) {
			try {
				return await resolveTarget(env, alias, key, wants);
			} catch (aliasError) {
				if (!(aliasError instanceof GatewayError) || aliasError.code !== "model_not_found") throw aliasError;
			}
		}
		throw error;
	}
}

/** The pass-through for a client's own body to this target, when its provider serves the client's API. */
export function passThroughFor(
	native: NativeRequest | undefined,
	resolved: ResolvedTarget,
): PassThroughAdapter | undefined {
	if (!native) return undefined;
	return resolved.passThroughs[native.api];
}

/** The target's fetch: the provider's own (the in-Worker demo upstream), else the global one. */
// Bound: workerd refuses a fetch called with another `this`.
export const fetcherFor = (resolved: ResolvedTarget): typeof fetch =>
	resolved.provider.fetch ?? ((url, init) => fetch(url, init));
