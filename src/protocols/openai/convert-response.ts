import type { Completion } from "../../schemas/chat-response";
import { upstreamGarbage } from "../upstream-errors";
import { completionWire } from "./wire";

/** A completion as the upstream sent it, once its shape is checked; unknown fields kept. */
export function convertResponse(body: unknown): Completion {
	const parsed = completionWire.safeParse(body);
	if (!parsed.success) throw upstreamGarbage("a completion");
	return parsed.data as unknown as Completion;
}
