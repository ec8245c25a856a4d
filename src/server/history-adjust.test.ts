import { beforeAll, describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/public.js";
import { corporateFixtureStore } from "../history/corporate/corporate.test-helpers.js";
import {
  abcClose,
  BARS_PER_SESSION,
  LEAN_SESSIONS,
} from "../history/corporate/lean-layout.test-helpers.js";
import { SessionData } from "../store/public.js";
import { createServer, type SessiondataServer } from "./server.js";

let server: SessiondataServer;

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await server.app.request(path, { headers: { host: "127.0.0.1" } });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  // ABC: a 0.50 dividend (ex 2024-06-07) and a 2-for-1 split (ex 2024-06-10); NEWCO was OLDCO.
  const store = await corporateFixtureStore();
  await store.writeBars("PLAIN", [
    { time: Date.parse("2024-06-11T13:30:00Z"), open: 5, high: 5, low: 5, close: 5, volume: 1 },
  ]);
  server = createServer({
    sessionData: new SessionData({ calendar: xnysCalendar }),
    barStore: store,
  });
});

const FROM = LEAN_SESSIONS[0]!;
const TO = LEAN_SESSIONS.at(-1)!;
const closes = (body: { bars: { close: number }[] }) => body.bars.map((b) => b.close);

describe("adjusted history: /api/history/symbols/:s/bars and /indicators take adjust", () => {
  it("says which symbols have corporate actions, so the picker offers split and total", async () => {
    const { body } = await get("/api/history/symbols");
    const actions = Object.fromEntries(
      body.symbols.map((s: { symbol: string; actions: boolean }) => [s.symbol, s.actions]),
    );
    expect(actions, "ABC has a factor file, NEWCO a map file naming OLDCO").toEqual({
      ABC: true,
      NEWCO: true,
      OLDCO: false,
      PLAIN: false,
    });
  });

  it("reads raw prices as stored, split-adjusted and fully adjusted relative to the last session", async () => {
    const q = `from=${FROM}&to=${TO}&tf=1D`;
    const raw = await get(`/api/history/symbols/ABC/bars?${q}&adjust=raw`);
    const split = await get(`/api/history/symbols/ABC/bars?${q}&adjust=split`);
    const total = await get(`/api/history/symbols/ABC/bars?${q}&adjust=total`);
    expect([raw.status, split.status, total.status]).toEqual([200, 200, 200]);
    expect(split.body.adjust).toBe("split");
    const last = BARS_PER_SESSION - 1;
    const rawCloses = LEAN_SESSIONS.map((_, s) => abcClose(s, last));
    expect(closes(raw.body), "raw: halved from the split on").toEqual(rawCloses);
    const splitCloses = closes(split.body);
    expect(splitCloses.slice(0, 3), "before the split: raw / 2").toEqual(
      rawCloses.slice(0, 3).map((c) => c / 2),
    );
    expect(splitCloses.slice(3), "from the split on: raw").toEqual(rawCloses.slice(3));
    const totalCloses = closes(total.body);
    for (const [s, c] of totalCloses.entries()) {
      // The dividend scales sessions before its ex-date (2024-06-07) by 0.995 as well.
      const want = s < 2 ? splitCloses[s]! * 0.995 : splitCloses[s]!;
      expect(c, `total close of ${LEAN_SESSIONS[s]}`).toBeCloseTo(want, 9);
    }
  });

  it("computes indicators over the adjusted bars (no jump at the split)", async () => {
    const q = `from=${FROM}&to=${TO}&tf=1D&indicators=sma:2`;
    const raw = await get(`/api/history/symbols/ABC/indicators?${q}&adjust=raw`);
    const split = await get(`/api/history/symbols/ABC/indicators?${q}&adjust=split`);
    expect(split.body.adjust).toBe("split");
    const last = BARS_PER_SESSION - 1;
    const splitClose = (s: number) => (s < 3 ? abcClose(s, last) / 2 : abcClose(s, last));
    expect(split.body.values.sma2[4], "SMA 2 of the last two adjusted closes").toBeCloseTo(
      (splitClose(3) + splitClose(4)) / 2,
      9,
    );
    expect(raw.body.values.sma2[3], "raw: the mean straddles the split").toBeCloseTo(
      (abcClose(2, last) + abcClose(3, last)) / 2,
      9,
    );
  });

  it("reads a renamed security as one series under its new name", async () => {
    const raw = await get(`/api/history/symbols/NEWCO/bars?from=${FROM}&to=${TO}&tf=1D&adjust=raw`);
    const split = await get(
      `/api/history/symbols/NEWCO/bars?from=${FROM}&to=${TO}&tf=1D&adjust=split`,
    );
    expect(raw.body.bars, "raw: NEWCO's own two sessions").toHaveLength(2);
    expect(split.body.bars, "adjusted: OLDCO's sessions first").toHaveLength(5);
  });

  it("reads a symbol without actions the same in every mode, and refuses an unknown mode", async () => {
    const a = await get("/api/history/symbols/PLAIN/bars?adjust=raw");
    const b = await get("/api/history/symbols/PLAIN/bars?adjust=total");
    expect(b.body.bars).toEqual(a.body.bars);
    const bad = await get("/api/history/symbols/ABC/bars?adjust=dividend");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(
      /^adjust: must be one of raw, split, total \(got "dividend"\)/,
    );
  });
});
