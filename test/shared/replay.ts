import { inject, it, type TestFunction } from "vitest";
import "./provided";

/**
 * Tests that replay recorded provider responses (../shared/fixtures, see test/fakes/fixtures.ts).
 * Where the folder is absent, as in a user's own clone, each one is reported as skipped with the
 * reason (`vitest --reporter=verbose` prints it beside the test; global-setup logs it once).
 */
export const fixtures = inject("fixtures");

export function replayIt(name: string, fn: TestFunction, timeout?: number): void {
	if (fixtures.available) it(name, fn, timeout);
	else it(name, (ctx) => ctx.skip(`recorded responses: ${fixtures.reason}`));
}
