import { describe, expect, it } from "vitest";
import { devArgs, migrateArgs } from "../../scripts/dev-args.mjs";

const MIGRATE = ["d1", "migrations", "apply", "DB", "--local"];

describe("npm run dev: wrangler arguments", () => {
	it("uses the script's defaults when the user gives nothing", () => {
		expect(devArgs([], {})).toEqual(["dev", "--port", "8787", "--ip", "127.0.0.1"]);
		expect(migrateArgs([], {})).toEqual(MIGRATE);
	});

	it("takes PORT and PERSIST_DIR from the environment", () => {
		const env = { PORT: "9000", PERSIST_DIR: "/tmp/state" };
		expect(devArgs([], env)).toEqual([
			"dev",
			"--port",
			"9000",
			"--ip",
			"127.0.0.1",
			"--persist-to",
			"/tmp/state",
		]);
		expect(migrateArgs([], env)).toEqual([...MIGRATE, "--persist-to", "/tmp/state"]);
	});

	it("lets the user's --port replace the default, in either spelling", () => {
		expect(devArgs(["--port", "8799"], {})).toEqual(["dev", "--ip", "127.0.0.1", "--port", "8799"]);
		expect(devArgs(["--port=8799"], { PORT: "9000" })).toEqual(["dev", "--ip", "127.0.0.1", "--port=8799"]);
	});

	it("lets the user's --ip replace the default", () => {
		expect(devArgs(["--ip", "0.0.0.0"], {})).toEqual(["dev", "--port", "8787", "--ip", "0.0.0.0"]);
		expect(devArgs(["--ip=0.0.0.0"], {})).toEqual(["dev", "--port", "8787", "--ip=0.0.0.0"]);
	});

	it("passes --var and other arguments through unchanged and in order", () => {
		const user = ["--var", "DEMO_MODEL:off", "--var", "LOG_REQUESTS:on", "--log-level", "debug"];
		expect(devArgs(user, {})).toEqual(["dev", "--port", "8787", "--ip", "127.0.0.1", ...user]);
		expect(migrateArgs(user, {})).toEqual(MIGRATE);
	});

	it("does not take --inspector-port or a var's value for --port", () => {
		const user = ["--inspector-port", "9229", "--var", "NOTE:--port"];
		expect(devArgs(user, {})).toEqual(["dev", "--port", "8787", "--ip", "127.0.0.1", ...user]);
	});

	it("sends the user's --persist-to to both commands, over PERSIST_DIR", () => {
		const env = { PERSIST_DIR: "/tmp/state" };
		expect(devArgs(["--persist-to", "./mine"], env)).toEqual([
			"dev",
			"--port",
			"8787",
			"--ip",
			"127.0.0.1",
			"--persist-to",
			"./mine",
		]);
		expect(migrateArgs(["--persist-to", "./mine"], env)).toEqual([...MIGRATE, "--persist-to", "./mine"]);
		expect(migrateArgs(["--var", "A:b", "--persist-to=./mine", "--port", "1"], env)).toEqual([
			...MIGRATE,
			"--persist-to=./mine",
		]);
		expect(migrateArgs(["--persistTo", "./mine"], {})).toEqual([...MIGRATE, "--persistTo", "./mine"]);
	});

	it("leaves what follows a lone -- to wrangler as it is", () => {
		const user = ["--", "--port", "1"];
		expect(devArgs(user, {})).toEqual(["dev", "--port", "8787", "--ip", "127.0.0.1", ...user]);
		expect(migrateArgs(["--", "--persist-to", "x"], {})).toEqual(MIGRATE);
	});

	it("hands a --port without a value to wrangler, which reports it", () => {
		expect(devArgs(["--port"], {})).toEqual(["dev", "--ip", "127.0.0.1", "--port"]);
	});
});
