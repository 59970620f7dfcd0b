import { GatewayError } from "../../errors";
import type { ProtocolAdapter } from "../adapter";

const notYet = () => new GatewayError(501, "the anthropic protocol adapter is not built yet", { code: "not_implemented" });

/** Placeholder until the Anthropic adapter lands (issue 3). */
export const anthropicAdapter: ProtocolAdapter = {
	buildRequest: async () => {
		throw notYet();
	},
	parseResponse: async () => {
		throw notYet();
	},
	createStreamStage: () => {
		throw notYet();
	},
	mapError: () => notYet(),
};
