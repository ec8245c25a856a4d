import { InvalidArgumentError } from "../domain/errors.js";

/** How a failed source request is retried. */
export interface RetryPolicy {
  /** Requests per gap in all, the first included (>= 1). */
  readonly attempts: number;
  /** The delay before the first retry, ms; it doubles for each further retry. */
  readonly baseDelayMs: number;
  /** The cap on one delay, ms. */
  readonly maxDelayMs: number;
}

/** The default policy: 5 requests per gap, 250 ms doubling up to 10 s between them. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 10_000 };

/** Waits `ms` milliseconds; resolves, never rejects. */
export type Sleep = (ms: number) => Promise<void>;

/** Waits on the wall clock (a `setTimeout`): for live use. */
export const realSleep: Sleep = (ms) =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Does not wait at all: for replays and tests, where the backoff is accounted (see
 * `UpkeepReport.backoffMs`) but not spent, so a replay's outcome never depends on wall time.
 */
export const noWait: Sleep = () => Promise.resolve();

/** Throws {@link InvalidArgumentError} unless the policy's numbers make sense. */
export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const { attempts, baseDelayMs, maxDelayMs } = policy;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new InvalidArgumentError(`retry.attempts must be an integer >= 1, got ${attempts}`);
  }
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= 0)) {
    throw new InvalidArgumentError(
      `retry delays must be >= 0 ms, got baseDelayMs ${baseDelayMs}, maxDelayMs ${maxDelayMs}`,
    );
  }
  return { attempts, baseDelayMs, maxDelayMs };
}

/**
 * The delay before retry number `retry` (1 = the first retry): exponential
 * `baseDelayMs * 2^(retry-1)` capped at `maxDelayMs`, with "equal jitter": half of it fixed, the
 * other half scaled by `u` in [0, 1). The fixed half keeps retries from hammering a struggling
 * source; the random half keeps many gaps from retrying in lockstep.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, u: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exp / 2 + (exp / 2) * u);
}
