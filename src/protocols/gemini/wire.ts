import { z } from "zod";

/**
 * Gemini's wire format (generativelanguage v1beta), as far as the gateway reads or writes it.
 * Response schemas are loose: Google adds fields often, and an unknown field must never fail a
 * request. Only what the translation reads is declared, and every field is optional because
 * recorded responses omit almost anything (no `candidates` on a blocked prompt, `content: {}` on
 * NO_IMAGE, usage without `candidatesTokenCount`).
 */

export const partSchema = z.looseObject({
	text: z.string().optional(),
	thought: z.boolean().optional(),
	thoughtSignature: z.string().optional(),
	inlineData: z.looseObject({ mimeType: z.string(), data: z.string() }).optional(),
	functionCall: z
		.looseObject({
			name: z.string(),
			args: z.record(z.string(), z.unknown()).optional(),
			id: z.string().optional(),
		})
		.optional(),
});
export type Part = z.infer<typeof partSchema>;

export const usageMetadataSchema = z.looseObject({
	promptTokenCount: z.number().optional(),
	candidatesTokenCount: z.number().optional(),
	thoughtsTokenCount: z.number().optional(),
	toolUsePromptTokenCount: z.number().optional(),
	cachedContentTokenCount: z.number().optional(),
	totalTokenCount: z.number().optional(),
});
export type UsageMetadata = z.infer<typeof usageMetadataSchema>;

export const candidateSchema = z.looseObject({
	content: z.looseObject({ role: z.string().optional(), parts: z.array(partSchema).optional() }).optional(),
	finishReason: z.string().optional(),
	finishMessage: z.string().optional(),
	index: z.number().int().optional(),
});
export type Candidate = z.infer<typeof candidateSchema>;

export const generateContentResponseSchema = z.looseObject({
	candidates: z.array(candidateSchema).optional(),
	promptFeedback: z.looseObject({ blockReason: z.string().optional() }).optional(),
	usageMetadata: usageMetadataSchema.optional(),
	modelVersion: z.string().optional(),
	responseId: z.string().optional(),
});
export type GenerateContentResponse = z.infer<typeof generateContentResponseSchema>;

/** google.rpc.Status as the REST API renders it. */
export const errorBodySchema = z.looseObject({
	error: z.looseObject({
		code: z.number().optional(),
		message: z.string().optional(),
		status: z.string().optional(),
		details: z.array(z.looseObject({ "@type": z.string().optional() })).optional(),
	}),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

// Request side: produced by our own code, so plain types suffice.

export type RequestPart =
	| { text: string; thought?: boolean; thoughtSignature?: string }
	| { inlineData: { mimeType: string; data: string } }
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
