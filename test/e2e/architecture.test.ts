import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The layer rules of ARCHITECTURE.md, checked on every import in src/, so the document stays true.
 * A rule names what a layer may not import; each failure lists "importer → imported".
 */

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src");

interface Import {
	from: string;
	/** A path inside src/ without extension (e.g. "engine/serve"), or the package name. */
	to: string;
	typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return entry.name.endsWith(".ts") ? [full] : [];
	});
}

const IMPORT = /^(?:import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?"([^"]+)";/gms;

const imports: Import[] = sourceFiles(src).flatMap((file) => {
	const from = path.relative(src, file).replace(/\.ts$/, "");
	return [...readFileSync(file, "utf8").matchAll(IMPORT)].map((match) => {
		const spec = match[2] ?? "";
		const to = spec.startsWith(".")
			? path.relative(src, path.resolve(path.dirname(file), spec)).replace(/\.ts$/, "")
			: spec;
		return { from, to, typeOnly: match[1] !== undefined };
	});
});

const inside = (dir: string) => (name: string) => name === dir || name.startsWith(`${dir}/`);
const FOUNDATIONS = [
	"auth",
	"cache",
	"catalog",
	"limits",
	"usage",
	"images",
	"round-trip",
	"stored-responses",
	"schemas",
];
const isFoundation = (name: string) => FOUNDATIONS.some((dir) => inside(dir)(name));
const isHono = (to: string) => to === "hono" || to.startsWith("hono/");

function breaches(importers: (from: string) => boolean, forbidden: (i: Import) => boolean): string[] {
	return imports.filter((i) => importers(i.from) && forbidden(i)).map((i) => `${i.from} → ${i.to}`);
}

describe("ARCHITECTURE.md's layer rules", () => {
	it("sees the imports it checks", () => {
		expect(imports.filter((i) => i.from === "engine/serve").length).toBeGreaterThan(5);
	});

	it("protocol adapters are pure translation: schemas, errors, config types and their own folder only", () => {
		const allowed = (to: string) =>
			inside("protocols")(to) ||
			inside("schemas")(to) ||
			to === "errors" ||
			to === "is-object" ||
			to === "config" ||
			to === "images/addresses" ||
			to === "zod" ||
			to.startsWith("zod/");
		expect(breaches(inside("protocols"), (i) => !allowed(i.to))).toEqual([]);
	});

	it("the engine knows no HTTP framework, no route and no public API's ingress", () => {
		expect(
			breaches(
				inside("engine"),
				(i) =>
					isHono(i.to) ||
					inside("routes")(i.to) ||
					inside("ingress")(i.to) ||
					["app", "middleware", "respond"].includes(i.to),
			),
		).toEqual([]);
	});

	it("the engine never branches on a provider: it reaches adapters through the registry and the contract", () => {
		const adapterFolders = ["protocols/openai", "protocols/anthropic", "protocols/gemini", "protocols/demo"];
		expect(breaches(inside("engine"), (i) => adapterFolders.some((dir) => inside(dir)(i.to)))).toEqual([]);
	});

	it("an ingress knows its public API and the engine's contract, never an upstream adapter or Hono", () => {
		expect(
			breaches(
				inside("ingress"),
				(i) =>
					isHono(i.to) ||
					inside("routes")(i.to) ||
					(inside("protocols")(i.to) && !(i.typeOnly && i.to === "protocols/adapter")) ||
					(inside("engine")(i.to) &&
						!["engine/serve", "engine/request", "engine/stream/sse-encode"].includes(i.to)),
			),
		).toEqual([]);
	});

	it("only the app and the API description import routes", () => {
		expect(
			breaches(
				(from) => !inside("routes")(from) && from !== "app" && !inside("openapi")(from),
				(i) => inside("routes")(i.to),
			),
		).toEqual([]);
	});

	it("foundations do not import the engine, except the types of its result", () => {
		expect(
			breaches(isFoundation, (i) => inside("engine")(i.to) && !(i.typeOnly && i.to === "engine/result")),
		).toEqual([]);
	});

	it("foundations use the adapter contract's types, never an adapter (the demo upstream aside)", () => {
		expect(
			breaches(
				isFoundation,
				(i) =>
					inside("protocols")(i.to) &&
					!(i.typeOnly && i.to === "protocols/adapter") &&
					!(i.from === "catalog/providers" && i.to === "protocols/demo/echo"),
			),
		).toEqual([]);
	});

	it("only the app, the routes and the API description import an ingress", () => {
		expect(
			breaches(
				(from) =>
					!inside("routes")(from) && !inside("ingress")(from) && from !== "app" && !inside("openapi")(from),
				(i) => inside("ingress")(i.to),
			),
		).toEqual([]);
	});

	it("Hono stays at the edge: the app, its middleware and the routes", () => {
		const edge = (from: string) =>
			inside("routes")(from) || ["app", "middleware", "auth/middleware", "errors"].includes(from);
		expect(
			breaches(
				(from) => !edge(from),
				(i) => isHono(i.to) && !i.typeOnly,
			),
		).toEqual([]);
	});
});
