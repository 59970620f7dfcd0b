#!/usr/bin/env node
// Copies the Scalar API reference UI (one self-contained script) from node_modules into public/,
// which wrangler serves as the Worker's static assets for the /docs page. Run by `npm run dev`,
// `npm run build` and before `npm run deploy`; the copy is git-ignored.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const source = path.join(root, "node_modules/@scalar/api-reference/dist/browser/standalone.js");
const target = path.join(root, "public/docs-assets/scalar-api-reference.js");

if (!existsSync(source)) {
	console.error(`Missing ${path.relative(root, source)}: run \`npm install\` (it is a devDependency).`);
	process.exit(1);
}
mkdirSync(path.dirname(target), { recursive: true });
copyFileSync(source, target);
