import type { CatalogModel } from "../catalog/types";
import type { Usage } from "../schemas/chat-response";
import type { Attempt } from "./dispatch";

/** How a request ended, as its usage row records it. */
export type Outcome = "ok" | "upstream_error" | "client_disconnected" | "rejected";

/** What the engine learned of one request, once it is over: the one source of its usage row and limits. */
export interface RequestResult {
	outcome: Outcome;
	status: number;
	errorCode: string | null;
	/** The model id the client named (possibly unknown to the catalog), and the model that answered, if any. */
	requestedModel: string;
	model: CatalogModel | null;
	streamed: boolean;
	usage: Usage | null;
	/** Completion tokens are the gateway's estimate, not the provider's count. */
	estimated: boolean;
	/** When the first output reached the client (streams only), Unix ms. */
	firstTokenAt: number | null;
	attempts: Attempt[];
}
