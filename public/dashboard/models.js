// The Models screen: the catalog with a switch per model (PATCH enabled), prices, fallbacks and kind;
// a form adding a model of a configured OpenAI-protocol provider (PUT /admin/models/{provider}/{name}).
import { api, modelPath } from "./api.js";
import {
	confirmDialog,
	field,
	fmtPrice,
	h,
	listFrom,
	messageLine,
	numberFrom,
	showMessage,
	table,
} from "./dom.js";

/** The one model the API refuses to change (src/catalog/models.ts, isBuiltInModel). */
const BUILT_IN_MODEL = "demo/echo";

export function mountModels(view) {
	let catalog = [];
	const message = messageLine("models-message");
	const filter = h("input", {
		id: "models-filter",
		type: "search",
		placeholder: "Filter by id, provider or kind",
		"aria-label": "Filter models",
	});
	const list = h("div", { id: "models-list" });

	const inputs = {
		provider: h("select", { id: "model-provider", required: true }),
		name: h("input", { id: "model-name", type: "text", required: true, placeholder: "e.g. llama-3.3-70b" }),
		upstream: h("input", { id: "model-upstream", type: "text", placeholder: "the name, if empty" }),
		kind: h(
			"select",
			{ id: "model-kind" },
			h("option", { value: "chat" }, "chat"),
			h("option", { value: "embeddings" }, "embeddings"),
			h("option", { value: "image" }, "image"),
		),
		input: h("input", { id: "model-input-price", type: "number", min: 0, step: "any", required: true }),
		output: h("input", { id: "model-output-price", type: "number", min: 0, step: "any", required: true }),
		cached: h("input", {
			id: "model-cached-price",
			type: "number",
			min: 0,
			step: "any",
			placeholder: "input price",
		}),
		maxOutput: h("input", { id: "model-max-output", type: "number", min: 1, step: 1, placeholder: "8192" }),
		fallbacks: h("input", { id: "model-fallbacks", type: "text", placeholder: "none" }),
		enabled: h("input", { id: "model-enabled", type: "checkbox", checked: true }),
	};
	const formMessage = messageLine("add-model-message");
	const addForm = h(
		"form",
		{ id: "add-model-form", class: "card", autocomplete: "off" },
		h("h2", {}, "Add an OpenAI-protocol model"),
		h(
			"p",
			{ class: "muted" },
			"For a provider of PROVIDERS (or OpenAI itself) whose key is set. Prices are USD per million tokens. Saving an existing id replaces it.",
		),
		h(
			"div",
			{ class: "fields" },
			field("Provider", inputs.provider),
			field("Name", inputs.name, "the id becomes provider/name"),
			field("Upstream model", inputs.upstream, "what the provider calls it"),
			field("Kind", inputs.kind),
			field("Input price", inputs.input),
			field("Output price", inputs.output),
			field("Cached input price", inputs.cached),
			field("Max output tokens", inputs.maxOutput),
			field("Fallbacks", inputs.fallbacks, "model ids, comma-separated"),
			h(
				"div",
				{ class: "field checkbox" },
				h("label", { for: inputs.enabled.id }, inputs.enabled, " Enabled"),
			),
		),
		h("div", { class: "actions" }, h("button", { type: "submit" }, "Save model")),
		formMessage,
	);

	view.replaceChildren(
		h(
			"div",
			{ class: "screen" },
			h("h1", {}, "Models"),
			h(
				"section",
				{ class: "card" },
				h("div", { class: "card-head" }, h("h2", {}, "Catalog"), filter),
				message,
				list,
			),
			addForm,
		),
	);

	function render() {
		const needle = filter.value.trim().toLowerCase();
		const shown = needle
			? catalog.filter((model) =>
					`${model.id} ${model.provider} ${model.kind}`.toLowerCase().includes(needle),
				)
			: catalog;
		list.replaceChildren(
			table({
				className: "models",
				columns: [
					"Enabled",
					"Model",
					"Kind",
					"Upstream model",
					"Input $/1M",
					"Output $/1M",
					"Cached input $/1M",
					"Fallbacks",
				],
				empty: needle ? "No model matches." : "The catalog is empty.",
				rows: shown.map(modelRow),
			}),
		);
	}

	function modelRow(model) {
		const toggle = h("input", {
			type: "checkbox",
			role: "switch",
			class: "switch",
			checked: model.enabled,
			"aria-label": `Enabled: ${model.id}`,
		});
		// The demo model is built in (DEMO_MODEL), not a catalog row: it has no switch to flip. Catalog
		// rows of the demo provider are models like any other (the API refuses only demo/echo).
		if (model.id === BUILT_IN_MODEL) {
			toggle.disabled = true;
			toggle.title = "Built in: DEMO_MODEL turns it on or off";
		}
		const row = h(
			"tr",
			{ dataset: { modelId: model.id }, class: model.enabled ? "" : "disabled" },
			h("td", {}, toggle),
			h("td", { class: "model-id" }, model.id),
			h("td", {}, h("span", { class: ["tag", `kind-${model.kind}`] }, model.kind)),
			h("td", { class: "upstream" }, model.upstream_model),
			h("td", { class: "num" }, fmtPrice(model.input_price)),
			h("td", { class: "num" }, fmtPrice(model.output_price)),
			h("td", { class: "num" }, fmtPrice(model.cached_input_price)),
			h(
				"td",
				{ class: "fallbacks" },
				model.fallbacks?.length ? model.fallbacks.join(", ") : h("span", { class: "muted" }, "none"),
			),
		);
		toggle.addEventListener("change", async () => {
			const enabled = toggle.checked;
			toggle.disabled = true;
			try {
				const saved = await api(modelPath(model.id), { method: "PATCH", body: { enabled } });
				model.enabled = saved?.enabled ?? enabled;
				toggle.checked = model.enabled;
				row.classList.toggle("disabled", !model.enabled);
				showMessage(message, `${model.id} ${model.enabled ? "enabled" : "disabled"}.`, "ok");
			} catch (error) {
				toggle.checked = !enabled;
				showMessage(message, `Could not change ${model.id}: ${error.message}`);
			} finally {
				toggle.disabled = false;
			}
		});
		return row;
	}

	async function loadCatalog() {
		try {
			catalog = (await api("/admin/models"))?.data ?? [];
			render();
		} catch (error) {
			showMessage(message, `Could not load the catalog: ${error.message}`);
		}
	}

	async function loadProviders() {
		let providers = [];
		try {
			providers = ((await api("/admin/providers"))?.data ?? []).filter(
				(provider) => provider.protocol === "openai" && provider.configured,
			);
			// The built-in echo upstream (DEMO_MODEL) last: a real provider is the likelier choice.
			providers.sort((a, b) => Number(a.name === "demo") - Number(b.name === "demo"));
		} catch (error) {
			showMessage(formMessage, `Could not load the providers: ${error.message}`);
		}
		inputs.provider.replaceChildren(
			...providers.map((provider) => h("option", { value: provider.name }, provider.name)),
		);
		const none = providers.length === 0;
		for (const element of addForm.elements) element.disabled = none;
		if (none && formMessage.hidden) {
			showMessage(
				formMessage,
				"No OpenAI-protocol provider is configured: add one to PROVIDERS and set its key secret.",
				"muted",
			);
		}
	}

	addForm.addEventListener("submit", async (event) => {
		event.preventDefault();
		const provider = inputs.provider.value;
		const name = inputs.name.value.trim();
		const id = `${provider}/${name}`;
		const body = {
			provider,
			upstream_model: inputs.upstream.value.trim() || name,
			enabled: inputs.enabled.checked,
			kind: inputs.kind.value,
			input_price: numberFrom(inputs.input),
			output_price: numberFrom(inputs.output),
		};
		const cached = numberFrom(inputs.cached);
		if (cached !== null) body.cached_input_price = cached;
		const maxOutput = numberFrom(inputs.maxOutput);
		if (maxOutput !== null) body.max_output_tokens = maxOutput;
		const fallbacks = listFrom(inputs.fallbacks.value);
		if (fallbacks) body.fallbacks = fallbacks;
		if (catalog.some((model) => model.id === id)) {
			const replace = await confirmDialog({
				title: "Replace this model?",
				message: `${id} is already in the catalog. Saving replaces all of its settings.`,
				confirmLabel: "Replace",
			});
			if (!replace) return;
		}
		const submit = addForm.querySelector("button[type=submit]");
		submit.disabled = true;
		try {
			const saved = await api(modelPath(id), { method: "PUT", body });
			showMessage(formMessage, `Saved ${saved?.id ?? id}.`, "ok");
			addForm.reset();
			inputs.enabled.checked = true;
			await loadCatalog();
		} catch (error) {
			showMessage(formMessage, `Could not save ${id}: ${error.message}`);
		} finally {
			submit.disabled = false;
		}
	});
	filter.addEventListener("input", render);

	return Promise.all([loadCatalog(), loadProviders()]);
}
