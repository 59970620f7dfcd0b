import type { IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";

export type FakeHandler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

/** Starts a fake upstream on 127.0.0.1 with an ephemeral port. */
export async function serveFake(handler: FakeHandler): Promise<{ url: string; close(): Promise<void> }> {
	const server = http.createServer((req, res) => {
		const parts: Buffer[] = [];
		req.on("data", (part: Buffer) => parts.push(part));
		req.on("end", () => {
			Promise.resolve(handler(req, Buffer.concat(parts).toString("utf8"), res)).catch((error: unknown) => {
				if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
				res.end(`fake failed: ${String(error)}`);
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const address = server.address();
	if (address === null || typeof address === "string") throw new Error("fake did not bind");
	return {
		url: `http://127.0.0.1:${address.port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes a body in pieces of the given sizes (cycled), flushing between pieces so the client sees
 * arbitrary byte boundaries, including inside multi-byte UTF-8 characters.
 */
export async function writeInPieces(
	res: ServerResponse,
	text: string,
	sizes: number[],
	gapMs = 1,
): Promise<void> {
	const bytes = Buffer.from(text, "utf8");
	let offset = 0;
	let i = 0;
	while (offset < bytes.length) {
		const size = sizes[i++ % sizes.length] ?? 1;
		res.write(bytes.subarray(offset, offset + size));
		offset += size;
		if (gapMs > 0) await sleep(gapMs);
	}
}

export function json(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	res.writeHead(status, { "content-type": "application/json", ...headers });
	res.end(JSON.stringify(body));
}
