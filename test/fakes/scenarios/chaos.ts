/**
 * The chaos fake's (../chaos-fake.ts) key, fault kinds and `GET /__stats` shape, for the fault tests.
 * No Node imports here: worker tests import this module inside workerd.
 */

export const CHAOS_KEY = "sk-chaos-upstream-SECRET";

export const faultKinds = [
	"ok",
	"drop_before_headers",
	"drop_mid_body",
	"stall",
	"garbage",
	"http_500",
	"http_502",
	"http_503",
	"http_429",
] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface ChaosUsage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	prompt_tokens_details: { cached_tokens: number };
	completion_tokens_details: { reasoning_tokens: number };
}

export interface ChaosLogEntry {
	n: number;
	fault: FaultKind;
	stream: boolean;
	/** Only for `ok`: what the answer said and counted. */
	content?: string;
	usage?: ChaosUsage;
}

export interface ChaosStats {
	seed: number;
	requests: number;
	faults: Record<FaultKind, number>;
	/** Requests refused because the gateway sent a wrong key or a body that is not a chat request. */
	refused: number;
	log: ChaosLogEntry[];
}
