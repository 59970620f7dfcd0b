import type { Context } from "hono";
import type { AppEnv } from "../env";

/**
 * The Scalar API reference UI, served from this Worker's own static assets (public/, filled by
 * scripts/copy-docs-assets.mjs) so the page loads nothing from any other host.
 */
export const DOCS_SCRIPT = "/docs-assets/scalar-api-reference.js";

const configuration = {
	withDefaultFonts: false,
	telemetry: false,
	hideClientButton: true,
	showDeveloperTools: "never",
	documentDownloadType: "json",
	agent: { disabled: true },
};

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AIGate API reference</title>
</head>
<body>
<script id="api-reference" type="application/json" data-url="/openapi.json" data-configuration="${JSON.stringify(configuration).replaceAll('"', "&quot;")}"></script>
<script src="${DOCS_SCRIPT}"></script>
</body>
</html>
`;

/** The UI injects its styles at run time; everything else comes from this origin only. */
const CONTENT_SECURITY_POLICY = [
	"default-src 'none'",
	"script-src 'self'",
	"style-src 'self' 'unsafe-inline'",
	"connect-src 'self'",
	"img-src 'self' data:",
	"font-src 'self' data:",
	"base-uri 'none'",
	"form-action 'none'",
	"frame-ancestors 'none'",
].join("; ");

/** `GET /docs`: the interactive API reference, reading `/openapi.json`. */
export function docsPage(c: Context<AppEnv>): Response {
	return c.html(page, 200, { "content-security-policy": CONTENT_SECURITY_POLICY });
}
