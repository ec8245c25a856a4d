import { type Bar, MINUTE_MS } from "../../domain/bar.js";
import type { Provenance } from "../../domain/provenance.js";
import type { WallClock } from "../../domain/wall-clock.js";
import { DeliveredMinutes } from "../delivered-minutes.js";
import { FeedEmitter } from "../feed-emitter.js";
import { excerpt, LiveFeedError } from "../feed-errors.js";
import type { FeedState, LiveFeed, LiveFeedEvents } from "../live-feed.js";
import { reconnectDelay } from "../reconnect-backoff.js";
import { backfillBars } from "./alpaca-backfill.js";
import { readBarMessage } from "./alpaca-bar-message.js";
import { AlpacaConnection } from "./alpaca-connection.js";
import { AlpacaError } from "./alpaca-errors.js";
import {
  type AlpacaBarFeedOptions,
  type AlpacaFeedSettings,
  resolveAlpacaOptions,
} from "./alpaca-feed-options.js";
import { AlpacaBarsRest } from "./alpaca-rest.js";
import { type AlpacaFeedStats, StatsCounter } from "./alpaca-stats.js";

export type { AlpacaBarFeedOptions, AlpacaFeedName } from "./alpaca-feed-options.js";

/**
 * Alpaca market data v2 (US stocks) as a {@link LiveFeed}: one WebSocket to `/v2/{feed}`
 * (Alpaca allows one per feed and key), `auth` with the key and secret, `bars` and
 * `updatedBars` subscribed together. A `T:"b"` bar (its `t` the minute's start) is delivered as
 * `live`; a `T:"u"` updated bar, Alpaca's recalculation of a minute after late trades, as
 * `corrected`. A dropped or stalled connection (the feed pings; silence past
 * `heartbeatTimeoutMs` is a stall) reconnects with capped exponential backoff and jitter,
 * re-authenticates, resubscribes, backfills every symbol's missed minutes from
 * `GET /v2/stocks/bars` (as `refilled`, many symbols a request) and only then reports `live`.
 *
 * Stream error codes become {@link AlpacaError}s on `error`: 402 (auth failed) and 409
 * (insufficient subscription) close the feed, since retrying with the same key cannot help;
 * 406 (connection limit) retries no sooner than `connectionLimitRetryMs` and gives up after
 * `maxConnectionLimitRetries` in a row; 401, 404, 407 and 500 reconnect; 405 and 410 refuse
 * the `subscribe` that caused them. Malformed messages, invalid bars and bars of symbols not
 * subscribed are counted ({@link stats}) and reported, never thrown.
 *
 * @example
 * ```ts
 * // keys from APCA_API_KEY_ID / APCA_API_SECRET_KEY
 * const feed = new AlpacaBarFeed({ feed: "iex" });
 * feed.on("bar", (symbol, bar, provenance) => sessionData.addBar(symbol, bar, provenance));
 * await feed.connect();
 * await feed.subscribe(["AAPL", "MSFT"]);
 * ```
 */
export class AlpacaBarFeed implements LiveFeed {
  readonly name: string;
  readonly backfill: AlpacaBarsRest;
  /** Settled options; keys included, so never exposed (a `#private` field `inspect` does not show). */
  readonly #o: AlpacaFeedSettings;
  readonly #clock: WallClock;
  readonly #emit = new FeedEmitter();
  readonly #stats = new StatsCounter();
  readonly #symbols = new Map<string, DeliveredMinutes>();
  #conn: AlpacaConnection | undefined;
  #state: FeedState = "closed";
  #closed = true;
  #attempt = 0;
  #limitStrikes = 0;
  #cancelRetry: (() => void) | undefined;

  constructor(options: AlpacaBarFeedOptions = {}) {
    const o = resolveAlpacaOptions(options);
    this.#o = o;
    this.name = o.name;
    this.#clock = o.clock;
    this.backfill = new AlpacaBarsRest({
      restUrl: o.restUrl,
      keyId: o.keyId,
      secretKey: o.secretKey,
      feed: o.feed,
      clock: o.clock,
      attempts: o.backfillAttempts,
      random: o.random,
      name: this.name,
      onFault: (error) => this.#fault(error),
    });
  }

  get state(): FeedState {
    return this.#state;
  }

  /** What the feed delivered and refused so far: a snapshot. */
  get stats(): AlpacaFeedStats {
    return this.#stats.snapshot();
  }

  /** The stream URL (`wss://…/v2/iex`); it carries no credentials. */
  get url(): string {
    return this.#o.url;
  }

  on<E extends keyof LiveFeedEvents>(event: E, listener: LiveFeedEvents[E]): this {
    this.#emit.add(event, listener);
    return this;
  }

  off<E extends keyof LiveFeedEvents>(event: E, listener: LiveFeedEvents[E]): this {
    this.#emit.remove(event, listener);
    return this;
  }

