import * as z from "zod/mini";

/** What the admin API sets on a key; null means no limit of that kind. */
export const keyLimitsSchema = z.object({
	budget_usd: z.optional(z.nullable(z.number().check(z.positive()))),
	budget_period: z.optional(z.enum(["total", "monthly"])),
	rpm: z.optional(z.nullable(z.number().check(z.int(), z.positive()))),
	tpm: z.optional(z.nullable(z.number().check(z.int(), z.positive()))),
});

export interface KeyLimits {
	budgetUsd: number | null;
	budgetPeriod: "total" | "monthly";
	rpm: number | null;
	tpm: number | null;
}

export const hasLimits = (limits: KeyLimits) =>
	limits.budgetUsd !== null || limits.rpm !== null || limits.tpm !== null;

/** The budget period a moment falls in: "total", or the UTC calendar month as "2026-11". */
export function budgetPeriodOf(limits: KeyLimits, now: number): string {
	return limits.budgetPeriod === "monthly" ? new Date(now).toISOString().slice(0, 7) : "total";
}

/** Seconds until the next UTC month begins: when a spent monthly budget is available again. */
export function secondsToNextMonth(now: number): number {
	const date = new Date(now);
	const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
	return Math.ceil((next - now) / 1000);
}
