import { SourceError } from "../domain/errors.js";
import type { WallClock } from "../domain/wall-clock.js";
import { LiveFeedError } from "./feed-errors.js";
import { type ReconnectBackoff, reconnectDelay } from "./reconnect-backoff.js";

/** How a backfill client retries one request (the client's options, filled in). */
export interface RestRetryPolicy {
  /** Requests in all, the first included. */
  readonly attempts: number;
  readonly backoff: ReconnectBackoff;
  readonly random: () => number;
  readonly clock: WallClock;
  /** The feed name the reported faults carry. */
  readonly name: string;
  /** Told of every failed attempt (a `LiveFeedError` of kind `"backfill"`). */
  readonly onFault: (error: LiveFeedError) => void;
}

/** One attempt's outcome: the answer, or a failure worth retrying after `waitMs`. */
export type RestAttempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly why: string; readonly waitMs: number };

/** What one retried request is, for the messages. */
export interface RestRequestLabel {
  /** Leads each fault's message (`GET /api/v3/klines BTCUSDT 2024-01-02T00:00:00.000Z`). */
  readonly what: string;
  /** Leads the final `SourceError`'s message. */
  readonly giveUpWhat: string;
  /** The symbol concerned, when there is one. */
  readonly symbol?: string;
}

/** The backoff delay before attempt `attempt + 1` (draws one random number). */
export function restBackoffDelay(policy: RestRetryPolicy, attempt: number): number {
  return reconnectDelay(policy.backoff, attempt, policy.random());
}

/**
 * The retry loop both backfill clients (Binance's klines, Alpaca's bars) share: runs `attempt`
 * up to `policy.attempts` times, reports each failure (with the wait before the next try) and
 * sleeps on the clock in between. A `SourceError` thrown by `attempt` (an answer asking again
 * cannot mend) ends the loop at once; any other throw (network, bad JSON) is retried after the
 * backoff. After the last failure it throws a retryable `SourceError` naming the last reason.
 */
export async function withRestRetries<T>(
  policy: RestRetryPolicy,
  label: RestRequestLabel,
  attempt: (n: number) => Promise<RestAttempt<T>>,
): Promise<T> {
  let lastWhy = "";
  for (let n = 1; n <= policy.attempts; n++) {
    let waitMs: number;
    let why: string;
    try {
      const outcome = await attempt(n);
      if (outcome.ok) return outcome.value;
      why = outcome.why;
      waitMs = outcome.waitMs;
    } catch (error) {
      if (error instanceof SourceError) throw error;
      why = error instanceof Error ? error.message : String(error);
      waitMs = restBackoffDelay(policy, n);
    }
    lastWhy = why;
    policy.onFault(
      new LiveFeedError(
        policy.name,
        "backfill",
        `${label.what}: ${why}; attempt ${n} of ${policy.attempts}${n < policy.attempts ? `, retry in ${waitMs} ms` : ""}`,
        label.symbol === undefined ? undefined : { symbol: label.symbol },
      ),
    );
    if (n < policy.attempts) {
      await new Promise<void>((resolve) => {
        policy.clock.schedule(resolve, waitMs, { unref: true });
      });
    }
  }
  throw new SourceError(
    `${label.giveUpWhat}: gave up after ${policy.attempts} attempts: ${lastWhy}`,
    {
      retryable: true,
    },
  );
}
