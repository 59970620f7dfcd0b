import { GatewayError } from "../../errors";
import type { ProtocolAdapter } from "../adapter";

const notYet = () => new GatewayError(501, "the gemini protocol adapter is not built yet", { code: "not_implemented" });

/** Placeholder until the Gemini adapter lands (issue 4). */
export const geminiAdapter: ProtocolAdapter = {
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
