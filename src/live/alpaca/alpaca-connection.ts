import type { WallClock } from "../../domain/wall-clock.js";
import { WatchedSocket } from "../watched-socket.js";
import { ALPACA_ERROR_MESSAGES, AlpacaError } from "./alpaca-errors.js";

/** What an {@link AlpacaConnection} reports to the feed that owns it. */
export interface AlpacaConnectionHost {
  /** A `T:"b"` (bar) or `T:"u"` (updated bar) element of a message. */
  onBar(element: Record<string, unknown>, updated: boolean): void;
  /** A message that is not JSON, not an array, or an element without the fields Alpaca sends. */
  onMalformed(raw: string, why: string): void;
  /** A `T:"error"` the server sent while no request was waiting for an answer. */
  onProviderError(error: AlpacaError): void;
  /** The socket ended without `close()` being called (`reason`: why). */
  onDown(connection: AlpacaConnection, reason: string): void;
}

/** Options of one connection (the feed's, passed through). */
export interface AlpacaConnectionOptions {
  /** The full stream URL, `wss://stream.data.alpaca.markets/v2/iex`. */
  readonly url: string;
  readonly keyId: string;
  readonly secretKey: string;
  readonly clock: WallClock;
  /** Silence (no message, ping or pong) after which the connection is stalled (ms). */
  readonly heartbeatTimeoutMs: number;
  /** How often the client pings the server (ms). */
  readonly pingIntervalMs: number;
  /** How long the handshake, auth or a subscribe may take before it counts as failed (ms). */
  readonly requestTimeoutMs: number;
  /** The feed's name for errors. */
  readonly name: string;
}

interface Pending {
  readonly what: "connected" | "authenticated" | "subscription";
  resolve(): void;
  reject(error: Error): void;
  cancel: () => void;
}

/**
 * One WebSocket to Alpaca's stock stream (`/v2/{feed}`): waits for `connected`, authenticates
 * with an `auth` message (Alpaca allows 10 s for it), then subscribes and unsubscribes `bars`
 * and `updatedBars` together. Alpaca's answers carry no request id, so requests wait in order:
 * each `subscription` message answers the oldest one and an error code in between refuses it.
 * Alpaca's documentation names no heartbeat of its own, so the client pings every
 * `pingIntervalMs` and any frame (message, ping, pong) proves the server alive; silence longer
 * than `heartbeatTimeoutMs` tears the socket down for the feed to reconnect.
 */
export class AlpacaConnection {
  /** The symbols subscribed (or being subscribed) on this connection, upper case. */
  readonly symbols = new Set<string>();
  readonly #o: AlpacaConnectionOptions;
  readonly #host: AlpacaConnectionHost;
  readonly #socket: WatchedSocket;
  readonly #pending: Pending[] = [];
  #authenticated = false;

  constructor(options: AlpacaConnectionOptions, host: AlpacaConnectionHost) {
    this.#o = options;
    this.#host = host;
    this.#socket = new WatchedSocket(
      {
        url: options.url,
        clock: options.clock,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        handshakeTimeoutMs: options.requestTimeoutMs,
      },
      { onMessage: (raw) => this.#message(raw), onEnded: (reason) => this.#ended(reason) },
    );
  }

  /** Whether the socket is open and authenticated. */
  get open(): boolean {
    return this.#authenticated && this.#socket.open;
  }

