import type { FakeHandler } from "./http";
import { json } from "./http";

/** Placeholder: the fake Gemini API (issue 4). */
export const handleGemini: FakeHandler = (_req, _body, res) => {
	json(res, 404, { type: "error", error: { type: "not_found_error", message: "fake not built yet" } });
};
