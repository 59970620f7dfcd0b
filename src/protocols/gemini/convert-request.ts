import { invalidRequest } from "../../errors";
import type { ChatRequest } from "../../schemas/chat-request";
import type { BuildContext, UpstreamRequest, UpstreamTarget } from "../adapter";
import { encodeBody } from "../encode-body";
import { convertMessages } from "./convert-messages";
import { convertToolChoice, convertTools, prepareJsonSchema } from "./convert-tools";
import { fetchImage } from "./fetch-image";
import { limitImageFetches } from "./limit-image-fetches";
import type { GenerateContentRequest, GenerationConfig } from "./wire";

/**
 * An OpenAI chat request → a Gemini generateContent call. Fields with no Gemini meaning for an
 * OpenAI client (`user`, `parallel_tool_calls`, `stream_options`, unknown extras) are dropped;
 * `logprobs` is refused rather than silently ignored, since the client would read nothing back.
 * No maxOutputTokens is sent when the client gave none: Gemini does not require one, and a default
 * cap would cut image models' answers short.
 */
export async function convertRequest(
	request: ChatRequest,
	target: UpstreamTarget,
	ctx: BuildContext,
): Promise<UpstreamRequest> {
	if (request.logprobs || (request.top_logprobs !== undefined && request.top_logprobs !== null)) {
		throw invalidRequest("logprobs are not supported for Gemini models", "logprobs", "unsupported_parameter");
	}

	const { systemInstruction, contents } = await convertMessages(
		request.messages,
		limitImageFetches((url, param) => fetchImage(url, { fetch: ctx.fetch, param })),
		ctx.loadImage,
	);
	const body: GenerateContentRequest = { contents };
	if (systemInstruction) body.systemInstruction = systemInstruction;

	const tools = convertTools(request.tools);
	if (tools.length > 0) {
		body.tools = tools;
		const toolConfig = convertToolChoice(request.tool_choice, request.tools);
		if (toolConfig) body.toolConfig = toolConfig;
	}

	const generationConfig = convertGenerationConfig(request, target);
	if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;

	const base = target.baseUrl.replace(/\/+$/, "");
	const model = encodeURIComponent(target.upstreamModel.replace(/^models\//, ""));
	const method = request.stream ? "streamGenerateContent?alt=sse" : "generateContent";
	return {
		url: `${base}/v1beta/models/${model}:${method}`,
		headers: { "content-type": "application/json", "x-goog-api-key": target.apiKey },
		body: encodeBody(body),
	};
}

function convertGenerationConfig(request: ChatRequest, target: UpstreamTarget): GenerationConfig {
	const config: GenerationConfig = {};
	if (isSet(request.temperature)) config.temperature = request.temperature;
	if (isSet(request.top_p)) config.topP = request.top_p;
	// Not OpenAI's, but Anthropic's Messages API has it (and its translation keeps it); Gemini too.
	if (typeof request.top_k === "number" && Number.isInteger(request.top_k) && request.top_k > 0)
		config.topK = request.top_k;
	const maxTokens = request.max_completion_tokens ?? request.max_tokens;
	if (isSet(maxTokens)) config.maxOutputTokens = maxTokens;
	if (isSet(request.stop))
		config.stopSequences = typeof request.stop === "string" ? [request.stop] : request.stop;
	if (isSet(request.n) && request.n > 1) config.candidateCount = request.n;
	if (isSet(request.seed)) config.seed = request.seed;
	if (isSet(request.presence_penalty)) config.presencePenalty = request.presence_penalty;
	if (isSet(request.frequency_penalty)) config.frequencyPenalty = request.frequency_penalty;

	const format = request.response_format;
	if (format?.type === "json_object") config.responseMimeType = "application/json";
	if (format?.type === "json_schema") {
		config.responseMimeType = "application/json";
		// responseJsonSchema takes JSON Schema as is and requires responseMimeType application/json:
		// https://firebase.google.com/docs/reference/js/ai.generationconfig (responseJsonSchema).
		const schema = format.json_schema.schema;
		if (schema) config.responseJsonSchema = prepareJsonSchema(schema, "response_format.json_schema.schema");
	}

	const modalities = responseModalities(request.modalities, target.capabilities.image_output);
	if (modalities) config.responseModalities = modalities;
	return config;
}

/**
 * Image output is asked for the way OpenRouter's clients do (`modalities` containing "image"), or
 * by default for catalog models that draw. A client that says `["text"]` to an image model gets
 * text only; one that says nothing to a text model gets Gemini's default.
 */
function responseModalities(
	modalities: string[] | undefined,
	imageOutput: boolean,
): GenerationConfig["responseModalities"] | undefined {
	if (modalities?.includes("image")) return ["TEXT", "IMAGE"];
	if (modalities !== undefined) return imageOutput ? ["TEXT"] : undefined;
	return imageOutput ? ["TEXT", "IMAGE"] : undefined;
}

function isSet<T>(value: T | null | undefined): value is T {
	return value !== null && value !== undefined;
}
