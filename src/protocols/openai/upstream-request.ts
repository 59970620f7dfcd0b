import type { UpstreamRequest, UpstreamTarget } from "../adapter";
import { encodeBody } from "../encode-body";

/** A POST to an OpenAI-protocol upstream's `{base}/{path}` with its key, the body as JSON. */
export function openaiRequest(target: UpstreamTarget, path: string, body: unknown): UpstreamRequest {
	return {
		url: `${target.baseUrl.replace(/\/+$/, "")}/${path}`,
		headers: { authorization: `Bearer ${target.apiKey}`, "content-type": "application/json" },
		body: encodeBody(body),
	};
}
