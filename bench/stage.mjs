// In-process check of the gateway's SSE decoder (src/engine/stream/sse-decode.ts, bundled by esbuild
// into .bench/stage.mjs) on one huge `data:` line delivered in exact 1 B, 1 KB and 64 KB pieces.
//
// Over a socket the piece size cannot be controlled (TCP coalesces writes, workerd reads what is
// there) and 10 million 1-byte socket writes would take minutes, so this drives the stage directly:
// the decoder's Transformer (src/engine/stream/sse-decode.ts) has its transform() called once per piece, so the figures are the decoder's own work, without Node's
// stream machinery around it. Run by bench/run.mjs as a child process; answers over IPC.

const [stagePath] = process.argv.slice(2);
const { sseDecoder } = await import(stagePath);

/** The decoder is a standard Transformer: its transform() is called directly, once per piece. */
const captureTransformer = () => sseDecoder();

function eventBytes(lineBytes) {
	const head = Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"');
	const tail = Buffer.from('"},"finish_reason":null}]}\n\n');
	return Buffer.concat([head, Buffer.alloc(lineBytes - head.length - tail.length + 2, 65), tail]);
}

function run(bytes, piece) {
	const transformer = captureTransformer();
	let events = 0;
	let dataLength = 0;
	const controller = {
		enqueue(event) {
			events++;
			dataLength += event.data.length;
		},
		error() {},
		terminate() {},
	};
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	for (let i = 0; i < bytes.length; i += piece)
		transformer.transform(bytes.subarray(i, i + piece), controller);
	transformer.flush?.(controller);
	const wallMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	const pieces = Math.ceil(bytes.length / piece);
	if (events !== 1 || dataLength !== bytes.length - 8) throw new Error(`decoder produced ${events} events`);
	return {
		lineBytes: bytes.length,
		piece,
		pieces,
		wallMs,
		cpuMs: (cpu.user + cpu.system) / 1000,
		nsPerByte: (wallMs * 1e6) / bytes.length,
		cpuNsPerByte: ((cpu.user + cpu.system) * 1e3) / bytes.length,
		nsPerPiece: (wallMs * 1e6) / pieces,
	};
}

const MB = 1024 * 1024;
const lines = { 1: eventBytes(1 * MB), 10: eventBytes(10 * MB) };
// Warm-up, so the figures are not the JIT's.
run(lines[1], 1024);
run(lines[1], 1);
const results = [];
for (const piece of [1, 1024, 65536]) {
	for (const size of [1, 10]) results.push(run(lines[size], piece));
}
process.send?.({ type: "done", results });
if (!process.send) console.log(JSON.stringify(results, null, 1));
