import type { FeedErrorKind } from "../feed-errors.js";

/**
 * What an Alpaca feed delivered and refused: bars by provenance, duplicates dropped, faults by
 * kind, reconnect attempts. Counts only grow.
 */
export interface AlpacaFeedStats {
  readonly live: number;
  readonly refilled: number;
  readonly corrected: number;
  /** Bars dropped because the minute was already delivered (a resend, an overlap with a backfill). */
  readonly duplicates: number;
  readonly malformed: number;
  readonly invalidBars: number;
  readonly unsubscribed: number;
  /** Error codes the server sent (`T:"error"`), fatal ones included. */
  readonly providerErrors: number;
  readonly backfillFailures: number;
  readonly heartbeatTimeouts: number;
  /** Reconnect attempts (each try after a drop, a stall or a refusal). */
  readonly reconnects: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const FAULT_FIELD: Partial<Record<FeedErrorKind, keyof AlpacaFeedStats>> = {
  malformed: "malformed",
  "invalid-bar": "invalidBars",
  unsubscribed: "unsubscribed",
  provider: "providerErrors",
  auth: "providerErrors",
  "connection-limit": "providerErrors",
  backfill: "backfillFailures",
  heartbeat: "heartbeatTimeouts",
};

/** The counters behind {@link AlpacaFeedStats}. */
export class StatsCounter {
  readonly #s: Mutable<AlpacaFeedStats> = {
    live: 0,
    refilled: 0,
    corrected: 0,
    duplicates: 0,
    malformed: 0,
    invalidBars: 0,
    unsubscribed: 0,
    providerErrors: 0,
    backfillFailures: 0,
    heartbeatTimeouts: 0,
    reconnects: 0,
  };

  /** Adds one to `field`. */
  count(field: keyof AlpacaFeedStats): void {
    this.#s[field]++;
  }

  /** Adds one to the counter of a fault's kind (`stale` has none: the feed never emits it). */
  fault(kind: FeedErrorKind): void {
    const field = FAULT_FIELD[kind];
    if (field !== undefined) this.#s[field]++;
  }

  /** A copy of the counts now. */
  snapshot(): AlpacaFeedStats {
    return { ...this.#s };
  }
}
