import { InvalidArgumentError } from "../domain/errors.js";

/** How a feed waits between reconnect attempts. */
export interface ReconnectBackoff {
  /** The delay before the first attempt, ms, before jitter (default 1,000). */
  readonly initialMs: number;
  /** The cap on one delay, ms (default 30,000). */
  readonly maxMs: number;
}

/** 1 s doubling up to 30 s. */
export const DEFAULT_RECONNECT: ReconnectBackoff = { initialMs: 1_000, maxMs: 30_000 };

/** Throws `InvalidArgumentError` unless `0 < initialMs <= maxMs`; returns the filled-in policy. */
export function checkReconnect(partial: Partial<ReconnectBackoff> | undefined): ReconnectBackoff {
  const b = { ...DEFAULT_RECONNECT, ...partial };
  if (!(b.initialMs > 0) || !(b.maxMs >= b.initialMs) || !Number.isFinite(b.maxMs)) {
    throw new InvalidArgumentError(
      `reconnect needs 0 < initialMs <= maxMs (finite), got initialMs ${b.initialMs}, maxMs ${b.maxMs}`,
    );
  }
  return b;
}

/**
 * The delay before reconnect attempt `attempt` (1 = the first after a drop): `initialMs ·
 * 2^(attempt-1)` capped at `maxMs`, with equal jitter (half fixed, half scaled by `u` in [0, 1)),
 * so a thousand clients dropped at once do not come back in lockstep, yet none hammers the
 * provider with a near-zero delay.
 */
export function reconnectDelay(policy: ReconnectBackoff, attempt: number, u: number): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * u);
}
