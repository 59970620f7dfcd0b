// The Usage screen: requests, tokens and cost per hour (last 24 hours) or per day (last 30 days),
// filtered by key and model; top keys and models by cost; error rate and latency per model; the most
// recent requests, paged.
import { allPages, api } from "./api.js";
import { barChart } from "./chart.js";
import {
	fmtCompact,
	fmtInt,
	fmtMs,
	fmtPct,
	fmtTime,
	fmtUsd,
	h,
	messageLine,
	orDash,
	showMessage,
	table,
} from "./dom.js";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const PAGE_SIZE = 20;
const TOP = 5;

/** Survives switching screens; the request pages start again at the newest each time. */
const state = { range: "24h", keyId: "", model: "" };

/** The window of a range and every group it holds, oldest first, labelled as the API labels them (UTC). */
export function windowOf(range, now = Date.now()) {
	if (range === "30d") {
		const to = Math.floor(now / DAY) * DAY + DAY;
		const from = to - 30 * DAY;
		const groups = Array.from({ length: 30 }, (_, i) => new Date(from + i * DAY).toISOString().slice(0, 10));
		return { groupBy: "day", from, to, groups, label: (group) => group.slice(5) };
	}
	const to = Math.floor(now / HOUR) * HOUR + HOUR;
	const from = to - 24 * HOUR;
	const groups = Array.from(
		{ length: 24 },
		(_, i) => `${new Date(from + i * HOUR).toISOString().slice(0, 13)}:00Z`,
	);
	return { groupBy: "hour", from, to, groups, label: (group) => group.slice(11, 16) };
}

/** The API lists only groups with rows: every other group of the window is zero. */
function filled(range, rows) {
	const byGroup = new Map(rows.map((row) => [row.group, row]));
	return range.groups.map((group) => {
		const row = byGroup.get(group);
		return {
			group,
			label: range.label(group),
			requests: row?.requests ?? 0,
			errors: row?.errors ?? 0,
			tokens: row?.total_tokens ?? 0,
			cost: row?.cost ?? 0,
		};
	});
}

const iso = (ms) => new Date(ms).toISOString();

