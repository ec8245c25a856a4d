/**
 * A local stand-in for Alpaca's market data API v2 (stocks), for tests and benchmarks: a real
 * `ws` WebSocketServer at `/v2/{iex|sip|delayed_sip|test}` and a real `node:http` REST endpoint
 * `GET /v2/stocks/bars`, both writing the format of Alpaca's documentation (see
 * `alpaca-format.ts`): `[{"T":"success","msg":"connected"}]` on connect; `auth` answered
 * `authenticated` or error 402; `subscribe`/`unsubscribe` answered with the `subscription`
 * message; bars `T:"b"` and updated bars `T:"u"` in JSON arrays (several in one with
 * {@link FakeAlpaca.batch}); the error codes 400, 401, 402, 403, 404 (auth timeout), 405
 * (symbol limit), 406 (connection limit, one connection per key by default), 409 (a feed the
 * key's plan lacks). It implements the contract's {@link FakeExchange} so a test can drop,
 * stall, refuse and script failures.
 */
import type { WebSocket } from "ws";
import type { Bar } from "../../domain/bar.js";
import { systemClock, type WallClock } from "../../domain/wall-clock.js";
import { FakeEndpoint, FakeTruth, pingAndAwaitPongs } from "../fake-endpoint.js";
import type { FakeExchange } from "../fake-exchange.js";
import { ALPACA_ERROR_MESSAGES } from "./alpaca-errors.js";
import { rfc3339, wireOfBar } from "./alpaca-format.js";
import { answerCommand, type Conn, type ProtocolHost } from "./fake-alpaca-protocol.js";
import { FakeAlpacaRest } from "./fake-alpaca-rest.js";

/** Options of {@link FakeAlpaca}. */
export interface FakeAlpacaOptions {
  /** The clock auth time-outs, rate-limit resets and trade times run on; the system's by default. */
  readonly clock?: WallClock;
  /** The symbols the exchange lists (REST ignores others, as Alpaca does); every one by default. */
  readonly symbols?: readonly string[];
  /** The one key the exchange accepts (default `FAKEKEYID` / `FAKESECRET`). */
  readonly keyId?: string;
  readonly secretKey?: string;
  /** The feeds the key's plan includes; another one answers 409 after auth (default all). */
  readonly feeds?: readonly string[];
  /** Authenticated connections the key may hold at once (default 1, Alpaca's usual limit). */
  readonly connectionLimit?: number;
  /** Symbols one connection may subscribe (default unlimited, as for bars); more answer 405. */
  readonly symbolLimit?: number;
  /** The time a client has to authenticate before error 404 ends the connection (default 10 s). */
  readonly authTimeoutMs?: number;
  /** The port to listen on (default 0: any free one). */
  readonly port?: number;
}

const FEEDS = ["iex", "sip", "delayed_sip", "test"];

/**
 * @example
 * ```ts
 * const exchange = new FakeAlpaca({ symbols: ["AAPL", "MSFT"] });
 * await exchange.start();
 * const feed = new AlpacaBarFeed({ wsUrl: exchange.wsUrl, restUrl: exchange.restUrl,
 *   keyId: exchange.keyId, secretKey: exchange.secretKey });
 * exchange.emitBar("AAPL", bar);   // a T:"b" to every subscriber, and REST truth
 * await exchange.stop();
 * ```
 */
export class FakeAlpaca implements FakeExchange {
  /** The key id the exchange accepts. */
  readonly keyId: string;
  /** The secret the exchange accepts. */
  readonly secretKey: string;
  readonly #clock: WallClock;
  readonly #authTimeoutMs: number;
  /** The fake's state as the protocol handler sees it. */
  readonly #protocol: ProtocolHost;
  readonly #endpoint: FakeEndpoint<string>;
  readonly #truth = new FakeTruth();
  readonly #conns = new Set<Conn>();
  readonly #rest: FakeAlpacaRest;
  #authScript: number[] = [];
  #heldSlots = 0;
  #pingSeq = 0;
  #pingsReceived = 0;
  #batch: Map<Conn, object[]> | undefined;

