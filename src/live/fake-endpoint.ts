import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Bar } from "../domain/bar.js";
import type { WallClock } from "../domain/wall-clock.js";

/** What a fake exchange plugs into its {@link FakeEndpoint}. */
export interface FakeEndpointOptions<R> {
  /** The port to listen on (0: any free one). */
  readonly port: number;
  readonly clock: WallClock;
  /** Whether `ws` answers pings by itself (off when a stalled connection must stay silent). */
  readonly autoPong: boolean;
  /** Answers one REST request. */
  rest(req: IncomingMessage, res: ServerResponse): void;
  /** What an upgrade's path asks for (`undefined`: a path the provider has not, 404). */
  route(url: URL): R | undefined;
  /** A WebSocket accepted on `route`. */
  accepted(ws: WebSocket, route: R): void;
}

/**
 * The server plumbing the fake exchanges share: one `node:http` server on 127.0.0.1 answering
 * REST and upgrading WebSockets on the routes the provider has, counting attempts and accepted
 * connections, refusing upgrades with 503 on demand.
 */
export class FakeEndpoint<R> {
  /** The clock time of every upgrade attempt (accepted or refused), oldest first. */
  readonly attempts: number[] = [];
  /** WebSocket connections accepted so far. */
  connections = 0;
  /** Whether new connections are refused (503). */
  refuse = false;
  readonly #o: FakeEndpointOptions<R>;
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #url = "";

  constructor(options: FakeEndpointOptions<R>) {
    this.#o = options;
  }

  /** `ws://127.0.0.1:PORT`. */
  get wsUrl(): string {
    return this.#url.replace("http:", "ws:");
  }

  /** `http://127.0.0.1:PORT`. */
  get restUrl(): string {
    return this.#url;
  }

  /** Listens on 127.0.0.1. */
  async start(): Promise<void> {
    const wss = new WebSocketServer({ noServer: true, autoPong: this.#o.autoPong });
    const http = createServer((req, res) => this.#o.rest(req, res));
    http.on("upgrade", (req, socket, head) => this.#upgrade(wss, req, socket, head));
    this.#wss = wss;
    this.#http = http;
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(this.#o.port, "127.0.0.1", () => resolve());
    });
    const { port } = http.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}`;
  }

  /** Closes the servers (the fake terminates its connections first). */
  async stop(): Promise<void> {
    this.#wss?.close();
    const http = this.#http;
    this.#http = undefined;
    if (http !== undefined) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  #upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.attempts.push(this.#o.clock.now());
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = this.#o.route(url);
    if (this.refuse || route === undefined) {
      socket.end(
        `HTTP/1.1 ${this.refuse ? "503 Service Unavailable" : "404 Not Found"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      this.connections++;
      this.#o.accepted(ws, route);
    });
  }
}

/** A fake's server-side connection, as far as the shared helpers need it. */
export interface FakeSocket {
  readonly ws: WebSocket;
  /** Silent: sends nothing, answers nothing. */
  stalled: boolean;
}

/**
 * Pings every open, non-stalled connection with a payload of its own and resolves once each
 * answered with that payload's pong, closed, or 2 s passed (the contract's `heartbeat()`).
 */
export async function pingAndAwaitPongs(
  conns: Iterable<FakeSocket>,
  nextPayload: () => string,
): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const c of conns) {
    if (c.stalled || c.ws.readyState !== c.ws.OPEN) continue;
    const payload = nextPayload();
    waits.push(
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, 2_000);
        function done(): void {
          clearTimeout(timer);
          c.ws.off("pong", onPong);
          c.ws.off("close", done);
          resolve();
        }
        function onPong(data: Buffer): void {
          if (String(data) === payload) done();
        }
        c.ws.on("pong", onPong);
        c.ws.on("close", done);
        c.ws.ping(payload);
      }),
    );
  }
  await Promise.all(waits);
}

/** A fake exchange's truth: the last bar published for each (symbol, minute). */
export class FakeTruth {
  readonly #bars = new Map<string, Map<number, Bar>>();

  /** Makes a copy of `bar` the truth for (`symbol` upper case, `bar.time`). */
  set(symbol: string, bar: Bar): void {
    const s = symbol.toUpperCase();
    let bars = this.#bars.get(s);
    if (bars === undefined) this.#bars.set(s, (bars = new Map()));
    bars.set(bar.time, { ...bar });
  }

  /** Every bar of `symbol`, in time order. */
  of(symbol: string): Bar[] {
    const bars = this.#bars.get(symbol.toUpperCase());
    return bars === undefined ? [] : [...bars.values()].sort((a, b) => a.time - b.time);
  }
}
