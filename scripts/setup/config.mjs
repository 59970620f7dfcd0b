// Reads the few values `npm run setup` needs from wrangler.toml and rewrites resource ids in place.
// Edits are targeted line replacements, not a TOML re-serialisation, so comments, ordering and
// layout stay exactly as the author wrote them. Only the subset of TOML this file uses is handled.
import { readFileSync, writeFileSync } from "node:fs";

const TABLE_HEADER = /^\s*\[/;

/** The config file as lines; the line ending is kept so a CRLF file stays CRLF. */
export function loadConfig(path) {
	let text;
	try {
		text = readFileSync(path, "utf8");
	} catch (error) {
		throw new Error(
			`Cannot read the Wrangler config ${path} (${error.code ?? error.message}); see --config.`,
		);
	}
	const eol = text.includes("\r\n") ? "\r\n" : "\n";
	return { path, eol, lines: text.split(eol) };
}

export function saveConfig(config) {
	writeFileSync(config.path, config.lines.join(config.eol));
}

/** Line range [start, end) of the top level: everything before the first table header. */
function topLevel(lines) {
	const end = lines.findIndex((line) => TABLE_HEADER.test(line));
	return { start: 0, end: end === -1 ? lines.length : end };
}

/** Line range of the body of `[name]`, or of the `[[name]]` entry whose `binding` is `binding`. */
function findTable(lines, name, binding) {
	const header = new RegExp(`^\\s*\\[{1,2}\\s*${name}\\s*\\]{1,2}\\s*(#.*)?$`);
	for (let start = 0; start < lines.length; start++) {
		if (!header.test(lines[start])) continue;
		let end = start + 1;
		while (end < lines.length && !TABLE_HEADER.test(lines[end])) end++;
		const range = { start: start + 1, end };
		if (binding === undefined || readString(lines, range, "binding") === binding) return range;
	}
	return undefined;
}

/** Index of the line that assigns `key` inside `range`, or -1. */
function findKey(lines, range, key) {
	const assignment = new RegExp(`^\\s*${key}\\s*=`);
	for (let i = range.start; i < range.end; i++) if (assignment.test(lines[i])) return i;
	return -1;
}

/** The string value of `key` inside `range` (it may span lines for multi-line strings). */
function readString(lines, range, key) {
	const index = findKey(lines, range, key);
	if (index === -1) return undefined;
	const text = lines.slice(index).join("\n");
	return parseTomlString(text.slice(text.indexOf("=") + 1).trimStart());
}

const ESCAPES = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" };

/** Unescapes the body of a TOML basic string ("…" or """…"""). */
function unescapeBasic(body) {
	return body
		.replace(/\\[ \t]*\n\s*/g, "") // a line-ending backslash joins lines in multi-line strings
		.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (match, code) =>
			code.length > 1 ? String.fromCodePoint(Number.parseInt(code.slice(1), 16)) : (ESCAPES[code] ?? match),
		);
}

/** Parses the TOML string at the start of `text`: "…", '…', """…""" or '''…'''. */
export function parseTomlString(text) {
	const multi = /^('''|""")\n?([\s\S]*?)\1/.exec(text);
	if (multi) return multi[1] === "'''" ? multi[2] : unescapeBasic(multi[2]);
	const literal = /^'([^'\n]*)'/.exec(text);
	if (literal) return literal[1];
	const basic = /^"((?:[^"\\\n]|\\.)*)"/.exec(text);
	return basic ? unescapeBasic(basic[1]) : undefined;
}

/** Everything setup needs from the config, with clear errors for what is missing. */
export function readSetupFacts(config) {
	const { lines } = config;
	const d1 = findTable(lines, "d1_databases", "DB");
	const kv = findTable(lines, "kv_namespaces", "KEY_CACHE");
	const r2 = findTable(lines, "r2_buckets", "IMAGES");
	const vars = findTable(lines, "vars");
	const facts = {
		workerName: readString(lines, topLevel(lines), "name"),
		databaseName: d1 && readString(lines, d1, "database_name"),
		databaseId: d1 && readString(lines, d1, "database_id"),
		kvId: kv && readString(lines, kv, "id"),
		bucketName: r2 && readString(lines, r2, "bucket_name"),
		providersJson: vars && readString(lines, vars, "PROVIDERS"),
	};
	const required = {
		workerName: "top-level name",
		databaseName: 'database_name in the [[d1_databases]] entry with binding = "DB"',
		databaseId: 'database_id in the [[d1_databases]] entry with binding = "DB"',
		kvId: 'id in the [[kv_namespaces]] entry with binding = "KEY_CACHE"',
		bucketName: 'bucket_name in the [[r2_buckets]] entry with binding = "IMAGES"',
	};
	const missing = Object.entries(required).filter(([field]) => facts[field] === undefined);
	if (missing.length > 0) {
		throw new Error(`${config.path} lacks ${missing.map(([, what]) => what).join(", ")}.`);
	}
	return facts;
}

/** Sets a single-line string value, keeping indentation, spacing and any trailing comment. */
function setString(lines, range, key, value) {
	const index = findKey(lines, range, key);
	const line = index === -1 ? "" : lines[index];
	const updated = line.replace(/^(\s*[\w-]+\s*=\s*)("[^"\n]*"|'[^'\n]*')/, (_, lead) => `${lead}"${value}"`);
	if (updated === line)
		throw new Error(`Cannot rewrite ${key} (line ${index + 1}): expected key = "…" on one line.`);
	lines[index] = updated;
}

/** Writes the D1 and KV ids into the config lines; returns the keys it changed (none if equal). */
export function applyIds(config, { databaseId, kvId }) {
	const facts = readSetupFacts(config);
	const changed = [];
	if (facts.databaseId !== databaseId) {
		setString(config.lines, findTable(config.lines, "d1_databases", "DB"), "database_id", databaseId);
		changed.push("database_id");
	}
	if (facts.kvId !== kvId) {
		setString(config.lines, findTable(config.lines, "kv_namespaces", "KEY_CACHE"), "id", kvId);
		changed.push("id");
	}
	return changed;
}
