// Which Worker secrets setup offers, and where each value comes from: the environment variable of
// the same name, else a prompt on a terminal, else nothing (provider keys are optional: a team may
// use only some providers) — except ADMIN_TOKEN, which the admin API cannot work without.
import { randomBytes } from "node:crypto";

export const ADMIN_TOKEN = "ADMIN_TOKEN";
const BUILT_IN_KEYS = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"];
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Built-in provider keys, then each extra provider's key_secret from PROVIDERS, then ADMIN_TOKEN. */
export function secretNames(providersJson) {
	return [...new Set([...BUILT_IN_KEYS, ...extraProviderSecrets(providersJson), ADMIN_TOKEN])];
}

function extraProviderSecrets(providersJson) {
	if (providersJson === undefined) return [];
	let providers;
	try {
		providers = JSON.parse(providersJson);
	} catch {
		throw new Error("The PROVIDERS var in the config is not valid JSON.");
	}
	if (!Array.isArray(providers)) throw new Error("The PROVIDERS var in the config must be a JSON array.");
	return providers
		.map((provider) => provider?.key_secret)
		.filter((name) => typeof name === "string" && SECRET_NAME.test(name));
}

/** 32 random bytes, base64url: what the admin API expects as a bearer token. */
export function generateToken() {
	return randomBytes(32).toString("base64url");
}

/** Where the value will come from, decided without asking anything (used by the dry run too). */
export function valueSource(name, env, interactive) {
	if (env[name]) return "env";
	if (interactive) return "prompt";
	return name === ADMIN_TOKEN ? "generate" : "none";
}

/**
 * The value to store, or undefined to keep what is there (or skip). `allowGenerate` is false when
 * ADMIN_TOKEN already exists, so --force-secrets never silently replaces a token people use.
 * `generated` tells the caller to show the value once, since nobody else knows it.
 */
export async function obtainValue(name, env, interactive, { exists }) {
	const source = valueSource(name, env, interactive);
	if (source === "env") return { value: env[name], generated: false };
	const mayGenerate = name === ADMIN_TOKEN && !exists;
	if (source === "prompt") {
		const hint = mayGenerate ? "Enter to generate one" : exists ? "Enter to keep it" : "Enter to skip";
		const typed = (await promptHidden(`${name} (${hint}): `)).trim();
		if (typed) return { value: typed, generated: false };
	}
	return mayGenerate ? { value: generateToken(), generated: true } : undefined;
}

/** Reads a line from the terminal without echoing it, so keys do not end up on screen. */
function promptHidden(question) {
	const { stdin, stdout } = process;
	return new Promise((resolve, reject) => {
		let value = "";
		const finish = (error) => {
			stdin.off("data", onData);
			stdin.setRawMode(false);
			stdin.pause();
			stdout.write("\n");
			if (error) reject(error);
			else resolve(value);
		};
		const onData = (chunk) => {
			for (const char of chunk) {
				if (char === "\r" || char === "\n") return finish();
				if (char === "\u0003") return finish(new Error("Cancelled."));
				if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
				else value += char;
			}
		};
		stdout.write(question);
		stdin.setEncoding("utf8");
		stdin.setRawMode(true);
		stdin.resume();
		stdin.on("data", onData);
	});
}
