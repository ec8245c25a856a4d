import { type Bar, MINUTE_MS } from "../../domain/bar.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import type { Provenance } from "../../domain/provenance.js";
import { systemClock, type WallClock } from "../../domain/wall-clock.js";
import { DeliveredMinutes } from "../delivered-minutes.js";
import { FeedEmitter } from "../feed-emitter.js";
import { excerpt, LiveFeedError } from "../feed-errors.js";
import type { FeedState, LiveFeed, LiveFeedEvents } from "../live-feed.js";
import { checkReconnect, type ReconnectBackoff, reconnectDelay } from "../reconnect-backoff.js";
import { klineStream, symbolOfStream } from "./binance-format.js";
import { BinanceKlineRest } from "./binance-rest.js";
import { backfillKlines, type SymbolState } from "./kline-backfill.js";
import { type ConnectionHost, KlineConnection } from "./kline-connection.js";
import { readKline } from "./kline-event.js";

/** Options of {@link BinanceKlineFeed}. */
export interface BinanceKlineFeedOptions {
  /** WebSocket base (default `wss://stream.binance.com:9443`); `/stream` is appended. */
  readonly wsUrl?: string;
  /** REST base for the backfill (default `https://api.binance.com`). */
  readonly restUrl?: string;
  /** The clock heartbeats, backoff, renewal and "closed minute" run on (default the system's). */
  readonly clock?: WallClock;
  /** Silence (no frame, not even a ping) after which a connection is stalled; 60,000 ms. */
  readonly heartbeatTimeoutMs?: number;
  /** Reconnect backoff (default 1 s doubling to 30 s, equal jitter). */
  readonly reconnect?: Partial<ReconnectBackoff>;
  /** Jitter source in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
  /** Streams per connection (default and maximum 1,024: Binance's limit). */
  readonly maxStreamsPerConnection?: number;
  /** A connection is replaced this long after it opened (default 23 h 30 min; Binance ends it at 24 h). */
  readonly renewAfterMs?: number;
  /** How long a handshake or a SUBSCRIBE may take before the attempt counts as failed; 10,000 ms. */
  readonly requestTimeoutMs?: number;
  /** Requests per backfill page before it gives up (default 6). */
  readonly backfillAttempts?: number;
  /** Backfill requests in flight at once after a reconnect (default 8). */
  readonly backfillConcurrency?: number;
  /** The feed's name in statuses, errors and reports (default `"binance"`; the sim uses `"sim"`). */
  readonly name?: string;
}

interface Slot {
  conn: KlineConnection | undefined;
  readonly streams: Set<string>;
  state: "connecting" | "live" | "reconnecting";
  attempt: number;
  cancelRetry: (() => void) | undefined;
  cancelRenew: (() => void) | undefined;
}

/**
 * Binance spot 1-minute klines as a {@link LiveFeed}: combined streams `<symbol>@kline_1m` on as
 * many connections as 1,024 streams each need, only closed klines (`k.x: true`) as bars, the bar
 * at the kline's open time `k.t`. A dropped or stalled connection reconnects with capped
 * exponential backoff and jitter, resubscribes, backfills each of its symbols' missed minutes
 * from `GET /api/v3/klines` (delivered as `refilled`) and only then reports `live`. A connection
 * is renewed before Binance's 24 h limit by opening its successor first (the overlap's
 * duplicates are dropped), so no minute is lost. Faults reach `error` as {@link LiveFeedError}s.
 *
 * @example
 * ```ts
 * const feed = new BinanceKlineFeed({ wsUrl: "wss://stream.binance.com:9443", restUrl: "https://api.binance.com" });
 * feed.on("bar", (symbol, bar, provenance) => sessionData.addBar(symbol, bar, provenance));
 * await feed.connect();
 * await feed.subscribe(["BTCUSDT", "ETHUSDT"]);
 * ```
 */
export class BinanceKlineFeed implements LiveFeed {
  readonly name: string;
  readonly backfill: BinanceKlineRest;
  readonly #clock: WallClock;
  readonly #wsUrl: string;
  readonly #heartbeatMs: number;
  readonly #policy: ReconnectBackoff;
  readonly #random: () => number;
  readonly #maxStreams: number;
  readonly #renewAfterMs: number;
  readonly #requestTimeoutMs: number;
  readonly #concurrency: number;
  readonly #emit = new FeedEmitter();
  readonly #symbols = new Map<string, SymbolState>();
  /** The same states by stream name (`btcusdt@kline_1m`), for the per-message look-up. */
  readonly #byStream = new Map<string, SymbolState>();
  readonly #slots: Slot[] = [];
  #state: FeedState = "closed";
  #closed = false;

