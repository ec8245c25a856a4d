import type { WallClock } from "../../domain/wall-clock.js";
import { WatchedSocket } from "../watched-socket.js";

/** What a {@link KlineConnection} reports to the feed that owns it. */
export interface ConnectionHost {
  /** A combined-stream message's `stream` and `data`, or the raw text when it is not one. */
  onData(stream: string, data: Record<string, unknown>): void;
  /** A message that is not JSON or has no shape Binance sends. */
  onMalformed(raw: string, why: string): void;
  /** An `{"error":…}` answer to a request, or a `serverShutdown` notice. */
  onProvider(message: string, shutdown: boolean): void;
  /** The socket ended without `close()` being called (`reason`: why). */
  onDown(connection: KlineConnection, reason: string): void;
}

/** Options of one connection (the feed's, passed through). */
export interface KlineConnectionOptions {
  readonly wsUrl: string;
  readonly clock: WallClock;
  readonly heartbeatTimeoutMs: number;
  /** How long a SUBSCRIBE may go unanswered before the connection is deemed broken (ms). */
  readonly requestTimeoutMs: number;
}

/** Requests sent a second at most: under Binance's 5 (pongs count towards it too). */
const REQUESTS_PER_SECOND = 3;

interface Pending {
  resolve(): void;
  reject(error: Error): void;
  cancel: () => void;
}

/**
 * One WebSocket to Binance's combined stream endpoint (`/stream`), holding up to 1,024 kline
 * streams. It subscribes with live `SUBSCRIBE` requests (one message for many streams, so the
 * 5-messages-a-second limit is never near), answers pings (the `ws` library pongs with the ping's
 * payload, as Binance asks) and watches for silence: Binance pings every 20 s, so no frame at all
 * for `heartbeatTimeoutMs` means a stalled stream, and the connection is torn down for the feed
 * to reconnect.
 */
export class KlineConnection {
  /** The streams (`btcusdt@kline_1m`) this connection holds or is subscribing. */
  readonly streams = new Set<string>();
  readonly #o: KlineConnectionOptions;
  readonly #host: ConnectionHost;
  readonly #socket: WatchedSocket;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #queue: string[] = [];
  /** Clock times of the requests sent in the last second, oldest first. */
  readonly #sentAt: number[] = [];
  #drainTimer: (() => void) | undefined;

  constructor(options: KlineConnectionOptions, host: ConnectionHost) {
    this.#o = options;
    this.#host = host;
    this.#socket = new WatchedSocket(
      {
        url: `${options.wsUrl.replace(/\/+$/, "")}/stream`,
        clock: options.clock,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        handshakeTimeoutMs: options.requestTimeoutMs,
      },
      { onMessage: (raw) => this.#message(raw), onEnded: (reason) => this.#ended(reason) },
    );
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.#socket.open;
  }

  /** Opens the socket; rejects when it cannot (refused, DNS, TLS). */
  connect(): Promise<void> {
    return this.#socket.connect();
  }

  /** Subscribes `streams`; resolves when Binance answered `{"result":null}`. */
  subscribe(streams: readonly string[]): Promise<void> {
    for (const s of streams) this.streams.add(s);
    return this.#request("SUBSCRIBE", streams);
  }

  /** Unsubscribes `streams`; resolves when answered. */
  unsubscribe(streams: readonly string[]): Promise<void> {
    for (const s of streams) this.streams.delete(s);
    return this.#request("UNSUBSCRIBE", streams);
  }

  /** Closes on purpose: no `onDown`. */
  close(): void {
    if (this.#socket.closed) return;
    this.#drainTimer?.();
    this.#queue.length = 0;
    this.#failPending(new Error("connection closed"));
    this.#socket.close();
  }

  #request(method: string, params: readonly string[]): Promise<void> {
    if (params.length === 0) return Promise.resolve();
    if (!this.#socket.open) {
      return Promise.reject(new Error(`${method}: the connection is not open`));
    }
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      const cancel = this.#o.clock.schedule(
        () => {
          this.#pending.delete(id);
          reject(new Error(`${method} id ${id} unanswered after ${this.#o.requestTimeoutMs} ms`));
        },
        this.#o.requestTimeoutMs,
        { unref: true },
      );
      this.#pending.set(id, { resolve, reject, cancel });
      this.#paced(JSON.stringify({ method, params, id }));
    });
  }

  /**
   * Sends a request within Binance's limit of 5 incoming messages a second per connection (a
   * connection above it is dropped): at most {@link REQUESTS_PER_SECOND} in any second of the
   * clock, later ones queued.
   */
  #paced(text: string): void {
    this.#queue.push(text);
    this.#drain();
  }

  #drain(): void {
    if (this.#drainTimer !== undefined) return;
    const now = this.#o.clock.now();
    const sent = this.#sentAt;
    while (sent.length > 0 && sent[0]! <= now - 1_000) sent.shift();
    while (this.#queue.length > 0 && sent.length < REQUESTS_PER_SECOND) {
      const text = this.#queue.shift()!;
      if (!this.#socket.open) continue;
      this.#socket.send(text);
      sent.push(now);
    }
    if (this.#queue.length > 0) {
      const cancel = this.#o.clock.schedule(
        () => {
          this.#drainTimer = undefined;
          this.#drain();
        },
        sent[0]! + 1_000 - now,
        { unref: true },
      );
      this.#drainTimer = cancel;
    }
  }

  #message(raw: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch (error) {
      this.#host.onMalformed(raw, `not JSON (${(error as Error).message})`);
      return;
    }
    if (msg === null || typeof msg !== "object" || Array.isArray(msg)) {
      this.#host.onMalformed(raw, "not a JSON object");
      return;
    }
    const m = msg as Record<string, unknown>;
    const data = m.data;
    if (typeof m.stream === "string" && data !== null && typeof data === "object") {
      const d = data as Record<string, unknown>;
      if (d.e === "serverShutdown") this.#host.onProvider("serverShutdown", true);
      else this.#host.onData(m.stream, d);
      return;
    }
    if (m.e === "serverShutdown") {
      this.#host.onProvider("serverShutdown", true);
      return;
    }
    if ("id" in m && ("result" in m || "error" in m)) {
      const pending = typeof m.id === "number" ? this.#pending.get(m.id) : undefined;
      if (m.error !== undefined) {
        const text = `request ${String(m.id)} refused: ${JSON.stringify(m.error)}`;
        if (pending !== undefined) {
          this.#pending.delete(m.id as number);
          pending.cancel();
          pending.reject(new Error(text));
        } else this.#host.onProvider(text, false);
        return;
      }
      if (pending !== undefined) {
        this.#pending.delete(m.id as number);
        pending.cancel();
        pending.resolve();
      }
      return;
    }
    this.#host.onMalformed(raw, "neither a stream message nor an answer to a request");
  }

  /** The socket dropped (closed by the server or silent too long). */
  #ended(reason: string): void {
    this.#failPending(new Error(reason));
    this.#host.onDown(this, reason);
  }

  #failPending(error: Error): void {
    for (const p of this.#pending.values()) {
      p.cancel();
      p.reject(error);
    }
    this.#pending.clear();
  }
}
