import * as z from "zod/mini";

/**
 * Gemini's wire format (generativelanguage v1beta), as far as the gateway reads or writes it.
 * Response schemas are loose: Google adds fields often, and an unknown field must never fail a
 * request. Only what the translation reads is declared, and every field is optional because
 * recorded responses omit almost anything (no `candidates` on a blocked prompt, `content: {}` on
 * NO_IMAGE, usage without `candidatesTokenCount`).
 */

export const partSchema = z.looseObject({
	text: z.optional(z.string()),
	thought: z.optional(z.boolean()),
	thoughtSignature: z.optional(z.string()),
	inlineData: z.optional(z.looseObject({ mimeType: z.string(), data: z.string() })),
	functionCall: z.optional(
		z.looseObject({
			name: z.string(),
			args: z.optional(z.record(z.string(), z.unknown())),
			id: z.optional(z.string()),
		}),
	),
});
export type Part = z.infer<typeof partSchema>;

export const usageMetadataSchema = z.looseObject({
	promptTokenCount: z.optional(z.number()),
	candidatesTokenCount: z.optional(z.number()),
	thoughtsTokenCount: z.optional(z.number()),
	toolUsePromptTokenCount: z.optional(z.number()),
	cachedContentTokenCount: z.optional(z.number()),
	totalTokenCount: z.optional(z.number()),
});
export type UsageMetadata = z.infer<typeof usageMetadataSchema>;

export const candidateSchema = z.looseObject({
	content: z.optional(
		z.looseObject({ role: z.optional(z.string()), parts: z.optional(z.array(partSchema)) }),
	),
	finishReason: z.optional(z.string()),
	finishMessage: z.optional(z.string()),
	index: z.optional(z.number().check(z.int())),
});
export type Candidate = z.infer<typeof candidateSchema>;

export const generateContentResponseSchema = z.looseObject({
	candidates: z.optional(z.array(candidateSchema)),
	promptFeedback: z.optional(z.looseObject({ blockReason: z.optional(z.string()) })),
	usageMetadata: z.optional(usageMetadataSchema),
	modelVersion: z.optional(z.string()),
	responseId: z.optional(z.string()),
});
export type GenerateContentResponse = z.infer<typeof generateContentResponseSchema>;

/** google.rpc.Status as the REST API renders it. */
export const errorBodySchema = z.looseObject({
	error: z.looseObject({
		code: z.optional(z.number()),
		message: z.optional(z.string()),
		status: z.optional(z.string()),
		details: z.optional(z.array(z.looseObject({ "@type": z.optional(z.string()) }))),
	}),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

// Request side: produced by our own code, so plain types suffice.

export type RequestPart =
	| { text: string; thought?: boolean; thoughtSignature?: string }
	| { inlineData: { mimeType: string; data: string }; thoughtSignature?: string }
	| { functionCall: { name: string; args: Record<string, unknown> }; thoughtSignature?: string }
	| { functionResponse: { name: string; response: Record<string, unknown> } };

export interface Content {
	role: "user" | "model";
	parts: RequestPart[];
}

export interface FunctionDeclaration {
	name: string;
	description?: string;
	parametersJsonSchema?: Record<string, unknown>;
}

export interface ToolConfig {
	functionCallingConfig: { mode: "AUTO" | "ANY" | "NONE"; allowedFunctionNames?: string[] };
}

export interface GenerationConfig {
	temperature?: number;
	topP?: number;
	topK?: number;
	maxOutputTokens?: number;
	stopSequences?: string[];
	candidateCount?: number;
	seed?: number;
	presencePenalty?: number;
	frequencyPenalty?: number;
	responseMimeType?: string;
	responseJsonSchema?: Record<string, unknown>;
	responseModalities?: Array<"TEXT" | "IMAGE">;
}

export interface GenerateContentRequest {
	contents: Content[];
	systemInstruction?: { parts: Array<{ text: string }> };
	tools?: Array<{ functionDeclarations: FunctionDeclaration[] }>;
	toolConfig?: ToolConfig;
	generationConfig?: GenerationConfig;
}
