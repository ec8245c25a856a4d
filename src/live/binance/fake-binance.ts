/**
 * A local stand-in for Binance spot market data, for tests, the sim feed and benchmarks: a real
 * `ws` WebSocketServer (combined streams at `/stream`, raw at `/ws`, live `SUBSCRIBE` /
 * `UNSUBSCRIBE` / `LIST_SUBSCRIPTIONS`, ping frames, the 1,024-stream limit, the 24 h connection
 * life) and a real `node:http` REST endpoint `GET /api/v3/klines`, both writing exactly the
 * format of Binance's documentation (see `binance-format.ts`). It implements the contract's
 * {@link FakeExchange} so a test can drop, stall, refuse and script failures.
 */
import type { WebSocket } from "ws";
import type { Bar } from "../../domain/bar.js";
import { systemClock, type WallClock } from "../../domain/wall-clock.js";
import { FakeEndpoint, FakeTruth, pingAndAwaitPongs } from "../fake-endpoint.js";
import type { FakeExchange } from "../fake-exchange.js";
import { combinedMessage, klineEvent, klineStream, symbolOfStream } from "./binance-format.js";
import { FakeBinanceRest } from "./fake-binance-rest.js";

/** Options of {@link FakeBinance}. */
export interface FakeBinanceOptions {
  /** The clock connection ages, ping timers and event times run on; the system clock by default. */
  readonly clock?: WallClock;
  /**
   * The symbols the exchange lists (REST answers `-1121 Invalid symbol.` for others); every
   * symbol by default.
   */
  readonly symbols?: readonly string[];
  /** Sends a ping frame to every connection this often (ms of the clock); none by default. */
  readonly pingIntervalMs?: number;
  /** Closes a connection this long after it opened, like Binance at 24 h (default 24 h). */
  readonly maxConnectionAgeMs?: number;
  /**
   * JSON requests (SUBSCRIBE …) a connection may send in a second of the clock before it is
   * dropped, as Binance does above 5 incoming messages a second (default 5; pongs are not
   * counted here, so tests may ping freely).
   */
  readonly maxRequestsPerSecond?: number;
  /** Streams one connection may hold (default 1,024, Binance's limit). */
  readonly maxStreamsPerConnection?: number;
  /** The port to listen on (default 0: any free one). */
  readonly port?: number;
}

interface Conn {
  readonly ws: WebSocket;
  readonly combined: boolean;
  readonly streams: Set<string>;
  stalled: boolean;
  cancelAge: () => void;
  /** Clock times of its recent requests. */
  readonly requests: number[];
}

const DAY_MS = 86_400_000;

/**
 * @example
 * ```ts
 * const exchange = new FakeBinance({ symbols: ["BTCUSDT"] });
 * await exchange.start();
 * const feed = new BinanceKlineFeed({ wsUrl: exchange.wsUrl, restUrl: exchange.restUrl });
 * exchange.emitBar("BTCUSDT", bar);   // a closed kline to every subscriber, and REST truth
 * await exchange.stop();
 * ```
 */
export class FakeBinance implements FakeExchange {
  readonly #clock: WallClock;
  readonly #pingIntervalMs: number | undefined;
  readonly #maxAgeMs: number;
  readonly #maxStreams: number;
  readonly #maxRequests: number;
  readonly #endpoint: FakeEndpoint<{ combined: boolean; streams: Set<string> }>;
  readonly #truth = new FakeTruth();
  readonly #conns = new Set<Conn>();
  readonly #rest: FakeBinanceRest;
  #pingSeq = 0;
  #cancelPing: (() => void) | undefined;

