// DOM helpers of the dashboard. Every piece of text from the API goes through text nodes
// (`textContent`, `createTextNode`): nothing is ever parsed as HTML, so a key named
// `<img src=x onerror=…>` is shown as those characters. Styles are classes, or CSSOM
// (`element.style.width = …`), which the page's CSP allows; never a `style` attribute.

/**
 * Builds an element. `attrs`: `class`, `text` (its text), `dataset` (data-* values), `on<event>`
 * handlers, `hidden`/`disabled`/`checked`/`selected`/`required`/`value` as properties, anything else
 * as an attribute. Children: nodes, strings (as text), numbers; null, undefined and false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
	const element = document.createElement(tag);
	applyAttributes(element, attrs);
	append(element, children);
	return element;
}

const PROPERTIES = new Set(["hidden", "disabled", "checked", "selected", "required", "value", "open"]);

function applyAttributes(element, attrs) {
	for (const [name, value] of Object.entries(attrs ?? {})) {
		if (value === undefined || value === null || value === false) continue;
		if (name === "style") throw new Error("style attributes are blocked by the CSP: use a class");
		if (name === "text") element.textContent = String(value);
		else if (name === "class")
			element.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
		else if (name === "dataset") {
			for (const [key, item] of Object.entries(value)) {
				if (item !== undefined && item !== null) element.dataset[key] = String(item);
			}
		} else if (name.startsWith("on") && typeof value === "function") {
			element.addEventListener(name.slice(2), value);
		} else if (PROPERTIES.has(name)) element[name] = value;
		else element.setAttribute(name, value === true ? "" : String(value));
	}
}

/** Appends children (nested arrays flattened), strings and numbers as text nodes. */
export function append(parent, children) {
	for (const child of children.flat(Infinity)) {
		if (child === null || child === undefined || child === false) continue;
		parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
	}
	return parent;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element; attributes as given (`class` included), children as for `h`. */
export function svg(tag, attrs = {}, ...children) {
	const element = document.createElementNS(SVG_NS, tag);
	for (const [name, value] of Object.entries(attrs)) {
		if (value === undefined || value === null) continue;
		if (name === "style") throw new Error("style attributes are blocked by the CSP: use a class");
		if (name === "dataset") {
			for (const [key, item] of Object.entries(value)) element.dataset[key] = String(item);
		} else element.setAttribute(name, String(value));
	}
	append(element, children);
	return element;
}

/** A message line in a screen: `kind` is "error", "ok" or "muted"; an empty message hides it. */
export function showMessage(element, message, kind = "error") {
	element.textContent = message ?? "";
	element.className = `message ${kind}`;
	element.hidden = !message;
}

/** A `<p role="alert">` for a section's messages, hidden until used. */
/** A labelled form field: its label, the input, and an optional hint below it. */
export const field = (label, input, hint) =>
	h(
		"div",
		{ class: "field" },
		h("label", { for: input.id }, label),
		input,
		hint ? h("small", { class: "muted" }, hint) : null,
	);

export const messageLine = (id) => h("p", { id, class: "message", role: "alert", hidden: true });

/** Empty cells read as a dash. */
const dash = "—";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export const fmtInt = (value) => (value === null || value === undefined ? dash : integer.format(value));
export const fmtCompact = (value) => (value === null || value === undefined ? dash : compact.format(value));

/** USD with enough decimals for a fraction of a cent: $12.34, $0.0123, $0.000058. */
export function fmtUsd(value) {
	if (value === null || value === undefined) return dash;
	const abs = Math.abs(value);
	if (abs === 0) return "$0";
	if (abs >= 1) return `$${value.toFixed(2)}`;
	// At least two significant digits, never in exponent notation, no trailing zeros past the cents.
	const decimals = Math.min(12, Math.max(4, 1 - Math.floor(Math.log10(abs))));
	return `$${value.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, "$1")}`;
}

/** A price in USD per million tokens. */
export const fmtPrice = (value) => (value === null || value === undefined ? dash : `$${Number(value)}`);

export function fmtMs(value) {
	if (value === null || value === undefined) return dash;
	return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${integer.format(value)} ms`;
}

export const fmtPct = (value) =>
	value === null || value === undefined
		? dash
		: `${(value * 100).toFixed(value > 0 && value < 0.01 ? 2 : 1)}%`;

/** `2026-12-07 14:03:22` (UTC) from an ISO time or milliseconds. */
export function fmtTime(value) {
	if (value === null || value === undefined) return dash;
	const date = new Date(value);
	if (Number.isNaN(date.getTime())) return String(value);
	return date.toISOString().slice(0, 19).replace("T", " ");
}

export const orDash = (value) => (value === null || value === undefined || value === "" ? dash : value);

/**
 * Asks through the page's `<dialog id="confirm-dialog">` (not `window.confirm`). Resolves true when
 * the confirming button was pressed, false on Cancel or Escape.
 */
export function confirmDialog({ title, message, confirmLabel }) {
	const dialog = document.getElementById("confirm-dialog");
	const ok = document.getElementById("confirm-ok");
	const cancel = document.getElementById("confirm-cancel");
	document.getElementById("confirm-title").textContent = title;
	document.getElementById("confirm-message").textContent = message;
	ok.textContent = confirmLabel;
	return new Promise((resolve) => {
		const onOk = () => dialog.close("confirm");
		const onCancel = () => dialog.close("cancel");
		const onClose = () => {
			ok.removeEventListener("click", onOk);
			cancel.removeEventListener("click", onCancel);
			resolve(dialog.returnValue === "confirm");
		};
		ok.addEventListener("click", onOk);
		cancel.addEventListener("click", onCancel);
		dialog.addEventListener("close", onClose, { once: true });
		dialog.returnValue = "";
		dialog.showModal();
		cancel.focus();
	});
}

/** `"a, b ,c"` → `["a", "b", "c"]`; an empty text → null (no list). */
export function listFrom(text) {
	const items = text
		.split(",")
		.map((item) => item.trim())
		.filter(Boolean);
	return items.length ? items : null;
}

/** A number input's value: null when empty. */
export function numberFrom(input) {
	const text = input.value.trim();
	return text === "" ? null : Number(text);
}

/** A table with a header row; `rows` are arrays of cells (nodes or text) or ready `<tr>` elements. */
export function table({ columns, rows, empty, className }) {
	const head = h(
		"thead",
		{},
		h(
			"tr",
			{},
			columns.map((column) => h("th", { scope: "col" }, column)),
		),
	);
	const body = h("tbody");
	for (const row of rows)
		body.append(
			row instanceof Node
				? row
				: h(
						"tr",
						{},
						row.map((cell) => h("td", {}, cell)),
					),
		);
	if (rows.length === 0 && empty) {
		body.append(h("tr", { class: "empty" }, h("td", { colspan: columns.length }, empty)));
	}
	return h("div", { class: "table-wrap" }, h("table", { class: className }, head, body));
}