  /**
   * Opens the socket, waits for `connected`, authenticates. Rejects with an {@link AlpacaError}
   * for an error code (402 auth failed, 406 connection limit, 409 …) or an `Error` when the
   * socket cannot open or the server does not answer in time.
   */
  async connect(): Promise<void> {
    const connected = this.#expect("connected");
    await this.#socket.connect().catch((error: Error) => {
      this.#failPending(error);
      throw error;
    });
    await connected;
    const authenticated = this.#expect("authenticated");
    this.#send({ action: "auth", key: this.#o.keyId, secret: this.#o.secretKey });
    await authenticated;
    this.#authenticated = true;
    this.#socket.startPinging(this.#o.pingIntervalMs);
  }

  /** Subscribes `symbols` to `bars` and `updatedBars`; resolves on Alpaca's `subscription`. */
  subscribe(symbols: readonly string[]): Promise<void> {
    for (const s of symbols) this.symbols.add(s);
    return this.#request("subscribe", symbols);
  }

  /** Unsubscribes `symbols` from both channels; resolves on Alpaca's `subscription`. */
  unsubscribe(symbols: readonly string[]): Promise<void> {
    for (const s of symbols) this.symbols.delete(s);
    return this.#request("unsubscribe", symbols);
  }

  /** Closes on purpose: no `onDown`. */
  close(): void {
    if (this.#socket.closed) return;
    this.#failPending(new Error("connection closed"));
    this.#socket.close();
  }

  #request(action: "subscribe" | "unsubscribe", symbols: readonly string[]): Promise<void> {
    if (symbols.length === 0) return Promise.resolve();
    if (!this.open) return Promise.reject(new Error(`${action}: the connection is not open`));
    const answered = this.#expect("subscription");
    this.#send({ action, bars: symbols, updatedBars: symbols });
    return answered;
  }

  #send(message: object): void {
    this.#socket.send(JSON.stringify(message));
  }

  #expect(what: Pending["what"]): Promise<void> {
    const answered = new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        what,
        resolve,
        reject,
        cancel: this.#o.clock.schedule(
          () => {
            const at = this.#pending.indexOf(pending);
            if (at >= 0) this.#pending.splice(at, 1);
            reject(
              new Error(`no "${what}" from ${this.#o.url} within ${this.#o.requestTimeoutMs} ms`),
            );
          },
          this.#o.requestTimeoutMs,
          { unref: true },
        ),
      };
      this.#pending.push(pending);
    });
    // It may be refused before anyone awaits it (the socket closed during the handshake).
    answered.catch(() => undefined);
    return answered;
  }

  /** Settles the oldest pending request if it waits for `what`. */
  #answer(what: Pending["what"]): void {
    const first = this.#pending[0];
    if (first === undefined || first.what !== what) return;
    this.#pending.shift();
    first.cancel();
    first.resolve();
  }

  #message(raw: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch (error) {
      this.#host.onMalformed(raw, `not JSON (${(error as Error).message})`);
      return;
    }
    if (!Array.isArray(msg)) {
      this.#host.onMalformed(raw, "not a JSON array (Alpaca batches every message in one)");
      return;
    }
    for (let i = 0; i < msg.length; i++) {
      const m = msg[i] as Record<string, unknown> | null;
      if (m === null || typeof m !== "object" || typeof m.T !== "string") {
        this.#host.onMalformed(raw, `element ${i} has no "T"`);
        continue;
      }
      switch (m.T) {
        case "b":
          this.#host.onBar(m, false);
          break;
        case "u":
          this.#host.onBar(m, true);
          break;
        case "success":
          if (m.msg === "connected") this.#answer("connected");
          else if (m.msg === "authenticated") this.#answer("authenticated");
          break;
        case "subscription":
          this.#answer("subscription");
          break;
        case "error":
          this.#error(m);
          break;
        // Trades, quotes, daily bars, statuses, LULDs, corrections: not asked for, not bars.
      }
    }
  }

  #error(m: Record<string, unknown>): void {
    const code = typeof m.code === "number" ? m.code : 0;
    const text = typeof m.msg === "string" ? m.msg : (ALPACA_ERROR_MESSAGES[code] ?? "unknown");
    const error = new AlpacaError(this.#o.name, code, `${text}, from ${this.#o.url}`);
    const first = this.#pending[0];
    if (first !== undefined) {
      this.#pending.shift();
      first.cancel();
      first.reject(error);
      return;
    }
    this.#host.onProviderError(error);
  }

  /** The socket dropped (closed by the server or silent too long). */
  #ended(reason: string): void {
    this.#failPending(new Error(reason));
    // Before auth succeeded, connect() rejects with the reason: nothing was up to go down.
    if (this.#authenticated) this.#host.onDown(this, reason);
  }

  #failPending(error: Error): void {
    for (const p of this.#pending.splice(0)) {
      p.cancel();
      p.reject(error);
    }
  }
}
