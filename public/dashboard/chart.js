// Bar charts drawn as plain SVG. Colours come from the stylesheet (classes reading CSS variables),
// so the charts follow light and dark mode. Each bar carries its numbers as data-* attributes and a
// <title> (the tooltip), for people and for tests alike.
import { svg } from "./dom.js";

const WIDTH = 400;
const HEIGHT = 210;
const MARGIN = { top: 12, right: 12, bottom: 30, left: 62 };
const TICKS = 4;

/** The smallest round step (1, 2, 2.5 or 5 × 10ⁿ; a whole number for counts) giving TICKS steps up to `value`. */
export function niceMax(value, integer) {
	if (!(value > 0)) return integer ? TICKS : 1;
	const raw = value / TICKS;
	const magnitude = 10 ** Math.floor(Math.log10(raw));
	const fraction = raw / magnitude;
	const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
	const step = integer
		? Math.max(1, Math.ceil(nice * magnitude))
		: Number((nice * magnitude).toPrecision(12));
	return step * TICKS;
}

/**
 * `points`: `[{ group, label, value, errors? }]` in order (`group` as the API names it, `label` for the
 * axis). `metric` names the chart (`data-metric`); `format` writes a value; `errors` (requests only)
 * are drawn over the bottom of their bar in the error colour.
 */
export function barChart({ metric, title, unit, points, format, integer = false }) {
	const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
	const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
	const max = niceMax(Math.max(0, ...points.map((point) => point.value)), integer);
	const y = (value) => MARGIN.top + plotHeight - (value / max) * plotHeight;
	const slot = plotWidth / Math.max(1, points.length);
	const barWidth = Math.max(1, slot * 0.72);
	const total = points.reduce((sum, point) => sum + point.value, 0);

	const root = svg("svg", {
		class: "chart",
		viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
		role: "img",
		"aria-label": `${title}: ${format(total)} in total`,
		dataset: { metric, total },
	});
	root.append(svg("title", {}, title));

	for (let tick = 0; tick <= TICKS; tick++) {
		const value = (max / TICKS) * tick;
		const at = y(value);
		root.append(
			svg("line", { class: "grid", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: at, y2: at }),
			svg(
				"text",
				{
					class: "axis-label",
					x: MARGIN.left - 6,
					y: at,
					"text-anchor": "end",
					"dominant-baseline": "middle",
				},
				format(value),
			),
		);
	}
	root.append(
		svg("line", {
			class: "axis",
			x1: MARGIN.left,
			x2: WIDTH - MARGIN.right,
			y1: MARGIN.top + plotHeight,
			y2: MARGIN.top + plotHeight,
		}),
	);

	// About eight labels along the x axis, whatever the number of bars.
	const labelEvery = Math.max(1, Math.ceil(points.length / 8));
	points.forEach((point, index) => {
		const x = MARGIN.left + slot * index + (slot - barWidth) / 2;
		const top = y(point.value);
		const tooltip = [`${point.label}: ${format(point.value)}${unit ? ` ${unit}` : ""}`];
		if (point.errors) tooltip.push(`${point.errors} failed`);
		const group = svg("g", {
			class: "bar-group",
			dataset: {
				group: point.group,
				value: point.value,
				...(point.errors === undefined ? {} : { errors: point.errors }),
			},
		});
		group.append(
			svg("title", {}, tooltip.join(", ")),
			// A transparent full-height target, so thin bars still show their tooltip.
			svg("rect", {
				class: "hit",
				x: MARGIN.left + slot * index,
				y: MARGIN.top,
				width: slot,
				height: plotHeight,
			}),
			svg("rect", { class: "bar", x, y: top, width: barWidth, height: MARGIN.top + plotHeight - top }),
		);
		if (point.errors) {
			const errorTop = y(point.errors);
			group.append(
				svg("rect", {
					class: "bar-error",
					x,
					y: errorTop,
					width: barWidth,
					height: MARGIN.top + plotHeight - errorTop,
				}),
			);
		}
		root.append(group);
		if (index % labelEvery === 0) {
			root.append(
				svg(
					"text",
					{
						class: "axis-label",
						x: x + barWidth / 2,
						y: HEIGHT - MARGIN.bottom + 16,
						"text-anchor": "middle",
					},
					point.label,
				),
			);
		}
	});
	return root;
}
