import { GatewayError } from "../../errors";
import { bytesToBase64 } from "./base64";

/**
 * Gemini takes images inline (base64) or as Google-hosted file URIs, not as arbitrary URLs, so the
 * gateway fetches an https image itself. That turns the gateway into a fetcher of client-chosen
 * URLs, hence the limits: https only, a byte cap, a time limit, an image/* content type, and no
 * requests to loopback, private, link-local, CGNAT or ULA addresses named by IP literal or as
 * localhost — checked again on every redirect hop, which is followed by hand (at most 3).
 *
 * Hostnames are not resolved here (Workers have no DNS API). On Cloudflare, a Worker's fetch goes
 * out through Cloudflare's edge and cannot reach the private networks of the host it runs on, so a
 * public name pointing at 127.0.0.1 reaches nothing of ours; the literal checks stop the obvious
 * cases early with a clear error everywhere, including `wrangler dev`.
 */

export interface FetchImageOptions {
	fetch: typeof fetch;
	maxBytes?: number;
	timeoutMs?: number;
	maxRedirects?: number;
	/** Where the URL sits in the request, for the error's `param`. */
	param?: string;
}

export interface InlineImage {
	mimeType: string;
	data: string;
}

export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
export const IMAGE_TIMEOUT_MS = 10_000;
export const IMAGE_MAX_REDIRECTS = 3;

export async function fetchImage(url: string, options: FetchImageOptions): Promise<InlineImage> {
	const maxBytes = options.maxBytes ?? IMAGE_MAX_BYTES;
	const maxRedirects = options.maxRedirects ?? IMAGE_MAX_REDIRECTS;
	const refuse = (reason: string) =>
		new GatewayError(400, `The image URL was refused: ${reason}.`, {
			param: options.param ?? null,
			code: "invalid_image_url",
		});
	const signal = AbortSignal.timeout(options.timeoutMs ?? IMAGE_TIMEOUT_MS);

	let current = parseUrl(url, refuse);
	try {
		for (let hop = 0; ; hop++) {
			checkTarget(current, refuse);
			const response = await options.fetch(current.toString(), {
				method: "GET",
				redirect: "manual",
				signal,
				headers: { accept: "image/*" },
			});
			if (response.status >= 300 && response.status < 400) {
				await response.body?.cancel();
				const location = response.headers.get("location");
				if (!location) throw refuse(`the server answered HTTP ${response.status} without a location`);
				if (hop >= maxRedirects) throw refuse(`more than ${maxRedirects} redirects`);
				current = parseUrl(location, refuse, current);
				continue;
			}
			if (!response.ok) {
				await response.body?.cancel();
				throw refuse(`the server answered HTTP ${response.status}`);
			}
			const mimeType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
			if (!/^image\/[a-z0-9.+-]+$/.test(mimeType)) {
				await response.body?.cancel();
				throw refuse(`the content type is ${mimeType ? `"${mimeType}"` : "missing"}, not an image`);
			}
			const declared = Number(response.headers.get("content-length"));
			if (Number.isFinite(declared) && declared > maxBytes) {
				await response.body?.cancel();
				throw refuse(`the image is larger than ${maxBytes} bytes`);
			}
			const bytes = await readCapped(response, maxBytes, () =>
				refuse(`the image is larger than ${maxBytes} bytes`),
			);
			return { mimeType, data: bytesToBase64(bytes) };
		}
	} catch (error) {
		if (error instanceof GatewayError) throw error;
		if (signal.aborted) throw refuse(`it did not load within ${options.timeoutMs ?? IMAGE_TIMEOUT_MS} ms`);
		throw refuse("it could not be fetched");
	}
}

function parseUrl(text: string, refuse: (reason: string) => GatewayError, base?: URL): URL {
	try {
		return new URL(text, base);
	} catch {
		throw refuse("it is not a valid URL");
	}
}

function checkTarget(url: URL, refuse: (reason: string) => GatewayError): void {
	if (url.protocol !== "https:") throw refuse("only https URLs are fetched");
	if (url.username || url.password) throw refuse("URLs with credentials are not fetched");
	if (isForbiddenHost(url.hostname)) throw refuse("it points to a private, loopback or link-local address");
}