  constructor(options: FakeBinanceOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#pingIntervalMs = options.pingIntervalMs;
    this.#maxAgeMs = options.maxConnectionAgeMs ?? DAY_MS;
    this.#maxStreams = options.maxStreamsPerConnection ?? 1024;
    this.#maxRequests = options.maxRequestsPerSecond ?? 5;
    this.#rest = new FakeBinanceRest({
      listed:
        options.symbols === undefined
          ? undefined
          : new Set(options.symbols.map((s) => s.toUpperCase())),
      truth: (symbol) => this.truth(symbol),
    });
    this.#endpoint = new FakeEndpoint({
      port: options.port ?? 0,
      clock: this.#clock,
      autoPong: true,
      rest: (req, res) => this.#rest.answer(req, res),
      route: (url) => this.#route(url),
      accepted: (ws, route) => this.#accepted(ws, route.combined, route.streams),
    });
  }

  /** `ws://127.0.0.1:PORT`: the feed's `wsUrl`. */
  get wsUrl(): string {
    return this.#endpoint.wsUrl;
  }

  /** `http://127.0.0.1:PORT`: the feed's `restUrl`. */
  get restUrl(): string {
    return this.#endpoint.restUrl;
  }

  get connections(): number {
    return this.#endpoint.connections;
  }

  get attempts(): readonly number[] {
    return this.#endpoint.attempts;
  }

  get restRequests(): number {
    return this.#rest.requests;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.#conns.size;
  }

  /** Listens on 127.0.0.1. */
  async start(): Promise<void> {
    await this.#endpoint.start();
    if (this.#pingIntervalMs !== undefined) this.#armPing(this.#pingIntervalMs);
  }

  /** Closes every connection and the servers. */
  async stop(): Promise<void> {
    this.#cancelPing?.();
    this.#cancelPing = undefined;
    for (const c of this.#conns) {
      c.cancelAge();
      c.ws.terminate();
    }
    this.#conns.clear();
    await this.#endpoint.stop();
  }

  #armPing(every: number): void {
    this.#cancelPing = this.#clock.schedule(
      () => {
        for (const c of this.#conns) if (!c.stalled) c.ws.ping();
        this.#armPing(every);
      },
      every,
      { unref: true },
    );
  }

  /** `/stream?streams=a/b` (combined) or `/ws/<stream>` (raw); other paths are 404. */
  #route(url: URL): { combined: boolean; streams: Set<string> } | undefined {
    const combined = url.pathname === "/stream";
    const raw = url.pathname === "/ws" || url.pathname.startsWith("/ws/");
    if (!combined && !raw) return undefined;
    const streams = new Set<string>();
    const named = combined
      ? (url.searchParams.get("streams") ?? "").split("/")
      : [url.pathname.slice(4)];
    for (const s of named) if (s !== "") streams.add(s);
    return { combined, streams };
  }

  #accepted(ws: WebSocket, combined: boolean, streams: Set<string>): void {
    const conn: Conn = {
      ws,
      combined,
      streams,
      stalled: false,
      cancelAge: () => undefined,
      requests: [],
    };
    conn.cancelAge = this.#clock.schedule(() => ws.terminate(), this.#maxAgeMs, { unref: true });
    this.#conns.add(conn);
    ws.on("message", (data) => this.#command(conn, String(data)));
    ws.on("close", () => {
      conn.cancelAge();
      this.#conns.delete(conn);
    });
    ws.on("error", () => undefined);
  }

  /** Answers a live-subscription request as Binance does (`{"result":…,"id":…}` or an error). */
  #command(conn: Conn, text: string): void {
    if (conn.stalled) return;
    const now = this.#clock.now();
    const recent = conn.requests;
    while (recent.length > 0 && recent[0]! <= now - 1_000) recent.shift();
    recent.push(now);
    if (recent.length > this.#maxRequests) {
      // Binance drops a connection that goes beyond the limit.
      conn.ws.terminate();
      return;
    }
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      conn.ws.send(JSON.stringify({ error: { code: 3, msg: "Invalid JSON" }, id: null }));
      return;
    }
    const id = msg.id ?? null;
    const params = Array.isArray(msg.params) ? (msg.params as unknown[]) : [];
    if (params.some((p) => typeof p !== "string")) {
      conn.ws.send(JSON.stringify({ error: { code: 1, msg: "Invalid value type" }, id }));
      return;
    }
    switch (msg.method) {
      case "SUBSCRIBE": {
        const fresh = (params as string[]).filter((p) => !conn.streams.has(p));
        if (conn.streams.size + fresh.length > this.#maxStreams) {
          conn.ws.send(
            JSON.stringify({
              error: {
                code: 2,
                msg: `Invalid request: more than ${this.#maxStreams} streams on one connection`,
              },
              id,
            }),
          );
          return;
        }
        for (const p of fresh) conn.streams.add(p);
        conn.ws.send(JSON.stringify({ result: null, id }));
        return;
      }
      case "UNSUBSCRIBE":
        for (const p of params as string[]) conn.streams.delete(p);
        conn.ws.send(JSON.stringify({ result: null, id }));
        return;
      case "LIST_SUBSCRIPTIONS":
        conn.ws.send(JSON.stringify({ result: [...conn.streams], id }));
        return;
      default:
        conn.ws.send(JSON.stringify({ error: { code: 2, msg: "Invalid request" }, id }));
    }
  }

  #subscribers(symbol: string, force: boolean): Conn[] {
    const stream = klineStream(symbol);
    const out: Conn[] = [];
    for (const c of this.#conns) if (!c.stalled && (force || c.streams.has(stream))) out.push(c);
    return out;
  }

  #sendKline(symbol: string, bar: Bar, closed: boolean, force: boolean): void {
    const conns = this.#subscribers(symbol, force);
    if (conns.length === 0) return;
    const now = this.#clock.now();
    let combined: string | undefined;
    let raw: string | undefined;
    for (const c of conns) {
      if (c.combined) {
        combined ??= combinedMessage(symbol, bar, closed, now);
        c.ws.send(combined);
      } else {
        raw ??= JSON.stringify(klineEvent(symbol, bar, closed, now));
        c.ws.send(raw);
      }
    }
  }

  subscribed(): string[] {
    const out = new Set<string>();
    for (const c of this.#conns) {
      for (const s of c.streams) {
        const symbol = symbolOfStream(s);
        if (symbol !== undefined) out.add(symbol);
      }
    }
    return [...out].sort();
  }

  emitBar(symbol: string, bar: Bar, options?: { readonly force?: boolean }): void {
    const s = symbol.toUpperCase();
    this.recordBar(s, bar);
    this.#sendKline(s, bar, true, options?.force === true);
  }

  /** Makes `bar` truth (REST serves it) without sending it: a minute the stream lost. */
  recordBar(symbol: string, bar: Bar): void {
    this.#truth.set(symbol, bar);
  }

  /** Sends `bar` as a closed kline without making it truth (a stray or stale message). */
  sendBar(symbol: string, bar: Bar): void {
    this.#sendKline(symbol.toUpperCase(), bar, true, false);
  }

  emitPartial(symbol: string, bar: Bar): void {
    this.#sendKline(symbol.toUpperCase(), bar, false, false);
  }

  emitRaw(text: string): void {
    for (const c of this.#conns) if (!c.stalled) c.ws.send(text);
  }

  emitInvalid(symbol: string, time: number): void {
    this.#sendKline(
      symbol.toUpperCase(),
      { time, open: 100, high: 99, low: 101, close: 100, volume: 1 },
      true,
      false,
    );
  }

  /** Sends `serverShutdown`, Binance's notice that the connection is about to end. */
  emitServerShutdown(): void {
    const event = JSON.stringify({ e: "serverShutdown", E: this.#clock.now() });
    for (const c of this.#conns) c.ws.send(event);
  }

  dropConnections(): void {
    for (const c of this.#conns) c.ws.terminate();
  }

  refuseConnections(refuse: boolean): void {
    this.#endpoint.refuse = refuse;
  }

  stall(): void {
    for (const c of this.#conns) c.stalled = true;
  }

  heartbeat(): Promise<void> {
    return pingAndAwaitPongs(this.#conns, () => `hb${++this.#pingSeq}`);
  }

  scriptRest(statuses: readonly number[]): void {
    this.#rest.script(statuses);
  }

  truth(symbol: string): Bar[] {
    return this.#truth.of(symbol);
  }
}
