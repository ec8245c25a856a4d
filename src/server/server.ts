/**
 * The server: the JSON API, the dashboard and the WebSocket fan-out on one HTTP server.
 * `createServer` wires the parts over a session data store (and optionally a bar store to replay
 * from and an analysis engine); `startServer` also listens.
 */

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { type WebSocket, WebSocketServer } from "ws";
import type { TradingCalendar } from "../calendar/trading-calendar.js";
import type { BarStore } from "../history/bar-store.js";
import type { AdjustMode } from "../history/corporate/adjust-mode.js";
import type { SessionData } from "../store/public.js";
import type { ReplayAnalysis } from "../stream/public.js";
import { eventLoopTurnsHeld, holdEventLoopTurns } from "../stream/replay-clock.js";
import type { UpkeepEvent } from "../upkeep/public.js";
import {
  bearerOf,
  checkListenPolicy,
  hostIsLoopback,
  originMatchesHost,
  tokenMatches,
  upgradeToken,
} from "./auth.js";
import { GapLog } from "./gap-log.js";
import { historyRoutes } from "./history-routes.js";
import { Hub, type HubOptions } from "./hub.js";
import { ReplayController } from "./replay-controller.js";
import { apiRoutes } from "./routes.js";
import { clientMessageSchema, describeIssues } from "./schemas.js";
import { loadDashboard, mountDashboard } from "./static.js";
import { symbolSnapshot } from "./symbol-snapshot.js";

/** An analysis engine as the server uses it: `analyze`, and optionally a stream of results. */
export interface ServerAnalysis extends ReplayAnalysis {
  /** Results as they are computed; each must name its `symbol`. */
  subscribe?(listener: (result: { readonly symbol: string }) => void): () => void;
}

/**
 * A live feed's status as the server reports it (`GET /api/status`, `update.status` on the
 * WebSocket, the dashboard's header): `state` is the feed's (`connecting`, `live`,
 * `reconnecting`, `closed`); `lateBars` counts bars that arrived after their minute closed.
 */
export interface ServerStatus {
  readonly state: string;
  readonly reason?: string;
  /** Epoch ms of the status change. */
  readonly at?: number;
  readonly feed?: string;
  readonly lateBars?: number;
}

/** Where the server reads a live session's status: a LiveSession (or any feed wrapper). */
export interface ServerStatusSource {
  current(): ServerStatus;
  /** Hears every change; returns the unsubscribe function. */
  subscribe(listener: (status: ServerStatus) => void): () => void;
  /**
   * The minutes of `symbol` in `from <= minute < to` that raised `barLate` (epoch ms, in time
   * order): the dashboard marks their bars when they arrive.
   */
  lateMinutes?(symbol: string, from: number, to: number): readonly number[];
}

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** The store the API reads and replays write into. */
  readonly sessionData: SessionData;
  /** Where replays (and their gap repair) read bars; without one, starting a replay is a 409. */
  readonly barStore?: BarStore;
  /** Sessions of replays; the store's calendar by default. */
  readonly calendar?: TradingCalendar;
  /** Answers `/analysis` and feeds the `analysis` channel. */
  readonly analysis?: ServerAnalysis;
  /** Bearer token required on `/api/*` and `/ws` (the dashboard's files stay public). */
  readonly token?: string;
  /** Gap repair during replays (default true). */
  readonly upkeep?: boolean;
  /** Corporate actions of the dashboard's replays that name none (default `split`). */
  readonly adjust?: AdjustMode;
  /**
   * Indicator specs the history routes compute when a request names none (default
   * `sma:50, ema:20, rsi:14, macd`: the overlays and oscillators the dashboard draws).
   */
  readonly indicators?: readonly string[];
  /**
   * The status of a live session feeding `sessionData` (`sessiondata live --serve`); without one
   * the server reports only replays.
   */
  readonly status?: ServerStatusSource;
  /** Fan-out tuning: flush interval and per-client limits (see `hub-client.ts`). */
  readonly hub?: Omit<
    HubOptions,
    "snapshot" | "latestBar" | "listSymbols" | "replayState" | "status" | "busy"
  >;
}

