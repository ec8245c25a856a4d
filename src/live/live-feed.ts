import type { Bar } from "../domain/bar.js";
import type { Provenance } from "../domain/provenance.js";
import type { BarSource } from "../history/bar-store.js";

/**
 * Where a feed's connection stands:
 * - `connecting`: the first connection (or an explicit `connect()`) is being opened;
 * - `live`: connected, subscribed, and every minute missed while away has been backfilled;
 * - `reconnecting`: the connection dropped or stalled; the feed is backing off and will retry;
 * - `closed`: `close()` was called, or a fatal error (bad credentials, connection limit) ended it.
 */
export type FeedState = "connecting" | "live" | "reconnecting" | "closed";

/** A change of {@link FeedState}, with why it happened (`"heartbeat timeout"`, `"auth failed: …"`). */
export interface FeedStatus {
  readonly state: FeedState;
  readonly reason?: string;
  /** Epoch ms of the wall clock the feed runs on. */
  readonly at: number;
  /**
   * With `reconnecting`: the backoff delay (ms, jitter included) before the next attempt. A feed
   * emits `reconnecting` again, with the next delay, for every attempt that fails.
   */
  readonly retryInMs?: number;
}

/** What a {@link LiveFeed} tells its listeners. */
export interface LiveFeedEvents {
  /**
   * A closed 1-minute bar: `bar.time` is the minute's open instant (epoch ms, UTC).
   * `provenance` is `live` for a bar as it arrived, `refilled` for one a backfill fetched after a
   * reconnect, `corrected` for a provider's replacement of a bar already delivered.
   */
  bar: (symbol: string, bar: Bar, provenance: Provenance) => void;
  status: (status: FeedStatus) => void;
  /**
   * Something went wrong that the feed survived (malformed message, an invalid bar, a backfill
   * that failed and will be retried) or, with `fatal`, one that closed it. The feed never throws
   * from its socket handlers: every fault reaches listeners here and is counted.
   */
  error: (error: Error, fatal: boolean) => void;
}

/**
 * A source of live 1-minute bars: one small port, one adapter per provider (Binance, Alpaca, the
 * local sim). A feed owns its connection, its reconnects (exponential backoff with jitter,
 * resubscribe, backfill of the minutes missed, then `live` again) and its heartbeats.
 *
 * @example
 * ```ts
 * const feed = new BinanceKlineFeed({ wsUrl, restUrl });
 * feed.on("bar", (symbol, bar, provenance) => sessionData.addBar(symbol, bar, provenance));
 * await feed.connect();
 * await feed.subscribe(["BTCUSDT"]);
 * ```
 */
export interface LiveFeed {
  /** A short name for logs and reports: `"binance"`, `"alpaca"`, `"sim"`. */
  readonly name: string;
  /** Opens the connection; resolves once connected (and authenticated where the provider wants it). */
  connect(): Promise<void>;
  /** Adds symbols (upper-case, as the store names them); resolves once the provider confirmed. */
  subscribe(symbols: readonly string[]): Promise<void>;
  unsubscribe(symbols: readonly string[]): Promise<void>;
  /** Closes for good: no reconnect; emits `status` `closed`. Idempotent. */
  close(): Promise<void>;
  on<E extends keyof LiveFeedEvents>(event: E, listener: LiveFeedEvents[E]): this;
  off<E extends keyof LiveFeedEvents>(event: E, listener: LiveFeedEvents[E]): this;
  /** The feed's state now. */
  readonly state: FeedState;
  /**
   * The provider's REST history as a {@link BarSource} (`readBars(symbol, from, to)`, `from <=
   * time < to`, closed bars only, paginated and retried inside): what the feed backfills from
   * after a reconnect and what a `LiveSession`'s upkeep repairs late bars from. Bars it returns
   * are not emitted on `bar`.
   */
  readonly backfill: BarSource;
}
