import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { xhkgCalendar } from "../calendar/xhkg.js";
import { xtksCalendar } from "../calendar/xtks.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import type { Timeframe } from "../domain/timeframe.js";
import { makeBar } from "./fixtures.js";
import { SessionData } from "./session-data.js";

// Tokyo, 2025-01-06: 09:00-11:30 and 12:30-15:30 local = 00:00-02:30 and 03:30-06:30 UTC.
const DATE = "2025-01-06";
const XTKS = xtksCalendar.session(DATE)!;
const WIDTHS: [Timeframe, number][] = [
  ["5m", 5],
  ["15m", 15],
  ["30m", 30],
  ["1h", 60],
];

/** A bar at every minute from the open to the close, the lunch break included. */
function wholeDay(open: number, close: number): Bar[] {
  const out: Bar[] = [];
  for (let t = open, i = 0; t < close; t += MINUTE_MS, i++) out.push(makeBar(t, 100 + i / 64, i));
  return out;
}

const iso = (t: number) => new Date(t).toISOString().slice(11, 16);

/** The bucket starts a timeframe must have: from the open and from the reopen, cut at the break. */
function bucketStarts(
  width: number,
  open: number,
  breakStart: number,
  breakEnd: number,
  close: number,
) {
  const out: number[] = [];
  for (let t = open; t < breakStart; t += width * MINUTE_MS) out.push(t);
  for (let t = breakEnd; t < close; t += width * MINUTE_MS) out.push(t);
  return out;
}

/** What a derived bar must be: the fold of the 1-minute bars of its bucket, in time order. */
function fold(bars: readonly Bar[], start: number, end: number): Bar | undefined {
  const inside = bars.filter((b) => b.time >= start && b.time < end);
  if (inside.length === 0) return undefined;
  let high = inside[0]!.high;
  let low = inside[0]!.low;
  let volume = inside[0]!.volume;
  for (const b of inside.slice(1)) {
    if (b.high > high) high = b.high;
    if (b.low < low) low = b.low;
    volume += b.volume;
  }
  return { time: start, open: inside[0]!.open, high, low, close: inside.at(-1)!.close, volume };
}

