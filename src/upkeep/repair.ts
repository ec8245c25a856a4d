import type { Bar } from "../domain/bar.js";
import { SourceError } from "../domain/errors.js";
import type { BarSource } from "../history/bar-store.js";
import { backoffDelay, type RetryPolicy, type Sleep } from "./backoff.js";

/** One source request of gap repair: the symbol's bars in `[start, end)`. */
export interface RepairRequest {
  readonly symbol: string;
  readonly start: number;
  readonly end: number;
}

/** How a request ended after its retries. */
export type RepairOutcome =
  | { readonly ok: true; readonly bars: readonly Bar[]; readonly attempts: number }
  | { readonly ok: false; readonly reason: string; readonly attempts: number };

/** Counters a request adds to (shared by every request of an upkeep). */
export interface RequestCounters {
  requests: number;
  retries: number;
  failedRequests: number;
  backoffMs: number;
}

/** What {@link requestWithRetry} needs besides the request. */
export interface RetryContext {
  readonly source: BarSource;
  readonly policy: RetryPolicy;
  readonly sleep: Sleep;
  /** The jitter draw in [0, 1) for retry number `retry` of `request`. */
  readonly jitter: (request: RepairRequest, retry: number) => number;
  readonly counters: RequestCounters;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Asks the source for a request's bars, retrying failures with exponential backoff and jitter up
 * to `policy.attempts` requests in all. A `SourceError` with `retryable: false` ends it at once;
 * any other exception counts as retryable (a network library's `TypeError` is usually transient).
 * Never throws: failures come back as `{ ok: false, reason }`.
 */
export async function requestWithRetry(
  request: RepairRequest,
  context: RetryContext,
): Promise<RepairOutcome> {
  const { source, policy, sleep, counters } = context;
  for (let attempt = 1; ; attempt++) {
    counters.requests++;
    try {
      const bars = await source.readBars(request.symbol, request.start, request.end);
      if (!Array.isArray(bars)) {
        throw new SourceError(`source answered ${typeof bars} instead of an array of bars`, {
          retryable: false,
        });
      }
      return { ok: true, bars, attempts: attempt };
    } catch (error) {
      counters.failedRequests++;
      if (error instanceof SourceError && !error.retryable) {
        return {
          ok: false,
          reason: `source refused (not retryable): ${describe(error)}`,
          attempts: attempt,
        };
      }
      if (attempt >= policy.attempts) {
        return {
          ok: false,
          reason: `source failed ${attempt} time${attempt === 1 ? "" : "s"}, retry budget spent; last error: ${describe(error)}`,
          attempts: attempt,
        };
      }
      counters.retries++;
      const delay = backoffDelay(policy, attempt, context.jitter(request, attempt));
      counters.backoffMs += delay;
      await sleep(delay);
    }
  }
}

/**
 * Runs `task` over `items` with at most `limit` in flight, results in the items' order (so what
 * is done with them afterwards does not depend on which finished first).
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  const workers: Promise<void>[] = [];
  for (let k = 0; k < Math.min(limit, items.length); k++) workers.push(worker());
  await Promise.all(workers);
  return results;
}
