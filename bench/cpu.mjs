// CPU time of process groups, from /proc (Linux only). utime + stime are fields 14 and 15 of
// /proc/<pid>/stat, in clock ticks (CLK_TCK, usually 100 per second: 10 ms resolution, so every
// measurement here spans hundreds of ticks). Both fields cover all of a process's threads.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export const CLK_TCK = (() => {
	try {
		return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
	} catch {
		return 100;
	}
})();

/** Fields 3… of /proc/<pid>/stat (the command name, field 2, may hold spaces and parentheses). */
function statFields(pid) {
	const text = readFileSync(`/proc/${pid}/stat`, "utf8");
	return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** utime + stime of one process, in ticks; 0 once it has gone. */
export function processTicks(pid) {
	try {
		const fields = statFields(pid);
		return Number(fields[11]) + Number(fields[12]);
	} catch {
		return 0;
	}
}

export function processName(pid) {
	try {
		return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
	} catch {
		return "?";
	}
}

/** Every live descendant of `root` (children, their children, …). */
export function descendants(root) {
	const children = new Map();
	for (const entry of readdirSync("/proc")) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const ppid = Number(statFields(entry)[1]);
			const list = children.get(ppid) ?? [];
			list.push(Number(entry));
			children.set(ppid, list);
		} catch {
			// The process ended while we looked.
		}
	}
	const found = [];
	const queue = [root];
	while (queue.length > 0) {
		const pid = queue.shift();
		for (const child of children.get(pid) ?? []) {
			found.push(child);
			queue.push(child);
		}
	}
	return found;
}

/** Busy ticks of the whole machine (all cores), from the first line of /proc/stat. */
export function machineBusyTicks() {
	const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/);
	// user nice system idle iowait irq softirq steal: idle and iowait are not busy.
	const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
	return user + nice + system + irq + softirq + steal;
}

/**
 * A named set of process groups whose ticks can be snapshotted and diffed:
 * groups = { name: () => [pid, …] }; the pid lists are re-resolved on refresh().
 */
export function createMeter(groups) {
	let pids = {};
	const refresh = () => {
		pids = Object.fromEntries(Object.entries(groups).map(([name, resolve]) => [name, resolve()]));
	};
	refresh();
	const snapshot = () => {
		const ticks = { machine: machineBusyTicks() };
		for (const [name, list] of Object.entries(pids)) {
			ticks[name] = list.reduce((sum, pid) => sum + processTicks(pid), 0);
		}
		return ticks;
	};
	/** Seconds of CPU per group between two snapshots. */
	const diff = (before, after) =>
		Object.fromEntries(Object.keys(after).map((name) => [name, (after[name] - before[name]) / CLK_TCK]));
	return { refresh, snapshot, diff, pids: () => pids };
}