  constructor(options: BinanceKlineFeedOptions = {}) {
    this.name = options.name ?? "binance";
    this.#clock = options.clock ?? systemClock;
    this.#wsUrl = options.wsUrl ?? "wss://stream.binance.com:9443";
    this.#heartbeatMs = options.heartbeatTimeoutMs ?? 60_000;
    this.#policy = checkReconnect(options.reconnect);
    this.#random = options.random ?? Math.random;
    this.#maxStreams = options.maxStreamsPerConnection ?? 1024;
    this.#renewAfterMs = options.renewAfterMs ?? 23.5 * 3_600_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#concurrency = options.backfillConcurrency ?? 8;
    if (!Number.isInteger(this.#maxStreams) || this.#maxStreams < 1 || this.#maxStreams > 1024) {
      throw new InvalidArgumentError(
        `maxStreamsPerConnection must be an integer in 1..1024 (Binance's limit), got ${this.#maxStreams}`,
      );
    }
    if (!(this.#heartbeatMs > 0)) {
      throw new InvalidArgumentError(`heartbeatTimeoutMs must be > 0, got ${this.#heartbeatMs}`);
    }
    this.backfill = new BinanceKlineRest({
      restUrl: options.restUrl ?? "https://api.binance.com",
      clock: this.#clock,
      attempts: options.backfillAttempts,
      random: this.#random,
      name: this.name,
      onFault: (error) => this.#emit.error(error, false),
    });
  }

  get state(): FeedState {
    return this.#state;
  }

  /** Connections open now (one per 1,024 streams). */
  get connectionCount(): number {
    return this.#slots.filter((s) => s.conn?.open === true).length;
  }

  on<E extends keyof LiveFeedEvents>(event: E, listener: LiveFeedEvents[E]): this {
    this.#emit.add(event, listener);
    return this;
  }

  off<E extends keyof LiveFeedEvents>(event: E, listener: LiveFeedEvents[E]): this {
    this.#emit.remove(event, listener);
    return this;
  }

  async connect(): Promise<void> {
    if (this.#slots.length > 0 && !this.#closed) return;
    this.#closed = false;
    this.#setState("connecting", "connect()");
    const slot = this.#newSlot();
    try {
      await this.#open(slot);
    } catch (error) {
      this.#slots.length = 0;
      this.#closed = true;
      this.#setState("closed", `connect failed: ${(error as Error).message}`);
      throw new LiveFeedError(
        this.name,
        "provider",
        `cannot connect to ${this.#wsUrl}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    slot.state = "live";
    this.#armRenew(slot);
    this.#refresh("connected");
  }

  async subscribe(symbols: readonly string[]): Promise<void> {
    const now = this.#clock.now();
    const bySlot = new Map<Slot, string[]>();
    const fresh: Slot[] = [];
    for (const raw of symbols) {
      const symbol = raw.toUpperCase();
      if (this.#symbols.has(symbol)) continue;
      const state: SymbolState = { symbol, delivered: new DeliveredMinutes(now) };
      this.#symbols.set(symbol, state);
      this.#byStream.set(klineStream(symbol), state);
      let slot = this.#slots.find((s) => s.streams.size < this.#maxStreams);
      if (slot === undefined) {
        slot = this.#newSlot();
        fresh.push(slot);
      }
      const stream = klineStream(symbol);
      slot.streams.add(stream);
      let list = bySlot.get(slot);
      if (list === undefined) bySlot.set(slot, (list = []));
      list.push(stream);
    }
    const work: Promise<void>[] = [];
    for (const [slot, streams] of bySlot) {
      if (fresh.includes(slot)) {
        work.push(
          this.#open(slot).then(
            () => {
              slot.state = "live";
              this.#armRenew(slot);
              this.#refresh("connected");
            },
            (error: Error) => this.#down(slot, `connect failed: ${error.message}`),
          ),
        );
      } else if (slot.conn?.open === true && slot.state === "live") {
        work.push(
          slot.conn.subscribe(streams).catch((error: Error) => this.#down(slot, error.message)),
        );
      }
      // A slot that is reconnecting subscribes its whole stream set when it is back.
    }
    await Promise.all(work);
  }

  async unsubscribe(symbols: readonly string[]): Promise<void> {
    const work: Promise<void>[] = [];
    for (const raw of symbols) {
      const symbol = raw.toUpperCase();
      if (!this.#symbols.delete(symbol)) continue;
      const stream = klineStream(symbol);
      this.#byStream.delete(stream);
      for (const slot of this.#slots) {
        if (!slot.streams.delete(stream)) continue;
        if (slot.conn?.open === true)
          work.push(slot.conn.unsubscribe([stream]).catch(() => undefined));
      }
    }
    await Promise.all(work);
  }

  async close(): Promise<void> {
    if (this.#closed && this.#state === "closed") return;
    this.#closed = true;
    for (const slot of this.#slots) {
      slot.cancelRetry?.();
      slot.cancelRenew?.();
      slot.conn?.close();
    }
    this.#slots.length = 0;
    this.#setState("closed", "close()");
  }

  #newSlot(): Slot {
    const slot: Slot = {
      conn: undefined,
      streams: new Set(),
      state: "connecting",
      attempt: 0,
      cancelRetry: undefined,
      cancelRenew: undefined,
    };
    this.#slots.push(slot);
    return slot;
  }

  /** Opens a connection for `slot` and subscribes its streams; the slot uses it once it works. */
  async #open(slot: Slot): Promise<KlineConnection> {
    const conn = new KlineConnection(
      {
        wsUrl: this.#wsUrl,
        clock: this.#clock,
        heartbeatTimeoutMs: this.#heartbeatMs,
        requestTimeoutMs: this.#requestTimeoutMs,
      },
      this.#hostFor(slot),
    );
    const previous = slot.conn;
    slot.conn = conn;
    try {
      await conn.connect();
      await conn.subscribe([...slot.streams]);
      return conn;
    } catch (error) {
      conn.close();
      if (slot.conn === conn) slot.conn = previous;
      throw error;
    }
  }

  #hostFor(slot: Slot): ConnectionHost {
    return {
      onData: (stream, data) => this.#data(stream, data),
      onMalformed: (raw, why) =>
        this.#emit.error(
          new LiveFeedError(this.name, "malformed", `${why}: ${excerpt(raw)}`),
          false,
        ),
      onProvider: (message, shutdown) => {
        this.#emit.error(new LiveFeedError(this.name, "provider", message), false);
        if (shutdown) this.#renew(slot);
      },
      onDown: (conn, reason) => {
        if (slot.conn === conn && !this.#closed) this.#down(slot, reason);
      },
    };
  }

  #data(stream: string, d: Record<string, unknown>): void {
    // Keyed by the stream name as it arrives: no case conversion or slicing per message.
    const state = this.#byStream.get(stream);
    const read = readKline(this.name, stream, d, state?.symbol);
    if (read === undefined) return;
    if (read instanceof LiveFeedError) this.#emit.error(read, false);
    else this.#deliver(state!.symbol, state!, read, "live");
  }

  #deliver(symbol: string, state: SymbolState, bar: Bar, provenance: Provenance): void {
    if (state.delivered.has(bar.time)) return;
    state.delivered.add(bar.time);
    this.#emit.bar(symbol, bar, provenance);
  }

  #down(slot: Slot, reason: string): void {
    if (this.#closed || !this.#slots.includes(slot)) return;
    slot.cancelRenew?.();
    slot.cancelRenew = undefined;
    slot.conn?.close();
    slot.state = "reconnecting";
    this.#retry(slot, reason);
  }

  #retry(slot: Slot, reason: string): void {
    slot.attempt++;
    const delay = reconnectDelay(this.#policy, slot.attempt, this.#random());
    this.#state = "reconnecting";
    this.#emit.status({ state: "reconnecting", reason, at: this.#clock.now(), retryInMs: delay });
    slot.cancelRetry = this.#clock.schedule(() => void this.#reconnect(slot), delay, {
      unref: true,
    });
  }

  async #reconnect(slot: Slot): Promise<void> {
    slot.cancelRetry = undefined;
    if (this.#closed) return;
    let conn: KlineConnection;
    try {
      conn = await this.#open(slot);
    } catch (error) {
      if (!this.#closed) this.#retry(slot, `reconnect failed: ${(error as Error).message}`);
      return;
    }
    const symbols = [...slot.streams].map((s) => symbolOfStream(s)!);
    await this.#backfillAll(symbols);
    if (this.#closed || slot.conn !== conn || !conn.open) return;
    slot.attempt = 0;
    slot.state = "live";
    this.#armRenew(slot);
    this.#refresh(`reconnected; backfilled ${symbols.length} symbols`);
  }

  /** Fetches each symbol's minutes missed since its last delivered bar, as `refilled`. */
  #backfillAll(symbols: readonly string[]): Promise<void> {
    return backfillKlines(symbols, {
      rest: this.backfill,
      feed: this.name,
      end: Math.floor(this.#clock.now() / MINUTE_MS) * MINUTE_MS,
      concurrency: this.#concurrency,
      stopped: () => this.#closed,
      state: (symbol) => this.#symbols.get(symbol),
      deliver: (symbol, state, bar) => this.#deliver(symbol, state, bar, "refilled"),
      failed: (error) => this.#emit.error(error, false),
    });
  }

  #armRenew(slot: Slot): void {
    slot.cancelRenew?.();
    slot.cancelRenew = this.#clock.schedule(() => this.#renew(slot), this.#renewAfterMs, {
      unref: true,
    });
  }

  /** Replaces the slot's connection by a fresh one, opened and subscribed before the old closes. */
  #renew(slot: Slot): void {
    slot.cancelRenew?.();
    slot.cancelRenew = undefined;
    if (this.#closed || slot.state !== "live") return;
    const old = slot.conn;
    this.#open(slot).then(
      () => {
        old?.close();
        this.#armRenew(slot);
      },
      () => {
        // The old connection carries on until Binance ends it; then the reconnect path takes over.
        slot.cancelRenew = this.#clock.schedule(() => this.#renew(slot), MINUTE_MS, {
          unref: true,
        });
      },
    );
  }

  #refresh(reason: string): void {
    if (this.#closed) return;
    let state: FeedState = "live";
    for (const s of this.#slots) {
      if (s.state === "reconnecting") {
        state = "reconnecting";
        break;
      }
      if (s.state === "connecting") state = "connecting";
    }
    this.#setState(state, reason);
  }

  #setState(state: FeedState, reason: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit.status({ state, reason, at: this.#clock.now() });
  }
}
