#!/usr/bin/env node
// `pretest`: test/e2e/docs.test.ts renders /docs in Chromium (CHROMIUM_PATH, else Debian's
// /usr/bin/chromium). When it is missing and this runs as root on Debian, install Debian's package, so
// that `npm ci && npm test` needs nothing else on a fresh machine; otherwise say how to get it and
// carry on (docs.test.ts then fails naming the same command). Never downloads a browser from
// anywhere but Debian's package archive.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const DEFAULT_PATH = "/usr/bin/chromium";
const INSTALL = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium";
const HINT = `install Debian's package (as root: \`${INSTALL}\`) or set CHROMIUM_PATH to a Chromium`;

const wanted = process.env.CHROMIUM_PATH || DEFAULT_PATH;

if (existsSync(wanted)) process.exit(0);

if (wanted !== DEFAULT_PATH) {
	console.warn(`ensure-chromium: no Chromium at CHROMIUM_PATH=${wanted}; docs.test.ts will fail: ${HINT}.`);
	process.exit(0);
}

const isRoot = process.getuid?.() === 0;
const onDebian = existsSync("/etc/debian_version") && existsSync("/usr/bin/apt-get");
if (!isRoot || !onDebian) {
	const why = onDebian ? "not running as root" : "not a Debian system with apt-get";
	console.warn(
		`ensure-chromium: no Chromium at ${DEFAULT_PATH} and ${why}, so docs.test.ts will fail: ${HINT}.`,
	);
	process.exit(0);
}

console.log(`ensure-chromium: no Chromium at ${DEFAULT_PATH}; installing Debian's package: ${INSTALL}`);
const apt = (args) =>
	spawnSync("apt-get", args, {
		stdio: "inherit",
		env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
	}).status === 0;
if (!apt(["update"]) || !apt(["install", "-y", "chromium"]) || !existsSync(DEFAULT_PATH)) {
	console.warn(
		`ensure-chromium: installing chromium did not give ${DEFAULT_PATH}; docs.test.ts will fail: ${HINT}.`,
	);
}
