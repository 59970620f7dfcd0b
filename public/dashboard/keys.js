// The Keys screen: the keys, paged and searchable, each with its spend against its budget; a form to
// create one (its secret shown once); editing a key's name, allow-list and limits; revoking one.
import { api } from "./api.js";
import {
	confirmDialog,
	field,
	fmtInt,
	fmtTime,
	fmtUsd,
	h,
	listFrom,
	messageLine,
	numberFrom,
	showMessage,
	table,
} from "./dom.js";

const PAGE_SIZE = 20;

/** The inputs of a key's settings, for the create form and the edit dialog alike. */
function keyFields(prefix, key) {
	const inputs = {
		name: h("input", {
			id: `${prefix}-name`,
			type: "text",
			required: true,
			maxlength: 200,
			value: key?.name ?? "",
		}),
		models: h("input", {
			id: `${prefix}-models`,
			type: "text",
			placeholder: "every model",
			value: key?.models?.join(", ") ?? "",
		}),
		rpm: h("input", {
			id: `${prefix}-rpm`,
			type: "number",
			min: 1,
			step: 1,
			placeholder: "no limit",
			value: key?.rpm ?? "",
		}),
		tpm: h("input", {
			id: `${prefix}-tpm`,
			type: "number",
			min: 1,
			step: 1,
			placeholder: "no limit",
			value: key?.tpm ?? "",
		}),
		budget: h("input", {
			id: `${prefix}-budget`,
			type: "number",
			min: 0,
			step: "any",
			placeholder: "no budget",
			value: key?.budget_usd ?? "",
		}),
		period: h(
			"select",
			{ id: `${prefix}-period` },
			h("option", { value: "total", selected: key?.budget_period !== "monthly" }, "in total"),
			h("option", { value: "monthly", selected: key?.budget_period === "monthly" }, "per month (UTC)"),
		),
	};
	// The API takes any budget above $0 (budget_usd is positive); min is inclusive, so 0 is refused here.
	inputs.budget.addEventListener("input", () => {
		const zero = inputs.budget.value.trim() !== "" && Number(inputs.budget.value) <= 0;
		inputs.budget.setCustomValidity(
			zero ? "A budget must be more than $0; leave it empty for no budget." : "",
		);
	});
	const fields = h(
		"div",
		{ class: "fields" },
		field("Name", inputs.name),
		field("Allowed models", inputs.models, "catalog ids, comma-separated; empty: every model"),
		field("Requests per minute", inputs.rpm),
		field("Tokens per minute", inputs.tpm),
		field("Budget (USD)", inputs.budget),
		field("Budget period", inputs.period),
	);
	const values = () => ({
		name: inputs.name.value.trim(),
		models: listFrom(inputs.models.value),
		rpm: numberFrom(inputs.rpm),
		tpm: numberFrom(inputs.tpm),
		budget_usd: numberFrom(inputs.budget),
		budget_period: inputs.period.value,
	});
	return { fields, inputs, values };
}

/**
 * A key's spend against its budget, as a bar (the text says the numbers): what its limiter booked,
 * which the budget is enforced against, else (no budget, revoked, limiter unreadable) its usage rows'.
 */
function budgetCell(key) {
	const spent = key.budget_spent_usd ?? key.spent_usd ?? 0;
	if (key.budget_usd === null || key.budget_usd === undefined) {
		return h(
			"td",
			{ class: "budget", dataset: { spent } },
			h("span", { class: "muted" }, `${fmtUsd(spent)} spent, no budget`),
		);
	}
	const share = key.budget_usd > 0 ? spent / key.budget_usd : 1;
	const fill = h("span", { class: "meter-fill" });
	fill.style.width = `${Math.min(100, share * 100)}%`;
	return h(
		"td",
		{ class: "budget", dataset: { spent, budget: key.budget_usd } },
		h(
			"div",
			{
				class: ["meter", share >= 1 ? "over" : share >= 0.8 ? "warn" : ""],
				role: "progressbar",
				"aria-label": `Spend of ${key.name}`,
				"aria-valuemin": 0,
				"aria-valuemax": key.budget_usd,
				"aria-valuenow": spent,
			},
			fill,
		),
		h(
			"small",
			{},
			`${fmtUsd(spent)} of ${fmtUsd(key.budget_usd)} ${key.budget_period === "monthly" ? "this month" : "in total"}`,
		),
	);
}

