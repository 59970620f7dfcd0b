import { Hono } from "hono";
import { describeProvider, listProviders } from "../catalog/providers";
import type { AppEnv } from "../env";

/** `GET /admin/providers`: the configured providers by name and protocol; no address, no key. */
export const adminProvidersRoute = new Hono<AppEnv>().get("/", (c) =>
	c.json({ data: listProviders(c.env).map(describeProvider) }),
);
