import type { FakeHandler } from "./http";
import { json } from "./http";

/** Placeholder: the fake Anthropic Messages API (issue 3). */
export const handleAnthropic: FakeHandler = (_req, _body, res) => {
	json(res, 404, { type: "error", error: { type: "not_found_error", message: "fake not built yet" } });
};
