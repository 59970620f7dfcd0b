/**
 * Runs a standard `Transformer` (what `new TransformStream(transformer)` takes) directly, collecting
 * what it enqueues. The pipeline's stages are transformers fused into one stream this way: in
 * workerd every JS TransformStream between upstream and client costs more CPU per chunk in stream
 * machinery alone than the stages' own work (bench/RESULTS.md).
 */
export interface Step<I, O> {
	push(inputs: I[]): O[] | Promise<O[]>;
	end(): O[] | Promise<O[]>;
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
	// Synchronous unless a transformer really returns a promise (Gemini awaits its image store): an
	// await per chunk per stage was a visible share of the gateway's CPU.
	const run = (inputs: I[], from: number): O[] | Promise<O[]> => {
		for (let i = from; i < inputs.length; i++) {
			const input = inputs[i] as I;
			if (!transformer.transform) {
				controller.enqueue(input as unknown as O);
				continue;
			}
			const pending = transformer.transform(input, controller);
			if (pending) return pending.then(() => run(inputs, i + 1));
		}
		return take();
	};
	return {
		push: (inputs) => run(inputs, 0),
		end() {
			const pending = transformer.flush?.(controller);
			return pending ? pending.then(take) : take();
		},
	};
}
