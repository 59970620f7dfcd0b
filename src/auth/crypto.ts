const encoder = new TextEncoder();
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/**
 * URL-safe random text carrying `bytes` bytes of entropy: base64url without padding (it runs for
 * every request's gate id).
 */
export const randomToken = (bytes: number): string =>
	base64Url(crypto.getRandomValues(new Uint8Array(bytes)));

/** Bytes as base64url without padding, written out by table: btoa plus three regex passes showed up per request. */
export function base64Url(bytes: Uint8Array): string {
	const count = bytes.length;
	let out = "";
	let i = 0;
	for (; i + 2 < count; i += 3) {
		const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
		out +=
			BASE64URL.charAt(n >> 18) +
			BASE64URL.charAt((n >> 12) & 63) +
			BASE64URL.charAt((n >> 6) & 63) +
			BASE64URL.charAt(n & 63);
	}
	const rest = count - i;
	if (rest > 0) {
		const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
		out += BASE64URL.charAt(n >> 18) + BASE64URL.charAt((n >> 12) & 63);
		if (rest === 2) out += BASE64URL.charAt((n >> 6) & 63);
	}
	return out;
}

export async function sha256Hex(text: string): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
	let hex = "";
	for (const byte of digest) hex += HEX[byte];
	return hex;
}

/**
 * Compares two secrets in constant time. Both sides are hashed first so that the comparison does
 * not even leak their lengths.
 */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
	const [ha, hb] = await Promise.all([
		crypto.subtle.digest("SHA-256", encoder.encode(a)),
		crypto.subtle.digest("SHA-256", encoder.encode(b)),
	]);
	return crypto.subtle.timingSafeEqual(ha, hb);
}