export function mountUsage(view) {
	const generation = { current: 0 };
	const pages = { cursors: [null], index: 0 };

	const rangeButtons = {
		"24h": h("button", { type: "button", class: "segment", id: "usage-range-24h" }, "Last 24 hours"),
		"30d": h("button", { type: "button", class: "segment", id: "usage-range-30d" }, "Last 30 days"),
	};
	const keySelect = h("select", { id: "usage-key" }, h("option", { value: "" }, "All keys"));
	const modelSelect = h("select", { id: "usage-model" }, h("option", { value: "" }, "All models"));
	const refresh = h("button", { type: "button", class: "secondary", id: "usage-refresh" }, "Refresh");
	const message = messageLine("usage-message");
	const charts = {
		requests: h("div", { class: "chart-box", id: "chart-requests" }),
		tokens: h("div", { class: "chart-box", id: "chart-tokens" }),
		cost: h("div", { class: "chart-box", id: "chart-cost" }),
	};
	const chartHeading = h("p", { class: "muted chart-caption" });
	const topKeys = h("div", { id: "top-keys" });
	const topModels = h("div", { id: "top-models" });
	const modelStats = h("div", { id: "model-stats" });
	const recent = h("div", { id: "recent-requests" });
	const previous = h("button", { type: "button", class: "secondary", id: "requests-prev" }, "Previous");
	const next = h("button", { type: "button", class: "secondary", id: "requests-next" }, "Next");
	const pageLabel = h("span", { class: "muted" });

	view.replaceChildren(
		h(
			"div",
			{ class: "screen" },
			h("h1", {}, "Usage"),
			h(
				"div",
				{ class: "toolbar" },
				h(
					"div",
					{ class: "segmented", role: "group", "aria-label": "Time range" },
					Object.values(rangeButtons),
				),
				h("label", {}, "Key ", keySelect),
				h("label", {}, "Model ", modelSelect),
				refresh,
			),
			message,
			chartHeading,
			h(
				"div",
				{ class: "grid three" },
				h("section", { class: "card" }, h("h2", {}, "Requests"), charts.requests),
				h("section", { class: "card" }, h("h2", {}, "Tokens"), charts.tokens),
				h("section", { class: "card" }, h("h2", {}, "Cost (USD)"), charts.cost),
			),
			h(
				"div",
				{ class: "grid two" },
				h("section", { class: "card" }, h("h2", {}, "Top keys by cost"), topKeys),
				h("section", { class: "card" }, h("h2", {}, "Top models by cost"), topModels),
			),
			h("section", { class: "card" }, h("h2", {}, "Errors and latency per model"), modelStats),
			h(
				"section",
				{ class: "card" },
				h("h2", {}, "Recent requests"),
				recent,
				h("div", { class: "pager" }, previous, pageLabel, next),
			),
		),
	);

	const filters = () => ({ key_id: state.keyId, model: state.model });

	function markRange() {
		for (const [range, button] of Object.entries(rangeButtons)) {
			button.setAttribute("aria-pressed", String(range === state.range));
		}
	}

	async function loadOptions() {
		const [keys, models] = await Promise.allSettled([
			allPages("/admin/keys", { limit: 100 }),
			api("/admin/models"),
		]);
		if (keys.status === "fulfilled") {
			keySelect.append(
				...keys.value.map((key) =>
					h(
						"option",
						{ value: key.id, selected: key.id === state.keyId },
						`${key.name} (${key.prefix}…)${key.revoked_at ? " — revoked" : ""}`,
					),
				),
			);
		}
		if (models.status === "fulfilled") {
			modelSelect.append(
				...(models.value?.data ?? []).map((model) =>
					h("option", { value: model.id, selected: model.id === state.model }, model.id),
				),
			);
		}
		// A filter the lists no longer hold (a deleted key, say) is dropped rather than kept invisibly.
		if (keySelect.value !== state.keyId) state.keyId = keySelect.value;
		if (modelSelect.value !== state.model) state.model = modelSelect.value;
		const failed = [keys, models].find((result) => result.status === "rejected");
		if (failed) showMessage(message, `Could not load the filters: ${failed.reason.message}`);
	}

	async function loadSummary() {
		const mine = ++generation.current;
		const range = windowOf(state.range);
		const span = { from: iso(range.from), to: iso(range.to) };
		chartHeading.textContent = `${state.range === "24h" ? "Per hour" : "Per day"}, ${fmtTime(range.from).slice(0, 16)} to ${fmtTime(range.to).slice(0, 16)} UTC`;
		const results = await Promise.allSettled([
			api("/admin/usage", { query: { group_by: range.groupBy, ...span, ...filters() } }),
			api("/admin/usage", { query: { group_by: "key", ...span, ...filters() } }),
			api("/admin/usage", { query: { group_by: "model", ...span, ...filters() } }),
			api("/admin/usage/models", { query: { ...span, key_id: state.keyId } }),
		]);
		if (mine !== generation.current) return;
		const [series, byKey, byModel, stats] = results;
		const errors = results
			.filter((result) => result.status === "rejected")
			.map((result) => result.reason.message);
		showMessage(message, errors.length ? `Could not load usage: ${[...new Set(errors)].join("; ")}` : "");

		if (series.status === "fulfilled") {
			const points = filled(range, series.value?.data ?? []);
			charts.requests.replaceChildren(
				barChart({
					metric: "requests",
					title: "Requests",
					unit: "requests",
					integer: true,
					format: fmtInt,
					points: points.map((p) => ({
						group: p.group,
						label: p.label,
						value: p.requests,
						errors: p.errors,
					})),
				}),
			);
			charts.tokens.replaceChildren(
				barChart({
					metric: "tokens",
					title: "Tokens",
					unit: "tokens",
					integer: true,
					format: fmtCompact,
					points: points.map((p) => ({ group: p.group, label: p.label, value: p.tokens })),
				}),
			);
			charts.cost.replaceChildren(
				barChart({
					metric: "cost",
					title: "Cost",
					format: fmtUsd,
					points: points.map((p) => ({ group: p.group, label: p.label, value: p.cost })),
				}),
			);
		}
		if (byKey.status === "fulfilled") {
			topKeys.replaceChildren(topTable(byKey.value?.data ?? [], "Key", (row) => row.key_name ?? row.group));
		}
		if (byModel.status === "fulfilled") {
			topModels.replaceChildren(topTable(byModel.value?.data ?? [], "Model", (row) => row.group));
		}
		if (stats.status === "fulfilled") {
			// The endpoint filters by key only: the Model filter applies here, as everywhere on the screen.
			const rows = (stats.value?.data ?? [])
				.filter((row) => !state.model || row.model === state.model)
				.sort((a, b) => b.requests - a.requests);
			modelStats.replaceChildren(
				table({
					columns: ["Model", "Requests", "Errors", "Error rate", "p50 latency", "p95 latency", "Cost"],
					empty: "No requests in this range.",
					rows: rows.map((row) =>
						h(
							"tr",
							{ dataset: { model: row.model } },
							h("td", {}, row.model),
							h("td", { class: "num" }, fmtInt(row.requests)),
							h("td", { class: "num" }, fmtInt(row.errors)),
							h("td", { class: ["num", row.error_rate > 0 ? "bad" : ""] }, fmtPct(row.error_rate)),
							h("td", { class: "num" }, fmtMs(row.p50_latency_ms)),
							h("td", { class: "num" }, fmtMs(row.p95_latency_ms)),
							h("td", { class: "num" }, fmtUsd(row.cost)),
						),
					),
				}),
			);
		}
	}

	let requestsGeneration = 0;
	async function loadRequests() {
		const mine = ++requestsGeneration;
		previous.disabled = true;
		next.disabled = true;
		let answer;
		try {
			answer = await api("/admin/requests", {
				query: { limit: PAGE_SIZE, cursor: pages.cursors[pages.index], ...filters() },
			});
		} catch (error) {
			if (mine === requestsGeneration) {
				recent.replaceChildren(
					h("p", { class: "message error", role: "alert" }, `Could not load requests: ${error.message}`),
				);
			}
			return;
		}
		if (mine !== requestsGeneration) return;
		const rows = answer?.data ?? [];
		pages.cursors[pages.index + 1] = answer?.next_cursor ?? null;
		previous.disabled = pages.index === 0;
		next.disabled = !answer?.next_cursor;
		pageLabel.textContent = `Page ${pages.index + 1}`;
		recent.replaceChildren(
			table({
				className: "requests",
				columns: ["Time (UTC)", "Key", "Model", "Status", "Outcome", "Tokens", "Cost", "Latency", "Attempts"],
				empty: "No requests yet.",
				rows: rows.map((row) =>
					h(
						"tr",
						{ dataset: { id: row.id, outcome: row.outcome } },
						h("td", { class: "nowrap" }, fmtTime(row.created_at)),
						h("td", { title: row.key_id }, orDash(row.key_name ?? row.key_id)),
						h("td", {}, orDash(row.model)),
						h("td", { class: ["num", row.status >= 400 ? "bad" : "good"] }, orDash(row.status)),
						h(
							"td",
							{ class: row.outcome === "ok" ? "good" : "bad" },
							row.error_code ? `${row.outcome} (${row.error_code})` : orDash(row.outcome),
						),
						h(
							"td",
							{
								class: "num",
								title: `${fmtInt(row.prompt_tokens)} prompt + ${fmtInt(row.completion_tokens)} completion`,
							},
							fmtInt(row.total_tokens),
						),
						h("td", { class: "num" }, fmtUsd(row.cost_usd)),
						h(
							"td",
							{ class: "num", title: row.ttft_ms === null ? "" : `first token after ${fmtMs(row.ttft_ms)}` },
							fmtMs(row.latency_ms),
							row.streamed ? h("span", { class: "tag" }, "stream") : null,
						),
						h("td", { class: "num" }, fmtInt(row.attempts)),
					),
				),
			}),
		);
	}

	const reloadAll = () => {
		pages.cursors = [null];
		pages.index = 0;
		return Promise.all([loadSummary(), loadRequests()]);
	};

	for (const [range, button] of Object.entries(rangeButtons)) {
		button.addEventListener("click", () => {
			state.range = range;
			markRange();
			loadSummary();
		});
	}
	keySelect.addEventListener("change", () => {
		state.keyId = keySelect.value;
		reloadAll();
	});
	modelSelect.addEventListener("change", () => {
		state.model = modelSelect.value;
		reloadAll();
	});
	refresh.addEventListener("click", () => Promise.all([loadSummary(), loadRequests()]));
	previous.addEventListener("click", () => {
		if (pages.index === 0) return;
		pages.index -= 1;
		loadRequests();
	});
	next.addEventListener("click", () => {
		if (!pages.cursors[pages.index + 1]) return;
		pages.index += 1;
		loadRequests();
	});

	markRange();
	return loadOptions().then(reloadAll);
}

/** The top rows by cost, each with a bar of its share of the largest. */
function topTable(rows, label, name) {
	const top = [...rows].sort((a, b) => b.cost - a.cost || b.requests - a.requests).slice(0, TOP);
	const largest = Math.max(0, ...top.map((row) => row.cost));
	return table({
		columns: [label, "Requests", "Tokens", "Cost"],
		empty: "No requests in this range.",
		rows: top.map((row) => {
			const fill = h("span", { class: "share-fill" });
			fill.style.width = `${largest > 0 ? (row.cost / largest) * 100 : 0}%`;
			return h(
				"tr",
				{ dataset: { group: row.group } },
				h("td", {}, h("div", { class: "share-name" }, name(row)), h("div", { class: "share" }, fill)),
				h("td", { class: "num" }, fmtInt(row.requests)),
				h("td", { class: "num" }, fmtCompact(row.total_tokens)),
				h("td", { class: "num" }, fmtUsd(row.cost)),
			);
		}),
	});
}