async function readCapped(
	response: Response,
	maxBytes: number,
	tooLarge: () => GatewayError,
): Promise<Uint8Array> {
	if (!response.body) return new Uint8Array(0);
	const reader = response.body.getReader();
	const pieces: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > maxBytes) {
			await reader.cancel();
			throw tooLarge();
		}
		pieces.push(value);
	}
	const bytes = new Uint8Array(total);
	let offset = 0;
	for (const piece of pieces) {
		bytes.set(piece, offset);
		offset += piece.byteLength;
	}
	return bytes;
}

/**
 * `hostname` as the URL parser leaves it: IPv4 in any notation (decimal, hex, short forms) is
 * already normalised to dotted quads, IPv6 is bracketed and compressed.
 */
export function isForbiddenHost(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/\.$/, "");
	if (host === "localhost" || host.endsWith(".localhost")) return true;
	if (host.startsWith("[")) {
		const hextets = parseIpv6(host.slice(1, -1));
		return hextets === null || isForbiddenIpv6(hextets);
	}
	const v4 = parseIpv4(host);
	if (v4 !== null) return isForbiddenIpv4(v4);
	// A single-label name can only mean an intranet host.
	return !host.includes(".");
}

function parseIpv4(host: string): number[] | null {
	const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	if (!match) return null;
	const octets = match.slice(1).map(Number);
	return octets.every((o) => o <= 255) ? octets : null;
}

function isForbiddenIpv4([a = 0, b = 0, c = 0]: number[]): boolean {
	return (
		a === 0 || // "this network"
		a === 10 ||
		a === 127 ||
		(a === 100 && b >= 64 && b <= 127) || // CGNAT 100.64/10
		(a === 169 && b === 254) || // link-local, including cloud metadata 169.254.169.254
		(a === 172 && b >= 16 && b <= 31) ||
		(a === 192 && b === 168) ||
		(a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
		(a === 198 && (b === 18 || b === 19)) || // benchmarking
		(a === 198 && b === 51 && c === 100) ||
		(a === 203 && b === 0 && c === 113) ||
		a >= 224 // multicast, reserved, broadcast
	);
}

/** The URL parser has already rewritten any embedded IPv4 form into hextets. */
function parseIpv6(text: string): number[] | null {
	const halves = text.split("::");
	if (halves.length > 2) return null;
	const toHextets = (part: string) => (part === "" ? [] : part.split(":").map((h) => Number.parseInt(h, 16)));
	const left = toHextets(halves[0] ?? "");
	const right = toHextets(halves[1] ?? "");
	const missing = halves.length === 1 ? 0 : 8 - left.length - right.length;
	if (missing < 0 || (halves.length === 2 && missing < 1)) return null;
	const all = [...left, ...new Array<number>(missing).fill(0), ...right];
	return all.length === 8 && all.every(isHextet) ? all : null;
}

function isHextet(n: number): boolean {
	return Number.isInteger(n) && n >= 0 && n <= 0xffff;
}

function isForbiddenIpv6(h: number[]): boolean {
	const [h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0, h7 = 0] = h;
	const embeddedV4 = [h6 >> 8, h6 & 0xff, h7 >> 8, h7 & 0xff];
	const firstFiveZero = h0 === 0 && h1 === 0 && h2 === 0 && h3 === 0 && h4 === 0;
	if (firstFiveZero && h5 === 0 && h6 === 0 && h7 <= 1) return true; // :: and ::1
	if (firstFiveZero && (h5 === 0xffff || h5 === 0)) return isForbiddenIpv4(embeddedV4); // v4-mapped, v4-compatible
	if (h0 === 0x64 && h1 === 0xff9b && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0) {
		return isForbiddenIpv4(embeddedV4); // NAT64
	}
	if (h0 === 0x2002) return isForbiddenIpv4([h1 >> 8, h1 & 0xff, h2 >> 8, h2 & 0xff]); // 6to4
	if ((h0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
	if ((h0 & 0xffc0) === 0xfe80 || (h0 & 0xffc0) === 0xfec0) return true; // link-local, old site-local
	if ((h0 & 0xff00) === 0xff00) return true; // multicast
	if (h0 === 0x2001 && h1 === 0x0db8) return true; // documentation
	return false;
}
