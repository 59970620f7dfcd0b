/** Feeds pieces through a stage (a TransformStream, or the Transformer behind one) and collects its output. */
export async function runStage<I, O>(
	stageOrTransformer: TransformStream<I, O> | Transformer<I, O>,
	pieces: I[],
): Promise<O[]> {
	const stage =
		stageOrTransformer instanceof TransformStream
			? stageOrTransformer
			: new TransformStream(stageOrTransformer);
	const out: O[] = [];
	const reading = (async () => {
		const reader = stage.readable.getReader();
		for (;;) {
			const { done, value } = await reader.read();
			if (done) return;
			out.push(value);
		}
	})();
	const writer = stage.writable.getWriter();
	for (const piece of pieces) await writer.write(piece);
	await writer.close();
	await reading;
	return out;
}

/** Splits bytes into pieces of the given sizes, cycling through them. */
export function split(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
	const pieces: Uint8Array[] = [];
	let offset = 0;
	let i = 0;
	while (offset < bytes.length) {
		const size = sizes[i++ % sizes.length] ?? 1;
		pieces.push(bytes.slice(offset, offset + size));
		offset += size;
	}
	return pieces;
}
