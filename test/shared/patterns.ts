/**
 * Shapes the gateway promises, asserted by worker and e2e tests alike.
 */

/** A request id (x-request-id, and the `id` of completions): `gate-`, the time in base 36, 20 random characters. */
export const GATE_ID = /^gate-[0-9a-z]{9}[A-Za-z0-9_-]{20}$/;