describe("a session with a lunch break (XTKS)", () => {
  it("stores the break's bars but keeps them out of the metrics, like extended hours", () => {
    const sd = new SessionData({ calendar: xtksCalendar });
    const bars = wholeDay(XTKS.open, XTKS.close);
    for (const bar of bars) sd.addBar("7203", bar);
    expect(sd.getBarCount("7203"), "every bar is stored, the 60 of the lunch too").toBe(390);
    const m = sd.getSessionMetrics("7203")!;
    expect(m.barCount, "the break's minutes are no regular bars").toBe(330);
    expect(m.expectedBarCount).toBe(330);
    expect(m.barQuality).toBe(100);
    expect(m.missingBarCount).toBe(0);
    const regular = bars.filter((b) => b.time < XTKS.breakStart! || b.time >= XTKS.breakEnd!);
    expect(m.volume).toBe(regular.reduce((v, b) => v + b.volume, 0));
    expect(m.provenance.live, "provenance counts regular bars only").toBe(330);
    expect(sd.getBarsSince("7203", XTKS.breakStart!).length).toBe(240);
  });

  it("never lets a 5m/15m/30m/1h bar span the break: buckets end at it and restart at the reopen", () => {
    const sd = new SessionData({ calendar: xtksCalendar });
    const bars = wholeDay(XTKS.open, XTKS.close);
    for (const bar of bars) sd.addBar("7203", bar);
    for (const [tf, width] of WIDTHS) {
      const got = sd.getLastNBars("7203", 1000, tf);
      const starts = bucketStarts(width, XTKS.open, XTKS.breakStart!, XTKS.breakEnd!, XTKS.close);
      expect(
        got.map((b) => iso(b.time)),
        tf,
      ).toEqual(starts.map(iso));
      for (const bar of got) {
        const end = Math.min(
          bar.time + width * MINUTE_MS,
          bar.time < XTKS.breakStart! ? XTKS.breakStart! : XTKS.close,
        );
        expect(bar, `${tf} ${iso(bar.time)}`).toEqual(fold(bars, bar.time, end));
      }
    }
    // The 1h bars: 09:00, 10:00, 11:00 (half an hour, to the break), then 12:30, 13:30, 14:30.
    const hours = sd.getLastNBars("7203", 10, "1h").map((b) => b.time);
    expect(hours.map(iso)).toEqual(["00:00", "01:00", "02:00", "03:30", "04:30", "05:30"]);
  });

  it("derives the same bars and metrics whatever order the bars arrive in", () => {
    const bars = wholeDay(XTKS.open, XTKS.close);
    const inOrder = new SessionData({ calendar: xtksCalendar });
    for (const bar of bars) inOrder.addBar("7203", bar);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(bars, { minLength: 1 }),
        fc.array(fc.nat({ max: bars.length - 1 }), { maxLength: 40 }),
        (subset, late) => {
          // Some minutes missing, the rest in a random order, a few sent twice (corrections).
          const sd = new SessionData({ calendar: xtksCalendar });
          const kept = new Set(subset.map((b) => b.time));
          for (const bar of subset) sd.addBar("7203", bar);
          for (const i of late) if (kept.has(bars[i]!.time)) sd.addBar("7203", bars[i]!);
          const held = bars.filter((b) => kept.has(b.time));
          const ordered = new SessionData({ calendar: xtksCalendar });
          for (const bar of held) ordered.addBar("7203", bar);
          for (const [tf] of WIDTHS) {
            const got = sd.getLastNBars("7203", 1000, tf);
            expect(got).toEqual(ordered.getLastNBars("7203", 1000, tf));
            for (const bar of got) {
              const inBreak = bar.time >= XTKS.breakStart! && bar.time < XTKS.breakEnd!;
              expect(inBreak, `${tf} bar at ${iso(bar.time)} starts in the break`).toBe(false);
            }
          }
          const { provenance: _a, ...m } = sd.getSessionMetrics("7203")!;
          const { provenance: _b, ...want } = ordered.getSessionMetrics("7203")!;
          expect(m).toEqual(want);
        },
      ),
      { numRuns: runs(40) },
    );
    expect(inOrder.getLastNBars("7203", 100, "30m").length, "5 morning + 6 afternoon").toBe(11);
  });

  it("counts the minutes expected so far with the break left out", () => {
    const sd = new SessionData({ calendar: xtksCalendar });
    sd.addBar("7203", makeBar(XTKS.open, 100, 1));
    sd.advanceClock(XTKS.breakStart! + 20 * MINUTE_MS);
    expect(sd.getSessionMetrics("7203")!.expectedBarCount, "the morning only").toBe(150);
    sd.advanceClock(XTKS.breakEnd! + 10 * MINUTE_MS);
    expect(sd.getSessionMetrics("7203")!.expectedBarCount).toBe(160);
  });

  it("holds a session whose only bars fall in the break with no regular figures", () => {
    const sd = new SessionData({ calendar: xtksCalendar });
    sd.addBar("7203", makeBar(XTKS.breakStart! + 5 * MINUTE_MS, 100, 3));
    const m = sd.getSessionMetrics("7203")!;
    expect(m.barCount).toBe(0);
    expect(Number.isNaN(m.open)).toBe(true);
    expect(sd.getBarCount("7203", "5m")).toBe(0);
    expect(sd.getBarCount("7203")).toBe(1);
  });
});

describe("a Hong Kong session (XHKG): 09:30-12:00 and 13:00-16:00", () => {
  it("aligns the afternoon's buckets to the 13:00 reopen", () => {
    const s = xhkgCalendar.session("2025-07-02")!;
    const sd = new SessionData({ calendar: xhkgCalendar });
    const bars = wholeDay(s.open, s.close);
    for (const bar of bars) sd.addBar("0700", bar);
    const local = (t: number) => iso(t + 8 * 3_600_000);
    expect(sd.getLastNBars("0700", 10, "1h").map((b) => local(b.time))).toEqual([
      "09:30",
      "10:30",
      "11:30",
      "13:00",
      "14:00",
      "15:00",
    ]);
    const lastMorning = sd.getLastNBars("0700", 10, "1h")[2]!;
    expect(lastMorning, "11:30-12:00, cut at the break").toEqual(
      fold(bars, lastMorning.time, s.breakStart!),
    );
    expect(sd.getSessionMetrics("0700")!.barCount).toBe(330);
  });
});
