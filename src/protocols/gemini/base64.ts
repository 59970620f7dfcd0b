/** Standard base64 of a byte array, in slices so large inputs do not overflow the argument list. */
export function bytesToBase64(bytes: Uint8Array): string {
	const parts: string[] = [];
	for (let i = 0; i < bytes.length; i += 0x8000) {
		// apply, not a spread: spreading a typed array walks its iterator, several times slower.
		parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]));
	}
	return btoa(parts.join(""));
}

/** Bytes of a standard base64 string; throws on anything else. */
export function base64ToBytes(base64: string): Uint8Array {
	const binary = atob(base64);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}