export function mountKeys(view) {
	const pages = { cursors: [null], index: 0 };
	const create = keyFields("new-key");
	const createMessage = messageLine("create-key-message");
	const createForm = h(
		"form",
		{ id: "create-key-form", class: "card", autocomplete: "off" },
		h("h2", {}, "Create a key"),
		create.fields,
		h("div", { class: "actions" }, h("button", { type: "submit" }, "Create key")),
		createMessage,
	);
	const secretSlot = h("div");
	const search = h("input", {
		id: "keys-search",
		type: "search",
		placeholder: "Search by name or prefix",
		"aria-label": "Search keys",
	});
	const listMessage = messageLine("keys-message");
	const list = h("div", { id: "keys-list" });
	const previous = h("button", { type: "button", class: "secondary", id: "keys-prev" }, "Previous");
	const next = h("button", { type: "button", class: "secondary", id: "keys-next" }, "Next");
	const pageLabel = h("span", { class: "muted" });

	view.replaceChildren(
		h(
			"div",
			{ class: "screen" },
			h("h1", {}, "Keys"),
			createForm,
			secretSlot,
			h(
				"section",
				{ class: "card" },
				h("div", { class: "card-head" }, h("h2", {}, "Keys"), search),
				listMessage,
				list,
				h("div", { class: "pager" }, previous, pageLabel, next),
			),
		),
	);

	let listGeneration = 0;
	async function loadList() {
		const mine = ++listGeneration;
		previous.disabled = true;
		next.disabled = true;
		let answer;
		try {
			answer = await api("/admin/keys", {
				query: { limit: PAGE_SIZE, cursor: pages.cursors[pages.index], q: search.value.trim() },
			});
		} catch (error) {
			if (mine === listGeneration) showMessage(listMessage, `Could not load the keys: ${error.message}`);
			return;
		}
		if (mine !== listGeneration) return;
		showMessage(listMessage, "");
		pages.cursors[pages.index + 1] = answer?.next_cursor ?? null;
		previous.disabled = pages.index === 0;
		next.disabled = !answer?.next_cursor;
		pageLabel.textContent = `Page ${pages.index + 1}`;
		list.replaceChildren(
			table({
				className: "keys",
				columns: ["Name", "Prefix", "Models", "rpm", "tpm", "Spend", "Created (UTC)", "Status", ""],
				empty: search.value.trim() ? "No key matches." : "No keys yet: create one above.",
				rows: (answer?.data ?? []).map(keyRow),
			}),
		);
	}

	function keyRow(key) {
		const revoked = Boolean(key.revoked_at);
		const edit = h("button", { type: "button", class: "secondary small", disabled: revoked }, "Edit");
		const revoke = h("button", { type: "button", class: "danger small", disabled: revoked }, "Revoke");
		edit.addEventListener("click", () => editKey(key));
		revoke.addEventListener("click", () => revokeKey(key));
		return h(
			"tr",
			{ dataset: { keyId: key.id }, class: revoked ? "revoked" : "" },
			h("td", { class: "key-name" }, key.name),
			h("td", {}, h("code", {}, `${key.prefix}…`)),
			h("td", { class: "models" }, key.models ? key.models.join(", ") : h("span", { class: "muted" }, "all")),
			h("td", { class: "num" }, fmtInt(key.rpm)),
			h("td", { class: "num" }, fmtInt(key.tpm)),
			budgetCell(key),
			h("td", { class: "nowrap" }, fmtTime(key.created_at)),
			h(
				"td",
				{ class: ["status", revoked ? "bad" : "good"] },
				revoked ? `Revoked ${fmtTime(key.revoked_at)}` : "Active",
			),
			h("td", { class: "row-actions" }, edit, revoke),
		);
	}

	/** The secret, once: removed from the page (and from memory, with the panel) when dismissed. */
	function showSecret(created) {
		const copied = h("span", { class: "muted", role: "status" });
		const copy = h("button", { type: "button", id: "copy-key" }, "Copy");
		const dismiss = h("button", { type: "button", class: "secondary", id: "dismiss-key" }, "Done, hide it");
		const panel = h(
			"section",
			{ class: "card secret", id: "new-key-panel", "aria-labelledby": "new-key-title" },
			h("h2", { id: "new-key-title" }, "New key: ", created.name),
			h(
				"p",
				{},
				"Copy it now: this is the only time it is shown. The gateway keeps only its hash; a lost key cannot be shown again, only revoked and replaced.",
			),
			h("code", { class: "secret-value", id: "new-key-secret" }, created.key),
			h("div", { class: "actions" }, copy, dismiss, copied),
		);
		copy.addEventListener("click", async () => {
			try {
				await navigator.clipboard.writeText(created.key);
				copied.textContent = "Copied to the clipboard.";
			} catch {
				copied.textContent = "Could not copy: select the key and copy it by hand.";
			}
		});
		dismiss.addEventListener("click", () => {
			panel.remove();
			created.key = "";
		});
		secretSlot.replaceChildren(panel);
		copy.focus();
	}

	createForm.addEventListener("submit", async (event) => {
		event.preventDefault();
		const submit = createForm.querySelector("button[type=submit]");
		submit.disabled = true;
		showMessage(createMessage, "");
		try {
			const body = Object.fromEntries(Object.entries(create.values()).filter(([, value]) => value !== null));
			const created = await api("/admin/keys", { method: "POST", body });
			createForm.reset();
			showSecret(created);
			pages.cursors = [null];
			pages.index = 0;
			await loadList();
		} catch (error) {
			showMessage(createMessage, `Could not create the key: ${error.message}`);
		} finally {
			submit.disabled = false;
		}
	});

	function editKey(key) {
		const edit = keyFields("edit-key", key);
		const message = messageLine("edit-key-message");
		const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
		const save = h("button", { type: "submit" }, "Save");
		const form = h(
			"form",
			{ autocomplete: "off" },
			edit.fields,
			message,
			h("div", { class: "actions" }, cancel, save),
		);
		const dialog = h(
			"dialog",
			{ class: "dialog wide", id: "edit-key-dialog", "aria-labelledby": "edit-key-title" },
			h("h2", { id: "edit-key-title" }, "Edit key ", h("code", {}, `${key.prefix}…`)),
			form,
		);
		cancel.addEventListener("click", () => dialog.close());
		dialog.addEventListener("close", () => dialog.remove());
		form.addEventListener("submit", async (event) => {
			event.preventDefault();
			save.disabled = true;
			try {
				await api(`/admin/keys/${encodeURIComponent(key.id)}`, { method: "PATCH", body: edit.values() });
				dialog.close();
				await loadList();
			} catch (error) {
				showMessage(message, `Could not save: ${error.message}`);
			} finally {
				save.disabled = false;
			}
		});
		document.body.append(dialog);
		dialog.showModal();
		edit.inputs.name.focus();
	}

	async function revokeKey(key) {
		const confirmed = await confirmDialog({
			title: "Revoke this key?",
			message: `Key “${key.name}” (${key.prefix}…) will be refused from its next request on (within about 90 seconds everywhere). This cannot be undone.`,
			confirmLabel: "Revoke",
		});
		if (!confirmed) return;
		try {
			await api(`/admin/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
			await loadList();
			showMessage(listMessage, `Revoked “${key.name}”.`, "ok");
		} catch (error) {
			showMessage(listMessage, `Could not revoke the key: ${error.message}`);
		}
	}

	let searchTimer = 0;
	search.addEventListener("input", () => {
		clearTimeout(searchTimer);
		searchTimer = setTimeout(() => {
			pages.cursors = [null];
			pages.index = 0;
			loadList();
		}, 250);
	});
	previous.addEventListener("click", () => {
		if (pages.index === 0) return;
		pages.index -= 1;
		loadList();
	});
	next.addEventListener("click", () => {
		if (!pages.cursors[pages.index + 1]) return;
		pages.index += 1;
		loadList();
	});

	return loadList();
}