/** A created server; `listen` puts it on the network. */
export interface SessiondataServer {
  /** The Hono app: `app.request(path)` answers without a socket (tests). */
  readonly app: Hono;
  readonly hub: Hub;
  readonly replay: ReplayController;
  readonly gaps: GapLog;
  /** Listens on `host:port` (port 0: any free port); resolves with the URL. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number; host: string }>;
  /** Stops the replay, closes every WebSocket and the HTTP server. */
  close(): Promise<void>;
}

/** What the history routes compute when a request names no indicators. */
const DEFAULT_HISTORY_INDICATORS = ["sma:50", "ema:20", "rsi:14", "macd"];

/** Largest message a WebSocket client may send (a subscription of 10,000 symbols fits). */
const MAX_CLIENT_MESSAGE = 256 * 1024;

/** An upkeep event as the `quality` channel sends it: flat, with the symbol at the top. */
function qualityMessage(e: UpkeepEvent) {
  if (e.type === "qualityChanged") return { ...e };
  const { gap, ...rest } = e;
  return { ...rest, symbol: gap.symbol, start: gap.start, end: gap.end, count: gap.count };
}

/**
 * Builds the server without listening.
 *
 * @example
 * ```ts
 * const server = createServer({ sessionData: getSessionData(), barStore });
 * const { url } = await server.listen(8080, "127.0.0.1");
 * // … later
 * await server.close();
 * ```
 */
