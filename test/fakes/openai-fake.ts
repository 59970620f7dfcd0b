import type { FakeHandler } from "./http";
import { json } from "./http";

export const handleOpenAI: FakeHandler = (_req, _body, res) => {
	json(res, 200, { ok: true });
};
