import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/public.js";
import { InvalidArgumentError } from "../domain/errors.js";
import type { MemoryBarStore } from "../history/memory-bar-store.js";
import { SessionData } from "../store/public.js";
import { createServer, type SessiondataServer, startServer } from "./server.js";
import { sampleStore } from "./server.test-helpers.js";

const DAY = "2024-01-03";
const OPEN = xnysCalendar.session(DAY)!.open;
let store: MemoryBarStore;

beforeAll(async () => {
  // B lacks minutes 30..39 of the session: upkeep finds them missing and the store cannot fill them.
  store = await sampleStore({
    symbols: ["AAA", "BBB", "CCC"],
    from: DAY,
    to: DAY,
    holes: [["BBB", 30, 10]],
  });
});

let server: SessiondataServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function make(options: Partial<Parameters<typeof createServer>[0]> = {}): SessiondataServer {
  server = createServer({
    sessionData: new SessionData({ calendar: xnysCalendar }),
    barStore: store,
    ...options,
  });
  return server;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in expectations
type Body = Record<string, any>;

async function json(s: SessiondataServer, path: string, init?: RequestInit) {
  const res = await s.app.request(path, init);
  return { status: res.status, body: (await res.json()) as Body };
}

const post = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

/** A server that has replayed the whole sample session at max speed. */
async function replayed(options: Partial<Parameters<typeof createServer>[0]> = {}) {
  const s = make(options);
  const started = await json(s, "/api/replay", post({ action: "start" }));
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  await s.replay.settled();
  return s;
}

describe("GET /api/symbols", () => {
  it("lists nothing before a replay", async () => {
    const { status, body } = await json(make(), "/api/symbols");
    expect(status).toBe(200);
    expect(body.symbols).toEqual([]);
    expect(body.timeZone).toBe("America/New_York");
  });

  it("lists every symbol with its last price, change and quality after a replay", async () => {
    const s = await replayed();
    const { body } = await json(s, "/api/symbols");
    expect(body.sessionDate).toBe(DAY);
    expect(body.symbols.map((x: { symbol: string }) => x.symbol)).toEqual(["AAA", "BBB", "CCC"]);
    const b = body.symbols[1];
    expect(b.time).toBe(OPEN + 389 * 60_000);
    expect(b.changePct).toBeCloseTo(((b.close - b.sessionOpen) / b.sessionOpen) * 100, 9);
    expect(b.quality, "10 of 390 minutes missing").toBeCloseTo((380 / 390) * 100, 9);
  });

  it("refuses unknown query parameters", async () => {
    const { status, body } = await json(make(), "/api/symbols?x=1");
    expect(status).toBe(400);
    expect(body.message).toBe("x: unknown parameter");
  });
});

describe("symbol routes", () => {
  let s: SessiondataServer;
  beforeAll(async () => {
    s = await replayed();
  });

  it("GET latest answers the latest bar per timeframe", async () => {
    const sd = (await json(s, "/api/symbols/AAA/latest")).body;
    expect(sd.timeframe).toBe("1m");
    expect(sd.bar.time).toBe(OPEN + 389 * 60_000);
    const five = (await json(s, "/api/symbols/AAA/latest?timeframe=5m")).body;
    expect(five.bar.time).toBe(OPEN + 385 * 60_000);
  });

  it.each([
    [
      "/api/symbols/AAA/latest?timeframe=2m",
      /^timeframe: must be one of 1m, 5m, 15m, 30m, 1h \(got "2m"\)$/,
    ],
    ["/api/symbols/AAA/latest?tf=1m", /^tf: unknown parameter$/],
    ["/api/symbols/A%20B/latest", /^symbol: must be 1-32 letters/],
    ["/api/symbols/AAA/bars?n=0", /^n: must be at least 1$/],
    ["/api/symbols/AAA/bars?n=abc", /^n: must be an integer$/],
    ["/api/symbols/AAA/bars?n=1e3", /^n: must be an integer$/],
    ["/api/symbols/AAA/bars?n=10001", /^n: must be at most 10000$/],
    ["/api/symbols/AAA/bars?since=-5", /^since: must be at least 0$/],
    ["/api/symbols/AAA/bars?n=5&since=0", /^since: give either n or since, not both$/],
    ["/api/symbols/AAA/bars?timeframe=1d&n=x", /timeframe: .*; n: must be an integer/],
    ["/api/symbols/AAA/metrics?full=1", /^full: unknown parameter$/],
    ["/api/symbols/AAA/gaps?status=open", /^status: unknown parameter$/],
  ])("GET %s is a 400 naming the parameter", async (path, message) => {
    const { status, body } = await json(s, path);
    expect(status).toBe(400);
    expect(body.error).toBe("bad_request");
    expect(body.message).toMatch(message);
  });

  it.each(["latest", "bars", "metrics", "analysis", "gaps"])(
    "GET /api/symbols/ZZZ/%s is a 404 for an unknown symbol",
    async (route) => {
      const { status, body } = await json(s, `/api/symbols/ZZZ/${route}`);
      expect(status).toBe(404);
      expect(body.message).toContain('"ZZZ"');
    },
  );

  it("validates before looking up: a bad parameter of an unknown symbol is a 400", async () => {
    expect((await json(s, "/api/symbols/ZZZ/bars?n=0")).status).toBe(400);
  });

  it("GET bars answers the last n bars or the bars since a time, oldest first", async () => {
    const last = (await json(s, "/api/symbols/CCC/bars?n=5")).body.bars;
    expect(last.map((b: { time: number }) => b.time)).toEqual(
      [385, 386, 387, 388, 389].map((m) => OPEN + m * 60_000),
    );
    const since = (await json(s, `/api/symbols/CCC/bars?since=${OPEN + 370 * 60_000}`)).body.bars;
    expect(since).toHaveLength(20);
    const fifteen = (await json(s, "/api/symbols/CCC/bars?timeframe=15m&n=100")).body.bars;
    expect(fifteen, "390 minutes are 26 15m bars").toHaveLength(26);
    const dflt = (await json(s, "/api/symbols/CCC/bars")).body.bars;
    expect(dflt, "n defaults to 100").toHaveLength(100);
  });

  it("GET metrics answers the session metrics with the missing count", async () => {
    const m = (await json(s, "/api/symbols/BBB/metrics")).body;
    expect(m).toMatchObject({
      symbol: "BBB",
      sessionDate: DAY,
      barCount: 380,
      expectedBarCount: 390,
    });
    expect(m.missingBarCount).toBe(10);
    expect(m.unfillableBarCount, "the store lacks them too").toBe(10);
  });

  it("GET gaps lists the injected gap as unfillable", async () => {
    const g = (await json(s, "/api/symbols/BBB/gaps")).body;
    expect(g).toMatchObject({ symbol: "BBB", missing: 10, unfillable: 10 });
    expect(g.gaps).toEqual([
      expect.objectContaining({
        symbol: "BBB",
        start: OPEN + 30 * 60_000,
        end: OPEN + 40 * 60_000,
        count: 10,
        status: "unfillable",
      }),
    ]);
    expect((await json(s, "/api/symbols/AAA/gaps")).body.gaps).toEqual([]);
    const all = (await json(s, "/api/gaps")).body;
    expect(all.counts).toMatchObject({ unfillable: 1, detected: 0, filled: 0 });
  });

  it("GET analysis is a 409 without an analysis engine", async () => {
    const { status, body } = await json(s, "/api/symbols/AAA/analysis");
    expect(status).toBe(409);
    expect(body.message).toMatch(/analysis engine/);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const { status, body } = await json(s, "/api/nothing");
    expect(status).toBe(404);
    expect(body.error).toBe("not_found");
  });
});

describe("GET /api/symbols/:symbol/analysis with an engine", () => {
  it("answers the engine's result", async () => {
    const analysis = {
      analyze: (symbol: string) =>
        symbol === "AAA" ? { symbol, indicators: { sma50: 1 }, trend: "bullish" } : undefined,
    };
    const s = await replayed({ analysis });
    expect((await json(s, "/api/symbols/AAA/analysis")).body).toEqual({
      symbol: "AAA",
      indicators: { sma50: 1 },
      trend: "bullish",
    });
    expect((await json(s, "/api/symbols/BBB/analysis")).status, "engine has nothing yet").toBe(404);
  });
});

describe("/api/replay", () => {
  it("is idle before anything plays and finished after", async () => {
    const s = make();
    expect((await json(s, "/api/replay")).body).toMatchObject({ state: "idle", slices: 0 });
    await json(s, "/api/replay", post({ action: "start", symbols: ["AAA"] }));
    await s.replay.settled();
    const done = (await json(s, "/api/replay")).body;
    expect(done).toMatchObject({
      state: "finished",
      from: DAY,
      to: DAY,
      symbols: 1,
      slices: 390,
      bars: 390,
      fraction: 1,
    });
    expect(done.report).toMatchObject({ sessions: 1, slices: 390, bars: 390 });
  });

  it.each([
    [{ action: "jump" }, /^action: must be one of "start", "pause", "resume", "stop", "speed"$/],
    [{}, /^action: must be one of/],
    [{ action: "speed" }, /^speed: /],
    [{ action: "speed", speed: -2 }, /^speed: /],
    [{ action: "speed", speed: "fast" }, /^speed: /],
    [{ action: "start", from: "2024-13-01" }, /^from: is not a real calendar date$/],
    [{ action: "start", to: "Jan 3" }, /^to: must be a YYYY-MM-DD date$/],
    [{ action: "start", symbols: [] }, /^symbols: must name at least one symbol$/],
    [{ action: "start", symbols: ["A B"] }, /^symbols\.0: must be 1-32 letters/],
    [{ action: "start", dropRate: 2 }, /^dropRate: must be in \[0, 1\]$/],
    [{ action: "pause", now: true }, /^now: unknown parameter$/],
    ["not json", /^body: is not valid JSON/],
    [[1, 2], /^body: must be one of/],
  ])("POST %j is a 400 naming the parameter", async (body, message) => {
    const { status, body: res } = await json(make(), "/api/replay", post(body));
    expect(status).toBe(400);
    expect(res.message).toMatch(message);
  });

  it("refuses an unknown symbol with a 404 and an empty range with a 400", async () => {
    const s = make();
    const unknown = await json(
      s,
      "/api/replay",
      post({ action: "start", symbols: ["AAA", "NOPE"] }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/unknown symbol NOPE/);
    const backwards = await json(
      s,
      "/api/replay",
      post({ action: "start", from: "2024-01-05", to: "2024-01-04" }),
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toMatch(/^from: /);
    const holiday = await json(
      s,
      "/api/replay",
      post({ action: "start", from: "2024-01-01", to: "2024-01-01" }),
    );
    expect(holiday.status).toBe(400);
    expect(holiday.body.message).toMatch(/no XNYS session/);
  });

  it("answers 409 to actions that do not fit the state", async () => {
    const s = make();
    for (const action of ["pause", "resume", "stop"]) {
      const { status, body } = await json(s, "/api/replay", post({ action }));
      expect(status, action).toBe(409);
      expect(body.message).toMatch(new RegExp(`cannot ${action}: the replay is idle`));
    }
    expect((await json(s, "/api/replay", post({ action: "speed", speed: 10 }))).status).toBe(409);
  });

  it("pauses, re-paces, resumes and stops a replay", async () => {
    const s = make();
    // Real time: a minute a minute, so the replay is still at its first minutes throughout.
    const started = await json(s, "/api/replay", post({ action: "start", speed: 1 }));
    expect(started.body).toMatchObject({ state: "running", speed: 1 });
    expect((await json(s, "/api/replay", post({ action: "start" }))).status, "one at a time").toBe(
      409,
    );
    expect((await json(s, "/api/replay", post({ action: "pause" }))).body.state).toBe("paused");
    expect((await json(s, "/api/replay", post({ action: "speed", speed: "max" }))).body.speed).toBe(
      "max",
    );
    expect((await json(s, "/api/replay", post({ action: "resume" }))).body.state).toBe("running");
    const stopping = (await json(s, "/api/replay", post({ action: "stop" }))).body;
    expect(["stopping", "finished"]).toContain(stopping.state);
    await s.replay.settled();
    const end = (await json(s, "/api/replay")).body;
    expect(["stopped", "finished"]).toContain(end.state);
  });

  it("a second start replays from a clean store", async () => {
    const s = make();
    await json(s, "/api/replay", post({ action: "start", symbols: ["AAA"] }));
    await s.replay.settled();
    const again = await json(s, "/api/replay", post({ action: "start", symbols: ["CCC"] }));
    expect(again.status).toBe(202);
    await s.replay.settled();
    expect(
      (await json(s, "/api/symbols")).body.symbols.map((x: { symbol: string }) => x.symbol),
    ).toEqual(["CCC"]);
  });

  it("is a 409 without a bar store", async () => {
    const s = make({ barStore: undefined });
    const { status, body } = await json(s, "/api/replay", post({ action: "start" }));
    expect(status).toBe(409);
    expect(body.message).toMatch(/no bar store/);
  });
});

describe("bearer token", () => {
  const token = "0123456789abcdef0123";

  it("guards /api/* but not the dashboard's files", async () => {
    const s = make({ token });
    expect((await s.app.request("/api/symbols")).status).toBe(401);
    const wrong = await s.app.request("/api/symbols", {
      headers: { Authorization: "Bearer nope" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    const right = await s.app.request("/api/symbols", {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(right.status).toBe(200);
    expect((await s.app.request("/")).status).toBe(200);
  });

  it("is required to listen beyond loopback, and must be long enough", async () => {
    await expect(
      startServer({ sessionData: new SessionData(), host: "0.0.0.0", port: 0 }),
    ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without --token/);
    await expect(
      startServer({ sessionData: new SessionData(), host: "0.0.0.0", port: 0, token: "short" }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("dashboard files", () => {
  it.each([
    ["/", "text/html", "<title>sessiondata</title>"],
    ["/dashboard/app.js", "text/javascript", "createChartView"],
    ["/dashboard/chart.js", "text/javascript", "LightweightCharts"],
    ["/dashboard/lists.js", "text/javascript", "IntersectionObserver"],
    ["/dashboard/util.js", "text/javascript", "wallSeconds"],
    ["/dashboard/style.css", "text/css", "--bg"],
    ["/dashboard/lightweight-charts.js", "text/javascript", "createChart"],
  ])("GET %s serves %s", async (path, type, marker) => {
    const res = await make().app.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain(type);
    expect(await res.text()).toContain(marker);
  });
});
