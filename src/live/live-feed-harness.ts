import type { FakeExchange } from "./fake-exchange.js";
import type { LiveFeed } from "./live-feed.js";

/** What a contract run needs: a fresh feed on a fresh exchange, both on `clock`. */
export interface LiveFeedHarness {
  readonly feed: LiveFeed;
  readonly exchange: FakeExchange;
  /** Two or more symbols the exchange lists; the suite subscribes the first two. */
  readonly symbols: readonly string[];
  /** The feed's silence limit (ms of the clock) before it declares the connection stalled. */
  readonly heartbeatTimeoutMs: number;
  /** The feed's reconnect backoff: the first delay (before jitter) and the cap, ms. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** The instant (clock ms, a whole minute) the suite's first bar opens at; the clock starts later. */
  readonly firstMinute: number;
  /** Stops the exchange and frees everything. */
  dispose(): Promise<void>;
}

/** Waits (real time, bounded) until `predicate` holds; fails with `what` otherwise. */
export async function eventually(
  predicate: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * The feed options every contract harness uses, so the contract's timing expectations hold:
 * a 30 s heartbeat limit, backoff 1 s doubling to 8 s, jitter fixed at the middle.
 */
export const CONTRACT_FEED_TIMING = {
  heartbeatTimeoutMs: 30_000,
  reconnect: { initialMs: 1_000, maxMs: 8_000 },
  random: (): number => 0.5,
} as const;

/**
 * The harness of a feed built with {@link CONTRACT_FEED_TIMING} on `exchange` (stopped by
 * `dispose`), its first bar at `firstMinute`.
 */
export function contractHarness(
  feed: LiveFeed,
  exchange: FakeExchange & { stop(): Promise<void> },
  symbols: readonly string[],
  firstMinute: number,
): LiveFeedHarness {
  return {
    feed,
    exchange,
    symbols,
    heartbeatTimeoutMs: CONTRACT_FEED_TIMING.heartbeatTimeoutMs,
    backoff: CONTRACT_FEED_TIMING.reconnect,
    firstMinute,
    dispose: () => exchange.stop(),
  };
}
