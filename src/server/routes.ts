/**
 * The HTTP JSON API. Every handler parses its path, query and body with the zod schemas of
 * `schemas.ts` before anything is looked up: a bad parameter is a 400 naming it, an unknown
 * symbol a 404, an action that does not fit the replay's state a 409.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { SessiondataError } from "../domain/errors.js";
import type { SessionData } from "../store/public.js";
import type { ReplayAnalysis } from "../stream/public.js";
import { ApiError } from "./api-error.js";
import type { GapLog } from "./gap-log.js";
import type { ReplayController } from "./replay-controller.js";
import { noParameters, parse, queryOf } from "./request-input.js";
import {
  barsQuerySchema,
  gapsQuerySchema,
  replayActionSchema,
  symbolParamSchema,
  timeframeQuerySchema,
} from "./schemas.js";
import { symbolSnapshot } from "./symbol-snapshot.js";

/** The largest `POST /api/replay` body read, bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** What the routes read and drive. */
export interface ApiContext {
  readonly sessionData: SessionData;
  readonly replay: ReplayController;
  readonly gaps: GapLog;
  /** Answers `/analysis`; without one that route answers 409. */
  readonly analysis?: ReplayAnalysis;
}

/** The path's symbol, validated, and known to the store (404 otherwise). */
function knownSymbol(sd: SessionData, params: Record<string, string>): string {
  const { symbol } = parse(symbolParamSchema, params, "symbol");
  if (sd.getSymbol(symbol) === undefined) {
    throw new ApiError(
      404,
      `unknown symbol ${JSON.stringify(symbol)}: no bars in the current session`,
    );
  }
  return symbol;
}

/**
 * Adds the `/api` routes over a context to `app` (a new one by default), with JSON 404 and error
 * handlers.
 *
 * @example
 * ```ts
 * const app = new Hono().route("/", apiRoutes({ sessionData, replay, gaps }));
 * const res = await app.request("/api/symbols/AAPL/bars?timeframe=5m&n=10");
 * ```
 */
export function apiRoutes(ctx: ApiContext, app: Hono = new Hono()): Hono {
  const sd = ctx.sessionData;

  app.get("/api/symbols", (c) => {
    noParameters(queryOf(c));
    const symbols = [];
    for (const s of sd.symbols()) {
      const snap = symbolSnapshot(sd, s);
      if (snap !== undefined) symbols.push(snap);
    }
    return c.json({
      sessionDate: sd.currentSession ?? null,
      clock: Number.isFinite(sd.clock) ? sd.clock : null,
      timeZone: sd.calendar.timeZone,
      symbols,
    });
  });

  app.get("/api/symbols/:symbol/latest", (c) => {
    const { timeframe } = parse(timeframeQuerySchema, queryOf(c), "query");
    const symbol = knownSymbol(sd, c.req.param());
    return c.json({ symbol, timeframe, bar: sd.getLatestBar(symbol, timeframe) ?? null });
  });

  app.get("/api/symbols/:symbol/bars", (c) => {
    const q = parse(barsQuerySchema, queryOf(c), "query");
    const symbol = knownSymbol(sd, c.req.param());
    const bars =
      q.since !== undefined
        ? sd.getBarsSince(symbol, q.since, q.timeframe)
        : sd.getLastNBars(symbol, q.n ?? 100, q.timeframe);
    return c.json({ symbol, timeframe: q.timeframe, bars });
  });

  app.get("/api/symbols/:symbol/metrics", (c) => {
    noParameters(queryOf(c));
    const symbol = knownSymbol(sd, c.req.param());
    return c.json(sd.getSessionMetrics(symbol) ?? null);
  });

  app.get("/api/symbols/:symbol/analysis", (c) => {
    noParameters(queryOf(c));
    const symbol = knownSymbol(sd, c.req.param());
    if (ctx.analysis === undefined)
      throw new ApiError(409, "the server runs without an analysis engine");
    const result = ctx.analysis.analyze(symbol);
    if (result === undefined)
      throw new ApiError(404, `no analysis for ${JSON.stringify(symbol)} yet`);
    return c.json(result);
  });

  app.get("/api/symbols/:symbol/gaps", (c) => {
    noParameters(queryOf(c));
    const symbol = knownSymbol(sd, c.req.param());
    const m = sd.getSessionMetrics(symbol);
    return c.json({
      symbol,
      sessionDate: sd.currentSession ?? null,
      missing: m?.missingBarCount ?? 0,
      filled: m?.filledBarCount ?? 0,
      unfillable: m?.unfillableBarCount ?? 0,
      quality: m === undefined || !Number.isFinite(m.barQuality) ? null : m.barQuality,
      gaps: ctx.gaps.forSymbol(symbol),
    });
  });

  app.get("/api/gaps", (c) => {
    const { limit } = parse(gapsQuerySchema, queryOf(c), "query");
    const gaps = ctx.gaps.all();
    return c.json({
      counts: ctx.gaps.counts(),
      gaps: limit === undefined ? gaps : gaps.slice(0, limit),
    });
  });

  app.get("/api/replay", (c) => {
    noParameters(queryOf(c));
    return c.json(ctx.replay.state);
  });

  app.post(
    "/api/replay",
    // The largest valid body (5,000 symbols of 32 characters) is ~200 KB; nothing bigger is read.
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          { error: "payload_too_large", message: `body: larger than ${MAX_BODY_BYTES} bytes` },
          413,
        ),
    }),
    async (c) => {
      noParameters(queryOf(c));
      // Only a declared JSON body: a web page may send a "simple" cross-site POST (text/plain or a
      // form) without asking first, but must ask (CORS preflight, which this server never grants)
      // before sending application/json, so no other site can drive the replay.
      const type = c.req.header("content-type") ?? "";
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        throw new ApiError(
          415,
          `Content-Type: must be application/json (got ${type === "" ? "none" : JSON.stringify(type)})`,
        );
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new ApiError(400, 'body: is not valid JSON (expected e.g. {"action":"pause"})');
      }
      const action = parse(replayActionSchema, body, "body");
      const replay = ctx.replay;
      switch (action.action) {
        case "start":
          return c.json(await replay.start(action), 202);
        case "pause":
          return c.json(replay.pause());
        case "resume":
          return c.json(replay.resume());
        case "stop":
          return c.json(replay.stop());
        case "speed":
          return c.json(replay.setSpeed(action.speed));
      }
    },
  );

  app.notFound((c) =>
    c.json({ error: "not_found", message: `no route ${c.req.method} ${c.req.path}` }, 404),
  );

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json({ error: error.code, message: error.message }, error.status);
    }
    // A refusal from a lower layer that slipped past validation is still the caller's input.
    if (error instanceof SessiondataError) {
      return c.json({ error: "bad_request", message: error.message }, 400);
    }
    console.error("sessiondata server:", error);
    return c.json({ error: "internal", message: "internal server error" }, 500);
  });

  return app;
}