  constructor(options: FakeAlpacaOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.keyId = options.keyId ?? "FAKEKEYID";
    this.secretKey = options.secretKey ?? "FAKESECRET";
    this.#protocol = {
      keyId: this.keyId,
      secretKey: this.secretKey,
      feeds: new Set(options.feeds ?? FEEDS),
      connectionLimit: options.connectionLimit ?? 1,
      symbolLimit: options.symbolLimit ?? Number.POSITIVE_INFINITY,
      slotsUsed: () => this.#slotsUsed(),
      nextScriptedAuth: () => this.#authScript.shift(),
      send: (conn, messages) => this.#send(conn, messages),
      fail: (conn, code, close) => this.#fail(conn, code, close),
    };
    this.#authTimeoutMs = options.authTimeoutMs ?? 10_000;
    this.#endpoint = new FakeEndpoint({
      port: options.port ?? 0,
      clock: this.#clock,
      // autoPong off: a stalled connection must not answer the client's pings either.
      autoPong: false,
      rest: (req, res) => this.#rest.answer(req, res),
      route: (url) => {
        const feed = /^\/v2\/([a-z_]+)$/.exec(url.pathname)?.[1];
        return feed !== undefined && FEEDS.includes(feed) ? feed : undefined;
      },
      accepted: (ws, feed) => this.#accepted(ws, feed),
    });
    this.#rest = new FakeAlpacaRest({
      clock: this.#clock,
      keyId: this.keyId,
      secretKey: this.secretKey,
      listed:
        options.symbols === undefined
          ? undefined
          : new Set(options.symbols.map((s) => s.toUpperCase())),
      truth: (symbol) => this.truth(symbol),
    });
  }

  /** `ws://127.0.0.1:PORT`: the feed's `wsUrl` (it appends `/v2/{feed}`). */
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
    return this.#rest.requests.length;
  }

  /** Every REST request so far: its URL (path and query) and headers, oldest first. */
  get restLog(): readonly {
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
  }[] {
    return this.#rest.requests;
  }

  /** Ping frames clients sent (each answered with a pong unless the connection is stalled). */
  get pingsReceived(): number {
    return this.#pingsReceived;
  }

  /** Connections open now, authenticated or not. */
  get openConnections(): number {
    return this.#conns.size;
  }

  /** Every text frame clients sent, oldest first (auth messages included: tests check them). */
  readonly received: string[] = [];

  /** Listens on 127.0.0.1. */
  start(): Promise<void> {
    return this.#endpoint.start();
  }

  /** Closes every connection and the servers. */
  async stop(): Promise<void> {
    for (const c of this.#conns) {
      c.cancelAuth();
      c.ws.terminate();
    }
    this.#conns.clear();
    await this.#endpoint.stop();
  }

  #accepted(ws: WebSocket, feed: string): void {
    const conn: Conn = {
      ws,
      feed,
      authenticated: false,
      bars: new Set(),
      updatedBars: new Set(),
      stalled: false,
      cancelAuth: () => undefined,
    };
    this.#conns.add(conn);
    conn.cancelAuth = this.#clock.schedule(
      () => {
        if (!conn.authenticated) this.#fail(conn, 404, true);
      },
      this.#authTimeoutMs,
      { unref: true },
    );
    ws.on("message", (data) => this.#command(conn, String(data)));
    ws.on("ping", (data) => {
      this.#pingsReceived++;
      if (!conn.stalled) ws.pong(data);
    });
    ws.on("close", () => {
      conn.cancelAuth();
      this.#conns.delete(conn);
    });
    ws.on("error", () => undefined);
    this.#send(conn, [{ T: "success", msg: "connected" }]);
  }

  #send(conn: Conn, messages: object[]): void {
    if (conn.stalled || conn.ws.readyState !== conn.ws.OPEN) return;
    if (this.#batch !== undefined) {
      let list = this.#batch.get(conn);
      if (list === undefined) this.#batch.set(conn, (list = []));
      list.push(...messages);
      return;
    }
    conn.ws.send(JSON.stringify(messages));
  }

  /** Sends error `code` with Alpaca's text; with `close`, ends the connection after it. */
  #fail(conn: Conn, code: number, close: boolean): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.ws.send(
      JSON.stringify([{ T: "error", code, msg: ALPACA_ERROR_MESSAGES[code] ?? "error" }]),
    );
    if (close) conn.ws.close(1000);
  }

  #slotsUsed(): number {
    let n = this.#heldSlots;
    for (const c of this.#conns) if (c.authenticated) n++;
    return n;
  }

  #command(conn: Conn, text: string): void {
    this.received.push(text);
    answerCommand(this.#protocol, conn, text);
  }

  #toSubscribers(
    symbol: string,
    channel: "bars" | "updatedBars",
    message: object,
    force = false,
  ): void {
    for (const c of this.#conns) {
      if (c.authenticated && (force || c[channel].has(symbol))) this.#send(c, [message]);
    }
  }

  /**
   * Runs `fn` and sends every message it emits to a connection as one JSON array, as Alpaca
   * batches the bars of a minute.
   */
  batch(fn: () => void): void {
    const outer = this.#batch === undefined;
    if (outer) this.#batch = new Map();
    try {
      fn();
    } finally {
      if (outer) {
        const batch = this.#batch!;
        this.#batch = undefined;
        for (const [conn, messages] of batch) this.#send(conn, messages);
      }
    }
  }

  subscribed(): string[] {
    const out = new Set<string>();
    for (const c of this.#conns) if (c.authenticated) for (const s of c.bars) out.add(s);
    return [...out].sort();
  }

  emitBar(symbol: string, bar: Bar, options?: { readonly force?: boolean }): void {
    const s = symbol.toUpperCase();
    this.#truth.set(s, bar);
    this.#toSubscribers(s, "bars", wireOfBar(bar, s, "b"), options?.force === true);
  }

  /** Sends `bar` as a `T:"b"` without making it truth (a stray or stale resend). */
  sendBar(symbol: string, bar: Bar): void {
    const s = symbol.toUpperCase();
    this.#toSubscribers(s, "bars", wireOfBar(bar, s, "b"));
  }

  /** Alpaca sends no bar still forming; the nearest thing is a trade (`T:"t"`), never a bar. */
  emitPartial(symbol: string, bar: Bar): void {
    const s = symbol.toUpperCase();
    const trade = {
      T: "t",
      S: s,
      i: ++this.#pingSeq,
      x: "V",
      p: bar.close,
      s: 100,
      c: ["@"],
      t: rfc3339(this.#clock.now()),
      z: "C",
    };
    this.#toSubscribers(s, "bars", trade);
  }

  /** An updated bar (`T:"u"`): the exchange's truth for that minute becomes `bar`. */
  emitCorrection(symbol: string, bar: Bar): void {
    const s = symbol.toUpperCase();
    this.#truth.set(s, bar);
    this.#toSubscribers(s, "updatedBars", wireOfBar(bar, s, "u"));
  }

  emitRaw(text: string): void {
    for (const c of this.#conns) if (!c.stalled && c.ws.readyState === c.ws.OPEN) c.ws.send(text);
  }

  emitInvalid(symbol: string, time: number): void {
    const s = symbol.toUpperCase();
    this.#toSubscribers(
      s,
      "bars",
      wireOfBar({ time, open: 100, high: 99, low: 101, close: 100, volume: 1 }, s, "b"),
    );
  }

  /** Sends error `code` to every connection; with `close`, ends each after it (407 slow client). */
  emitError(code: number, options?: { readonly close?: boolean }): void {
    for (const c of this.#conns) this.#fail(c, code, options?.close === true);
  }

  /** The next auth requests answer these error codes (then close), in order, before any succeeds. */
  scriptAuth(codes: readonly number[]): void {
    this.#authScript.push(...codes);
  }

  /** Pretends `n` other clients hold the key's connections (a ghost after a drop, another process). */
  holdConnectionSlots(n: number): void {
    this.#heldSlots = n;
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
