import { beforeAll, describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/public.js";
import type { Bar } from "../domain/bar.js";
import type { MemoryBarStore } from "../history/memory-bar-store.js";
import { SessionData } from "../store/public.js";
import { MAX_HISTORY_BARS } from "./history-schemas.js";
import { createServer, type SessiondataServer } from "./server.js";
import { sampleStore } from "./server.test-helpers.js";

const FROM = "2024-01-02";
const TO = "2024-01-31";
const DAY = "2024-01-10";
const OPEN = xnysCalendar.session(DAY)!.open;
const DAY_INDEX = xnysCalendar.sessionsBetween(FROM, DAY).length - 1;
let store: MemoryBarStore;
let server: SessiondataServer;

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await server.app.request(path, { headers: { host: "127.0.0.1" } });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  // BBB lacks 7 minutes from 10:00 every day (minute 30 of the session).
  store = await sampleStore({
    symbols: ["AAA", "BBB"],
    from: FROM,
    to: TO,
    holes: [["BBB", 30, 7]],
  });
  // One bar of AAA on DAY was refilled, one corrected.
  const [b1] = await store.readBars("AAA", OPEN + 100 * 60_000, OPEN + 101 * 60_000);
  const [b2] = await store.readBars("AAA", OPEN + 200 * 60_000, OPEN + 201 * 60_000);
  await store.writeBars("AAA", [b1!], { provenance: "refilled" });
  await store.writeBars("AAA", [b2!], { provenance: "corrected" });
  server = createServer({
    sessionData: new SessionData({ calendar: xnysCalendar }),
    barStore: store,
  });
});

