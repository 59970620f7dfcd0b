// The cost of the gateway's global scope (module top-level code), as wrangler's own start-up
// profiler sees it: `wrangler check startup` builds the Worker and profiles its start in workerd,
// locally. Cloudflare allows a Worker 1 s of start-up
// (developers.cloudflare.com/changelog/2025-10-10-increased-startup-time).
import { readFileSync } from "node:fs";
import path from "node:path";
import { runWrangler } from "./bundle.mjs";

/** Runs the profiler `runs` times; CPU ms per start (the profile's non-idle samples) and the median. */
export async function measureStartup(root, outDir, runs) {
	const busyMs = [];
	for (let i = 0; i < runs; i++) {
		const outfile = path.join(outDir, `startup-${i + 1}.cpuprofile`);
		await runWrangler(["check", "startup", "--outfile", outfile], root);
		busyMs.push(busyTime(JSON.parse(readFileSync(outfile, "utf8"))));
	}
	const sorted = [...busyMs].sort((a, b) => a - b);
	return { busyMs, medianMs: sorted[Math.floor(sorted.length / 2)] };
}

/** Milliseconds of a V8 CPU profile's samples that are not "(idle)". */
function busyTime(profile) {
	const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
	let us = 0;
	profile.samples.forEach((id, i) => {
		if (!idle.has(id)) us += profile.timeDeltas[i] ?? 0;
	});
	return us / 1000;
}
