import { describe, expect, it } from "vitest";
import { xtksCalendar } from "../calendar/xtks.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { SessionData } from "../store/public.js";
import { noWait } from "./backoff.js";
import { DataUpkeep } from "./data-upkeep.js";
import { findGapsIn, outsideBreak } from "./gap.js";
import { assessQuality } from "./quality-report.js";
import { barAt } from "./upkeep.test-helpers.js";

// Tokyo 2025-01-06: 09:00-11:30 and 12:30-15:30 local, 00:00-02:30 and 03:30-06:30 UTC.
const DATE = "2025-01-06";
const S = xtksCalendar.session(DATE)!;
const at = (hhmm: string) => Date.parse(`${DATE}T${hhmm}:00Z`);
const minutes = (from: number, to: number) => {
  const out: number[] = [];
  for (let t = from; t < to; t += MINUTE_MS) out.push(t);
  return out;
};

describe("outsideBreak and findGapsIn", () => {
  it("cuts an expected window around the break", () => {
    expect(outsideBreak(S.open, S.close, S)).toEqual([
      [S.open, S.breakStart],
      [S.breakEnd, S.close],
    ]);
    expect(outsideBreak(S.open, at("01:00"), S), "the morning only").toEqual([
      [S.open, at("01:00")],
    ]);
    expect(outsideBreak(S.open, at("03:00"), S), "up to a time inside the break").toEqual([
      [S.open, S.breakStart],
    ]);
    expect(outsideBreak(at("04:00"), S.close, S)).toEqual([[at("04:00"), S.close]]);
    expect(outsideBreak(S.open, S.close, {})).toEqual([[S.open, S.close]]);
  });

  it("reports a run of missing minutes across the lunch as two gaps, none in the break", () => {
    const times = [...minutes(S.open, at("02:00")), ...minutes(at("04:00"), S.close)];
    expect(findGapsIn("7203", times, outsideBreak(S.open, S.close, S))).toEqual([
      { symbol: "7203", start: at("02:00"), end: S.breakStart, count: 30 },
      { symbol: "7203", start: S.breakEnd, end: at("04:00"), count: 30 },
    ]);
  });
});

describe("upkeep on a session with a lunch break (XTKS)", () => {
  async function fixture(missing: (t: number) => boolean) {
    const sd = new SessionData({ calendar: xtksCalendar });
    const source = new MemoryBarStore();
    const all: Bar[] = minutes(S.open, S.close).map((t) => barAt(t));
    // The source has the lunch minutes too (some feeds print them): they must not be fetched.
    await source.writeBars("7203", all);
    sd.startSession(DATE);
    for (const bar of all) {
      const inBreak = bar.time >= S.breakStart! && bar.time < S.breakEnd!;
      if (!inBreak && !missing(bar.time)) sd.addBar("7203", bar);
    }
    const upkeep = new DataUpkeep({ sessionData: sd, source, sleep: noWait });
    return { sd, source, upkeep };
  }

  it("expects no minute of the break and finds no gap in it", async () => {
    const { upkeep, sd } = await fixture(() => false);
    sd.advanceClock(S.close);
    expect(upkeep.checkCompleteness("7203", S.close)).toEqual([]);
    expect(upkeep.checkCompleteness("7203", at("03:00")), "now inside the break").toEqual([]);
    expect(sd.getSessionMetrics("7203")!.barQuality).toBe(100);
  });

  it("splits a gap that spans the lunch and refills only the session's minutes", async () => {
    const { upkeep, sd } = await fixture((t) => t >= at("02:00") && t < at("04:00"));
    expect(upkeep.checkCompleteness("7203", S.close)).toEqual([
      { symbol: "7203", start: at("02:00"), end: S.breakStart, count: 30 },
      { symbol: "7203", start: S.breakEnd, end: at("04:00"), count: 30 },
    ]);
    await upkeep.runOnce(S.close);
    expect(upkeep.checkCompleteness("7203", S.close)).toEqual([]);
    expect(sd.getBarCount("7203"), "330 regular bars, no lunch bar fetched").toBe(330);
    const m = sd.getSessionMetrics("7203")!;
    expect([m.barCount, m.filledBarCount, m.barQuality]).toEqual([330, 60, 100]);
  });

  it("measures stored history around the break in the quality report", async () => {
    const store = new MemoryBarStore();
    // 02:20-02:30 and 03:30-03:40 missing; the lunch 02:30-03:30 stored (60 bars).
    const bars = minutes(S.open, S.close)
      .filter((t) => t < at("02:20") || (t >= at("02:30") && t < at("03:30")) || t >= at("03:40"))
      .map((t) => barAt(t));
    await store.writeBars("7203", bars);
    const [row] = await assessQuality({
      source: store,
      calendar: xtksCalendar,
      symbols: ["7203"],
      from: DATE,
      to: DATE,
    });
    expect(row!.expected).toBe(330);
    expect(row!.present, "the lunch's stored bars are not regular bars").toBe(310);
    expect(row!.gaps).toBe(2);
    expect(row!.longestGaps.map((g) => g.count)).toEqual([10, 10]);
  });
});
