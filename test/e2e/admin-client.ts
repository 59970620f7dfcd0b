import { expect } from "vitest";

/** What an admin API call answered: its status and its body, unparsed. */
export interface AdminResponse {
	status: number;
	text: string;
}

export interface AdminClient {
	/** One admin API call, with the admin token unless `token` names another; `body` is sent as JSON. */
	request(path: string, init?: { method?: string; body?: unknown; token?: string }): Promise<AdminResponse>;
	/** `POST /admin/keys`, expecting 201: the new key's id and secret. */
	createKey(body: { name: string; models?: string[] }): Promise<{ id: string; key: string }>;
	/** `PUT /admin/models/<id>`, expecting 200: the catalog entry as the gateway answered it. */
	putModel(id: string, spec: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** The admin API of a gateway started by `startGateway`, called with `token` (its ADMIN_TOKEN). */
export function adminClient(baseUrl: string, token: string): AdminClient {
	const request: AdminClient["request"] = async (path, init = {}) => {
		const res = await fetch(`${baseUrl}${path}`, {
			method: init.method ?? "GET",
			headers: {
				authorization: `Bearer ${init.token ?? token}`,
				...(init.body === undefined ? {} : { "content-type": "application/json" }),
			},
			body: init.body === undefined ? undefined : JSON.stringify(init.body),
		});
		return { status: res.status, text: await res.text() };
	};
	return {
		request,
		async createKey(body) {
			const created = await request("/admin/keys", { method: "POST", body });
			expect(created.status, created.text).toBe(201);
			return JSON.parse(created.text) as { id: string; key: string };
		},
		async putModel(id, spec) {
			const res = await request(`/admin/models/${id}`, { method: "PUT", body: spec });
			expect(res.status, res.text).toBe(200);
			return JSON.parse(res.text) as Record<string, unknown>;
		},
	};
}