  /**
   * Connects and authenticates (and subscribes symbols already asked for). Rejects, and leaves
   * the feed closed, when the first connection fails: an {@link AlpacaError} for an error code
   * (402 bad keys, 406 another connection holds the key's slot, 409 the plan lacks this feed),
   * a {@link LiveFeedError} otherwise. Reconnects after that never reject: they retry.
   */
  async connect(): Promise<void> {
    if (!this.#closed) return;
    this.#closed = false;
    this.#setState("connecting", "connect()");
    try {
      this.#conn = await this.#open();
    } catch (error) {
      this.#conn = undefined;
      this.#closed = true;
      const e =
        error instanceof AlpacaError
          ? error
          : new LiveFeedError(
              this.name,
              "provider",
              `cannot connect to ${this.#o.url}: ${(error as Error).message}`,
              {
                cause: error,
              },
            );
      this.#setState("closed", `connect failed: ${e.message}`);
      throw e;
    }
    const conn = this.#conn;
    await this.#sync(conn);
    // A drop during the sync already started a reconnect: that one reports live.
    if (this.#conn === conn && conn.open) this.#setState("live", "connected and authenticated");
  }

  async subscribe(symbols: readonly string[]): Promise<void> {
    const now = this.#clock.now();
    const fresh: string[] = [];
    for (const raw of symbols) {
      const symbol = raw.toUpperCase();
      if (this.#symbols.has(symbol)) continue;
      this.#symbols.set(symbol, new DeliveredMinutes(now));
      fresh.push(symbol);
    }
    const conn = this.#conn;
    // While reconnecting, the new connection subscribes the whole set.
    if (fresh.length === 0 || conn === undefined || !conn.open || this.#state !== "live") return;
    try {
      await conn.subscribe(fresh);
    } catch (error) {
      if (error instanceof AlpacaError) {
        // 405 symbol limit, 410 invalid action: Alpaca kept none of them.
        for (const s of fresh) this.#symbols.delete(s);
        this.#stats.count("providerErrors");
        throw error;
      }
      // The connection broke meanwhile: the reconnect subscribes them.
    }
  }

  async unsubscribe(symbols: readonly string[]): Promise<void> {
    const gone: string[] = [];
    for (const raw of symbols) {
      const symbol = raw.toUpperCase();
      if (this.#symbols.delete(symbol)) gone.push(symbol);
    }
    const conn = this.#conn;
    if (gone.length > 0 && conn?.open === true) await conn.unsubscribe(gone).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed && this.#state === "closed") return;
    this.#closed = true;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    this.#conn?.close();
    this.#conn = undefined;
    this.#setState("closed", "close()");
  }

  /** Opens, authenticates and subscribes every symbol asked for; the caller keeps the connection. */
  async #open(): Promise<AlpacaConnection> {
    const conn = new AlpacaConnection(
      {
        url: this.#o.url,
        keyId: this.#o.keyId,
        secretKey: this.#o.secretKey,
        clock: this.#clock,
        heartbeatTimeoutMs: this.#o.heartbeatMs,
        pingIntervalMs: this.#o.pingMs,
        requestTimeoutMs: this.#o.requestTimeoutMs,
        name: this.name,
      },
      {
        onBar: (m, updated) => this.#bar(m, updated),
        onMalformed: (raw, why) =>
          this.#fault(new LiveFeedError(this.name, "malformed", `${why}: ${excerpt(raw)}`)),
        onProviderError: (error) => this.#providerError(conn, error),
        onDown: (c, reason) => {
          if (c !== this.#conn || this.#closed) return;
          if (reason.startsWith("heartbeat")) {
            this.#fault(new LiveFeedError(this.name, "heartbeat", `${this.#o.url}: ${reason}`));
          }
          this.#down(reason);
        },
      },
    );
    try {
      await conn.connect();
      await conn.subscribe([...this.#symbols.keys()]);
      return conn;
    } catch (error) {
      conn.close();
      throw error;
    }
  }

  /**
   * Brings the connection's subscriptions to the symbols asked for now: `subscribe` and
   * `unsubscribe` called while it was opening or backfilling only changed the set.
   */
  async #sync(conn: AlpacaConnection): Promise<void> {
    const extra = [...conn.symbols].filter((s) => !this.#symbols.has(s));
    const missing = [...this.#symbols.keys()].filter((s) => !conn.symbols.has(s));
    try {
      if (extra.length > 0) await conn.unsubscribe(extra);
      if (missing.length > 0) await conn.subscribe(missing);
    } catch (error) {
      if (error instanceof AlpacaError) {
        for (const s of missing) this.#symbols.delete(s);
        this.#fault(error);
      }
      // A broken connection: its onDown reconnects.
    }
  }

  #bar(m: Record<string, unknown>, updated: boolean): void {
    // Alpaca writes symbols upper case, as the feed keeps them: look up as sent, case-fold only
    // on a miss (no new string per bar).
    const sent = m.S;
    const symbol =
      typeof sent !== "string" ? undefined : this.#symbols.has(sent) ? sent : sent.toUpperCase();
    const state = symbol === undefined ? undefined : this.#symbols.get(symbol);
    const read = readBarMessage(this.name, m, updated, symbol, state !== undefined);
    if (read instanceof LiveFeedError) this.#fault(read);
    else this.#deliver(symbol!, state!, read, updated ? "corrected" : "live");
  }

  #deliver(
    symbol: string,
    state: DeliveredMinutes,
    bar: Bar,
    provenance: Exclude<Provenance, "replay">,
  ): void {
    // A correction replaces a bar already delivered: never a duplicate.
    if (provenance !== "corrected" && state.has(bar.time)) {
      this.#stats.count("duplicates");
      return;
    }
    state.add(bar.time);
    this.#stats.count(provenance);
    this.#emit.bar(symbol, bar, provenance);
  }

  #fault(error: LiveFeedError): void {
    this.#stats.fault(error.kind);
    this.#emit.error(error, false);
  }

  #providerError(conn: AlpacaConnection, error: AlpacaError): void {
    if (conn !== this.#conn || this.#closed) return;
    if (error.action === "fatal") {
      this.#fatal(error);
      return;
    }
    this.#fault(error);
    if (error.action === "reconnect" || error.action === "slow-retry") {
      this.#down(`error ${error.code} from the server`, error.action === "slow-retry");
    }
  }

  #fatal(error: LiveFeedError): void {
    this.#stats.fault(error.kind);
    this.#closed = true;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    this.#conn?.close();
    this.#conn = undefined;
    this.#emit.error(error, true);
    this.#setState("closed", error.message);
  }

  #down(reason: string, slow = false): void {
    if (this.#closed) return;
    this.#conn?.close();
    this.#conn = undefined;
    this.#retry(reason, slow);
  }

  #retry(reason: string, slow: boolean): void {
    this.#attempt++;
    let delay = reconnectDelay(this.#o.policy, this.#attempt, this.#o.random());
    if (slow) delay = Math.max(delay, this.#o.limitFloorMs);
    this.#state = "reconnecting";
    this.#emit.status({ state: "reconnecting", reason, at: this.#clock.now(), retryInMs: delay });
    this.#cancelRetry = this.#clock.schedule(() => void this.#reconnect(), delay, { unref: true });
  }

  async #reconnect(): Promise<void> {
    this.#cancelRetry = undefined;
    if (this.#closed) return;
    this.#stats.count("reconnects");
    let conn: AlpacaConnection;
    try {
      conn = await this.#open();
    } catch (error) {
      if (this.#closed) return;
      if (error instanceof AlpacaError) {
        if (error.action === "fatal") {
          this.#fatal(error);
          return;
        }
        this.#fault(error);
        if (error.action === "slow-retry") {
          if (++this.#limitStrikes > this.#o.maxLimitRetries) {
            this.#fatal(
              new AlpacaError(
                this.name,
                406,
                `connection limit exceeded ${this.#limitStrikes} times in a row; another client holds the key's connection to ${this.#o.url}`,
                { action: "fatal" },
              ),
            );
            return;
          }
          this.#retry(`reconnect refused: ${error.message}`, true);
          return;
        }
      }
      this.#retry(`reconnect failed: ${(error as Error).message}`, false);
      return;
    }
    if (this.#closed) {
      conn.close();
      return;
    }
    this.#conn = conn;
    this.#limitStrikes = 0;
    const symbols = [...this.#symbols.keys()];
    await this.#backfillAll(symbols);
    if (this.#closed || this.#conn !== conn || !conn.open) return;
    await this.#sync(conn);
    if (this.#closed || this.#conn !== conn || !conn.open) return;
    this.#attempt = 0;
    this.#setState("live", `reconnected; backfilled ${symbols.length} symbols`);
  }

  /** Fetches each symbol's minutes missed since its last delivered bar, as `refilled`. */
  #backfillAll(symbols: readonly string[]): Promise<void> {
    return backfillBars(symbols, {
      rest: this.backfill,
      feed: this.name,
      end: Math.floor(this.#clock.now() / MINUTE_MS) * MINUTE_MS,
      stopped: () => this.#closed,
      state: (symbol) => this.#symbols.get(symbol),
      deliver: (symbol, state, bar) => this.#deliver(symbol, state, bar, "refilled"),
      failed: (error) => this.#fault(error),
    });
  }

  #setState(state: FeedState, reason: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit.status({ state, reason, at: this.#clock.now() });
  }
}