export function createServer(options: ServerOptions): SessiondataServer {
  const sd = options.sessionData;
  const token = options.token;
  const gaps = new GapLog();
  // The hub needs the replay's state and the replay needs the hub's hooks: the hub reads it lazily.
  let replay: ReplayController | undefined;
  const hub = new Hub({
    ...options.hub,
    snapshot: (s) => symbolSnapshot(sd, s),
    latestBar: (s) => sd.getLatestBar(s),
    listSymbols: () => sd.symbols(),
    replayState: () => replay?.state,
    busy: eventLoopTurnsHeld,
    ...(options.status === undefined ? {} : { status: () => options.status?.current() }),
  });
  replay = new ReplayController({
    sessionData: sd,
    barStore: options.barStore,
    calendar: options.calendar ?? sd.calendar,
    ...(options.analysis === undefined ? {} : { analysis: options.analysis }),
    upkeep: options.upkeep ?? true,
    ...(options.adjust === undefined ? {} : { adjust: options.adjust }),
    hooks: {
      onReset: () => {
        gaps.clear();
        hub.reset({ type: "reset" });
      },
      onSlice: (time, bars) => hub.publishSlice(time, bars),
      onSession: (event, date) => hub.publishControl({ type: "session", event, date }),
      onUpkeep: (e) => {
        gaps.apply(e);
        hub.publishQuality(qualityMessage(e));
      },
      onState: () => hub.markReplay(),
    },
  });
  const unsubscribers: (() => void)[] = [];
  unsubscribers.push(
    sd.subscribe((e) => {
      if (e.type === "bar") hub.markBar(e.symbol);
    }),
  );
  if (options.status !== undefined) {
    unsubscribers.push(options.status.subscribe((status) => hub.markStatus(status)));
  }
  const analysis = options.analysis;
  if (analysis?.subscribe !== undefined) {
    unsubscribers.push(analysis.subscribe((result) => hub.markAnalysis(result.symbol, result)));
  }

  const app = new Hono();
  if (token === undefined) {
    app.use("*", async (c, next) => {
      if (!hostIsLoopback(c.req.header("host"))) {
        return c.json(
          {
            error: "forbidden",
            message: "Host must be a loopback address (127.0.0.1, localhost, ::1) without --token",
          },
          403,
        );
      }
      await next();
    });
  }
  if (token !== undefined) {
    app.use("/api/*", async (c, next) => {
      if (!tokenMatches(token, bearerOf(c.req.header("authorization")))) {
        c.header("WWW-Authenticate", 'Bearer realm="sessiondata"');
        return c.json({ error: "unauthorized", message: "missing or wrong bearer token" }, 401);
      }
      await next();
    });
  }
  mountDashboard(app, loadDashboard());
  app.get("/api/status", (c) =>
    c.json({
      live: options.status?.current() ?? null,
      replay: replay.state.state,
      sessionDate: sd.currentSession ?? null,
      analysis: options.analysis !== undefined,
    }),
  );
  historyRoutes(
    {
      barStore: options.barStore,
      calendar: options.calendar ?? sd.calendar,
      indicators: options.indicators ?? DEFAULT_HISTORY_INDICATORS,
      ...(options.status?.lateMinutes === undefined ? {} : { late: options.status }),
    },
    app,
  );
  apiRoutes(
    {
      sessionData: sd,
      replay,
      gaps,
      ...(analysis === undefined ? {} : { analysis }),
    },
    app,
  );

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE });
  wss.on("connection", (ws: WebSocket) => {
    const client = hub.addClient(ws);
    ws.on("message", (data, isBinary) => {
      let json: unknown;
      try {
        json = JSON.parse(isBinary ? "" : String(data));
      } catch {
        hub.reject(client, "message: is not valid JSON");
        return;
      }
      const parsed = clientMessageSchema.safeParse(json);
      if (parsed.success) hub.handleMessage(client, parsed.data);
      else hub.reject(client, describeIssues(parsed.error, "message"));
    });
    ws.on("close", () => hub.removeClient(client));
    ws.on("error", () => hub.removeClient(client));
  });

  let http: Server | undefined;
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/ws") {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const host = req.headers.host;
    if (
      (token === undefined && !hostIsLoopback(host)) ||
      !originMatchesHost(req.headers.origin, host)
    ) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    if (
      token !== undefined &&
      !tokenMatches(token, upgradeToken(req.url, req.headers.authorization))
    ) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="sessiondata"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  };

  return {
    app,
    hub,
    replay,
    gaps,
    listen(port = 8080, host = "127.0.0.1") {
      checkListenPolicy(host, token);
      if (http !== undefined) throw new Error("the server is already listening");
      const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server;
      http = server;
      server.on("upgrade", onUpgrade);
      // A request being answered holds turns of the event loop, so a max-speed replay yields
      // often until the response is written (or the connection closed) instead of every 5 ms.
      server.on("request", (_req: IncomingMessage, res: ServerResponse) => {
        res.once("close", holdEventLoopTurns());
      });
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const addr = server.address() as AddressInfo;
          const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
          resolve({ url: `http://${shown}:${addr.port}`, port: addr.port, host: addr.address });
        });
      });
    },
    async close() {
      for (const u of unsubscribers.splice(0)) u();
      if (replay.state.state === "running" || replay.state.state === "paused") replay.stop();
      await replay.settled();
      hub.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      const server = http;
      http = undefined;
      if (server !== undefined) {
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/** Options of {@link startServer}: {@link ServerOptions} plus where to listen. */
export interface StartServerOptions extends ServerOptions {
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1; any other address requires `token`. */
  readonly host?: string;
}

/**
 * Creates and starts a server. Refuses (InvalidArgumentError) to listen beyond loopback without
 * a token.
 *
 * @example
 * ```ts
 * const server = await startServer({ sessionData: getSessionData(), barStore, port: 0 });
 * console.log(server.url); // http://127.0.0.1:41234
 * ```
 */
export async function startServer(
  options: StartServerOptions,
): Promise<SessiondataServer & { readonly url: string; readonly port: number }> {
  checkListenPolicy(options.host ?? "127.0.0.1", options.token);
  const server = createServer(options);
  const { url, port } = await server.listen(options.port ?? 8080, options.host ?? "127.0.0.1");
  return Object.assign(server, { url, port });
}