describe("GET /api/history/…", () => {
  it("lists the stored symbols with calendar, precision and covered sessions", async () => {
    const { status, body } = await get("/api/history/symbols");
    expect(status).toBe(200);
    expect(body.symbols.map((s: { symbol: string }) => s.symbol)).toEqual(["AAA", "BBB"]);
    expect(body.symbols[0]).toMatchObject({
      calendar: "XNYS",
      timeZone: "America/New_York",
      first: FROM,
      last: TO,
    });
    expect(typeof body.symbols[0].priceDecimals).toBe("number");
  });

  it("lists a symbol's trading days for the date picker (no weekend, no holiday)", async () => {
    const { body } = await get("/api/history/symbols/AAA/sessions");
    const dates = body.sessions.map((s: { date: string }) => s.date);
    expect(dates, "every XNYS session of the stored range").toEqual(
      xnysCalendar.sessionsBetween(FROM, TO),
    );
    expect(dates, "Martin Luther King Day is closed").not.toContain("2024-01-15");
    expect(body).toMatchObject({ calendar: "XNYS", timeZone: "America/New_York" });
  });

  it("answers a day's bars at 1m with provenance, and aggregates to 5m, 1h and 1D", async () => {
    const m1 = (await get(`/api/history/symbols/BBB/bars?date=${DAY}`)).body;
    expect(m1.bars, "390 minutes less BBB's 7-minute hole").toHaveLength(383);
    expect(m1.provenance).toHaveLength(383);
    expect(m1).toMatchObject({ timeframe: "1m", from: DAY, to: DAY, adjust: "raw" });
    const m5 = (await get(`/api/history/symbols/BBB/bars?date=${DAY}&tf=5m`)).body;
    expect(m5.bars, "78 five-minute bars less 10:00-10:05, wholly missing").toHaveLength(77);
    expect(m5.bars[0].time).toBe(OPEN);
    const h1 = (await get(`/api/history/symbols/BBB/bars?date=${DAY}&tf=1h`)).body;
    expect(h1.bars, "6 full hours and the half hour to 16:00").toHaveLength(7);
    const d1 = (await get(`/api/history/symbols/BBB/bars?from=${FROM}&to=${TO}&tf=1D`)).body;
    expect(d1.bars).toHaveLength(xnysCalendar.sessionsBetween(FROM, TO).length);
    const day = d1.bars[DAY_INDEX] as Bar;
    const minutes = m1.bars as Bar[];
    expect(day, "the daily bar is the day's minutes folded").toEqual({
      time: OPEN,
      open: minutes[0]!.open,
      high: Math.max(...minutes.map((b) => b.high)),
      low: Math.min(...minutes.map((b) => b.low)),
      close: minutes.at(-1)!.close,
      volume: minutes.reduce((n, b) => n + b.volume, 0),
    });
  });

  it("refuses a range over the limit with a 400 that states the limit", async () => {
    const { status, body } = await get(
      `/api/history/symbols/AAA/bars?from=2023-01-03&to=${TO}&tf=1m`,
    );
    expect(status).toBe(400);
    expect(body.message).toContain(`the limit is ${MAX_HISTORY_BARS}`);
    expect((await get(`/api/history/symbols/AAA/bars?tf=2m`)).body.message).toMatch(
      /^tf: must be one of 1m/,
    );
    expect((await get(`/api/history/symbols/AAA/bars?adjust=back`)).body.message).toMatch(
      /^adjust: must be one of raw, split, total/,
    );
    expect((await get(`/api/history/symbols/AAA/bars?date=${DAY}&from=${DAY}`)).status).toBe(400);
    expect((await get("/api/history/symbols/ZZZ/bars")).status).toBe(404);
  });

  it("computes indicators server-side over the range, warmed up from earlier sessions", async () => {
    const q = `date=${DAY}&tf=5m&indicators=sma:5,rsi:14,macd`;
    const { status, body } = await get(`/api/history/symbols/AAA/indicators?${q}`);
    expect(status).toBe(200);
    expect(body.indicators.map((i: { key: string }) => i.key)).toEqual([
      "sma5",
      "rsi14",
      "macd12_26_9",
    ]);
    const bars = (await get(`/api/history/symbols/AAA/bars?date=${DAY}&tf=5m`)).body.bars as Bar[];
    expect(body.time, "one value per bar of the range").toEqual(bars.map((b) => b.time));
    expect(body.values.sma5[0], "warm: the first bar already has a value").not.toBeNull();
    const prev = await get(
      `/api/history/symbols/AAA/bars?date=${xnysCalendar.previousSession(DAY)}&tf=5m`,
    );
    const closes = [...prev.body.bars.slice(-4), ...bars.slice(0, 1)].map((b: Bar) => b.close);
    expect(body.values.sma5[0], "SMA 5 of the last four bars before and the first").toBeCloseTo(
      closes.reduce((a: number, b: number) => a + b, 0) / 5,
      9,
    );
    expect(body.values.sma5[9]).toBeCloseTo(
      bars.slice(5, 10).reduce((a, b) => a + b.close, 0) / 5,
      9,
    );
    expect(Object.keys(body.values.macd12_26_9[0]).sort()).toEqual(["histogram", "macd", "signal"]);
    const rsi = body.values.rsi14 as number[];
    expect(
      rsi.every((v) => v >= 0 && v <= 100),
      "RSI in [0, 100]",
    ).toBe(true);
    expect((await get(`/api/history/symbols/AAA/indicators?indicators=foo:1`)).status).toBe(400);
  });

  it("reports a day's gaps and provenance", async () => {
    const bbb = (await get(`/api/history/symbols/BBB/day?date=${DAY}`)).body;
    expect(bbb).toMatchObject({ expected: 390, present: 383, date: DAY });
    expect(bbb.quality).toBeCloseTo((383 / 390) * 100, 9);
    expect(bbb.gaps).toEqual([
      { symbol: "BBB", start: OPEN + 30 * 60_000, end: OPEN + 37 * 60_000, count: 7 },
    ]);
    const aaa = (await get(`/api/history/symbols/AAA/day?date=${DAY}`)).body;
    expect(aaa.gaps).toEqual([]);
    expect(aaa.provenance).toMatchObject({ refilled: 1, corrected: 1 });
    expect(aaa.marked).toEqual({
      refilled: [OPEN + 100 * 60_000],
      corrected: [OPEN + 200 * 60_000],
      late: [],
    });
    expect((await get(`/api/history/symbols/AAA/day?date=2024-01-15`)).status).toBe(404);
  });

  it("answers heatmap cells: symbols x sessions, quality per cell", async () => {
    const { status, body } = await get(`/api/history/quality?from=${FROM}&to=${TO}`);
    expect(status).toBe(200);
    expect(body.symbols).toEqual(["AAA", "BBB"]);
    expect(body.sessions).toEqual(xnysCalendar.sessionsBetween(FROM, TO));
    expect(
      body.quality[0].every((q: number) => q === 100),
      "AAA is complete",
    ).toBe(true);
    expect(body.quality[1][DAY_INDEX]).toBe(Math.round((383 / 390) * 1000) / 10);
    const last5 = (await get("/api/history/quality?sessions=5&symbols=BBB")).body;
    expect(last5.sessions).toEqual(xnysCalendar.sessionsBetween("2024-01-25", TO));
    expect(last5.symbols).toEqual(["BBB"]);
    expect(
      (await get("/api/history/quality?from=1990-01-01&to=2024-01-31")).body.message,
    ).toContain("the limit is");
  });

  it("keeps heatmap cells until a write changes the symbol's bars", async () => {
    const date = "2024-01-11";
    const k = xnysCalendar.sessionsBetween(FROM, date).length - 1;
    const first = (await get(`/api/history/quality?from=${FROM}&to=${TO}&symbols=BBB`)).body;
    expect(first.quality[0][k]).toBe(Math.round((383 / 390) * 1000) / 10);
    const open = xnysCalendar.session(date)!.open;
    const t = open + 30 * 60_000;
    await store.writeBars("BBB", [{ time: t, open: 10, high: 11, low: 9, close: 10, volume: 1 }]);
    const again = (await get(`/api/history/quality?from=${FROM}&to=${TO}&symbols=BBB`)).body;
    expect(again.quality[0][k], "one of the 7 missing minutes is back").toBe(
      Math.round((384 / 390) * 1000) / 10,
    );
  });

  it("answers 409 without a bar store (an empty catalog for the list)", async () => {
    const bare = createServer({ sessionData: new SessionData({ calendar: xnysCalendar }) });
    const res = await bare.app.request("/api/history/symbols/AAA/bars", {
      headers: { host: "127.0.0.1" },
    });
    expect(res.status).toBe(409);
    const list = await bare.app.request("/api/history/symbols", { headers: { host: "127.0.0.1" } });
    expect(await list.json(), "an empty catalog, so the dashboard loads cleanly").toEqual({
      symbols: [],
    });
  });
});
