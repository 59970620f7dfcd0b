// The operator dashboard: sign-in with the admin token, then three screens behind hash routes
// (#usage, #keys, #models). Plain ES modules, no framework, no build step, served as static assets.
import { ApiError, api, session, setUnauthorizedHandler } from "./api.js";
import { showMessage } from "./dom.js";
import { mountKeys } from "./keys.js";
import { mountModels } from "./models.js";
import { mountUsage } from "./usage.js";

const screens = { usage: mountUsage, keys: mountKeys, models: mountModels };

const elements = {
	loading: document.getElementById("loading"),
	signIn: document.getElementById("sign-in"),
	form: document.getElementById("sign-in-form"),
	token: document.getElementById("token"),
	error: document.getElementById("sign-in-error"),
	tabs: document.getElementById("tabs"),
	signOut: document.getElementById("sign-out"),
	view: document.getElementById("view"),
};

const routeOf = () => {
	const name = window.location.hash.replace(/^#/, "");
	return Object.hasOwn(screens, name) ? name : "usage";
};

function showSignIn(message) {
	elements.loading.hidden = true;
	elements.view.hidden = true;
	elements.view.replaceChildren();
	elements.tabs.hidden = true;
	elements.signOut.hidden = true;
	elements.signIn.hidden = false;
	showMessage(elements.error, message ?? "");
	elements.token.value = "";
	elements.token.focus();
}

function showApp() {
	elements.loading.hidden = true;
	elements.signIn.hidden = true;
	elements.tabs.hidden = false;
	elements.signOut.hidden = false;
	elements.view.hidden = false;
	render();
}

function render() {
	if (!session.token()) return;
	const route = routeOf();
	for (const link of elements.tabs.querySelectorAll("a")) {
		if (link.dataset.route === route) link.setAttribute("aria-current", "page");
		else link.removeAttribute("aria-current");
	}
	document.title = `${route[0].toUpperCase()}${route.slice(1)} · AIGate dashboard`;
	elements.view.dataset.screen = route;
	elements.view.dataset.ready = "false";
	Promise.resolve(screens[route](elements.view)).finally(() => {
		if (elements.view.dataset.screen === route) elements.view.dataset.ready = "true";
	});
}

/** Checks a token against the admin API: null when accepted, else what to tell the operator. */
async function verify(token) {
	try {
		await api("/admin/keys", { query: { limit: 1 }, token });
		return null;
	} catch (error) {
		if (error instanceof ApiError && error.status === 401)
			return "That admin token was refused. Check it and try again.";
		if (error instanceof ApiError && error.status === 503)
			return `The admin API is disabled: ${error.message}`;
		return `Could not sign in: ${error.message}`;
	}
}

function signOut(message) {
	session.clear();
	showSignIn(message);
}

elements.form.addEventListener("submit", async (event) => {
	event.preventDefault();
	const token = elements.token.value.trim();
	if (!token) {
		showMessage(elements.error, "Enter the admin token.");
		return;
	}
	const button = elements.form.querySelector("button[type=submit]");
	button.disabled = true;
	showMessage(elements.error, "");
	const problem = await verify(token);
	button.disabled = false;
	if (problem) {
		showMessage(elements.error, problem);
		elements.token.select();
		return;
	}
	session.save(token);
	elements.token.value = "";
	showApp();
});

elements.signOut.addEventListener("click", () => signOut());
setUnauthorizedHandler(() => signOut("The admin token was refused (was it changed?): sign in again."));
window.addEventListener("hashchange", render);

// A token from earlier in this tab's session is checked again before any screen shows.
const stored = session.token();
if (stored) {
	verify(stored).then((problem) => {
		if (problem) signOut(problem);
		else showApp();
	});
} else {
	showSignIn();
}
