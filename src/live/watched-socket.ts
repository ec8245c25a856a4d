import WebSocket from "ws";
import type { WallClock } from "../domain/wall-clock.js";

/** What a {@link WatchedSocket} reports to the provider connection that owns it. */
export interface WatchedSocketHost {
  /** One text frame, as received. */
  onMessage(raw: string): void;
  /**
   * The socket ended after opening without `close()` being called: the server closed it or it
   * fell silent past the heartbeat limit (`reason`: why). Called once.
   */
  onEnded(reason: string): void;
}

/** Options of one watched socket. */
export interface WatchedSocketOptions {
  /** The full WebSocket URL. */
  readonly url: string;
  readonly clock: WallClock;
  /** Silence (no message, ping or pong) after which the socket is stalled (ms). */
  readonly heartbeatTimeoutMs: number;
  /** How long the opening handshake may take (ms). */
  readonly handshakeTimeoutMs: number;
}

/**
 * The WebSocket plumbing both provider connections (Binance's, Alpaca's) share: opens the socket,
 * counts any frame (message, ping, pong) as proof the server is alive, tears the socket down when
 * it stays silent past `heartbeatTimeoutMs`, optionally pings on its own, and tells a close on
 * purpose (`close()`, no report) from a drop (`onEnded`, once). The protocol on top (requests,
 * answers, what a message means) stays in the provider's connection.
 */
export class WatchedSocket {
  readonly #o: WatchedSocketOptions;
  readonly #host: WatchedSocketHost;
  #ws: WebSocket | undefined;
  #lastSeen = 0;
  #cancelWatch: (() => void) | undefined;
  #cancelPing: (() => void) | undefined;
  #closed = false;
  #down = false;

  constructor(options: WatchedSocketOptions, host: WatchedSocketHost) {
    this.#o = options;
    this.#host = host;
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Opens the socket; rejects when it cannot (refused, DNS, TLS, an HTTP answer, a close). */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.#o.url, {
        perMessageDeflate: false,
        handshakeTimeout: this.#o.handshakeTimeoutMs,
      });
      this.#ws = ws;
      let opened = false;
      ws.on("open", () => {
        opened = true;
        this.#lastSeen = this.#o.clock.now();
        this.#watch();
        resolve();
      });
      ws.on("message", (data) => {
        this.#lastSeen = this.#o.clock.now();
        this.#host.onMessage(String(data));
      });
      ws.on("ping", () => {
        this.#lastSeen = this.#o.clock.now();
      });
      ws.on("pong", () => {
        this.#lastSeen = this.#o.clock.now();
      });
      ws.on("error", (error) => {
        if (!opened) reject(error);
      });
      ws.on("unexpected-response", (_req, res) => {
        ws.terminate();
        if (!opened) reject(new Error(`handshake answered HTTP ${res.statusCode}`));
      });
      ws.on("close", (code, reason) => {
        if (!opened) {
          reject(new Error(`closed before opening (${code})`));
          return;
        }
        this.#ended(`connection closed (${code}${reason.length > 0 ? ` ${String(reason)}` : ""})`);
      });
    });
  }

  /** Sends one text frame (as `ws` does: nothing happens once the socket is closed). */
  send(text: string): void {
    this.#ws?.send(text);
  }

  /** Pings the server every `intervalMs` until the socket ends (for providers with no heartbeat). */
  startPinging(intervalMs: number): void {
    this.#cancelPing = this.#o.clock.schedule(
      () => {
        if (this.#closed || this.#down) return;
        if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.ping();
        this.startPinging(intervalMs);
      },
      intervalMs,
      { unref: true },
    );
  }

  /** Closes on purpose: no `onEnded`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    const ws = this.#ws;
    if (ws !== undefined && ws.readyState !== WebSocket.CLOSED) {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
    }
  }

  /** A periodic check on the clock rather than a timer reset per message: no work per bar. */
  #watch(): void {
    const every = Math.max(1, Math.floor(this.#o.heartbeatTimeoutMs / 2));
    this.#cancelWatch = this.#o.clock.schedule(
      () => {
        if (this.#closed || this.#down) return;
        const silent = this.#o.clock.now() - this.#lastSeen;
        if (silent > this.#o.heartbeatTimeoutMs) {
          this.#ws?.terminate();
          this.#ended(
            `heartbeat timeout: silent for ${silent} ms (limit ${this.#o.heartbeatTimeoutMs} ms)`,
          );
          return;
        }
        this.#watch();
      },
      every,
      { unref: true },
    );
  }

  #stopTimers(): void {
    this.#cancelWatch?.();
    this.#cancelPing?.();
  }

  #ended(reason: string): void {
    if (this.#closed || this.#down) return;
    this.#down = true;
    this.#stopTimers();
    this.#host.onEnded(reason);
  }
}
