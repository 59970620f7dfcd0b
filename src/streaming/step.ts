/**
 * Runs a standard `Transformer` (what `new TransformStream(transformer)` takes) directly, collecting
 * what it enqueues. The pipeline's stages are transformers fused into one stream this way: measured
 * in workerd, every JS TransformStream between upstream and client costs about 100 µs of CPU per
 * chunk in stream machinery alone, ten times what the stages' own work costs.
 */
export interface Step<I, O> {
	push(inputs: I[]): Promise<O[]>;
	end(): Promise<O[]>;
}

export function step<I, O>(transformer: Transformer<I, O>): Step<I, O> {
	let out: O[] = [];
	const controller = {
		enqueue: (value: O) => {
			out.push(value);
		},
		error: (reason: unknown) => {
			throw reason;
		},
		terminate: () => {},
		desiredSize: 1,
	} as unknown as TransformStreamDefaultController<O>;
	const take = () => {
		const taken = out;
		out = [];
		return taken;
	};
	return {
		async push(inputs) {
			for (const input of inputs) {
				if (transformer.transform) await transformer.transform(input, controller);
				else controller.enqueue(input as unknown as O);
			}
			return take();
		},
		async end() {
			if (transformer.flush) await transformer.flush(controller);
			return take();
		},
	};
}
