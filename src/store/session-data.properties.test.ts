import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Session } from "../calendar/trading-calendar.js";
import type { Bar } from "../domain/bar.js";
import type { Timeframe } from "../domain/timeframe.js";
import { makeTestCalendar } from "./fixtures.js";
import { SessionData } from "./session-data.js";

const NORMAL = "2024-01-02";
const EARLY = "2024-01-03";
const cal = makeTestCalendar([EARLY]);
const WIDTHS: [Timeframe, number][] = [
  ["5m", 5],
  ["15m", 15],
  ["30m", 30],
  ["1h", 60],
];

/** A bar offer: `kind` 0 = valid bar in the session, 1 = outside any session, 2 = invalid high. */
interface Offer {
  minute: number;
  kind: number;
  o: number;
  c: number;
  up: number;
  down: number;
  v: number;
}

// Prices and volumes with repeating binary fractions, so any change in summation order would
// change the floating-point results and the exact comparisons below would catch it.
// Minutes are drawn from the whole session or, to force duplicates and boundary cases, from
// narrow windows around the open (minute 90 after the 08:00 pre-open) and the close.
const offer = (minutes: number, closeMinute = 480) =>
  fc.record({
    minute: fc.oneof(
      fc.integer({ min: 0, max: minutes - 1 }),
      fc.integer({ min: 80, max: 110 }),
      fc.integer({ min: closeMinute - 10, max: Math.min(minutes - 1, closeMinute + 10) }),
    ),
    kind: fc.oneof(
      { weight: 18, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.constant(2) },
    ),
    o: fc.integer({ min: 700, max: 1400 }),
    c: fc.integer({ min: 700, max: 1400 }),
    up: fc.integer({ min: 0, max: 30 }),
    down: fc.integer({ min: 0, max: 30 }),
    v: fc.integer({ min: 0, max: 100_000 }),
  });

function toBar(session: Session, x: Offer): Bar {
  const open = x.o / 7;
  const close = x.c / 7;
  const time =
    x.kind === 1 ? session.postClose + x.minute * 60_000 : session.preOpen + x.minute * 60_000;
  const high = x.kind === 2 ? Math.max(open, close) - 1 : Math.max(open, close) + x.up / 3;
  return { time, open, high, low: Math.min(open, close) - x.down / 3, close, volume: x.v / 3 };
}

/** The stored bars a store must hold: sorted by time, the last write of each time winning. */
function lastWins(bars: readonly Bar[]): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const b of bars) byTime.set(b.time, b);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/** Batch aggregation of sorted 1m bars into buckets aligned to the open and cut at the close. */
function aggregate(bars: readonly Bar[], s: Session, minutes: number): Bar[] {
  const w = minutes * 60_000;
  const out: Bar[] = [];
  for (const b of bars) {
    if (b.time < s.open || b.time >= s.close) continue;
    const start = s.open + Math.floor((b.time - s.open) / w) * w;
    const last = out.at(-1);
    if (last?.time === start) {
      out[out.length - 1] = {
        time: start,
        open: last.open,
        high: Math.max(last.high, b.high),
        low: Math.min(last.low, b.low),
        close: b.close,
        volume: last.volume + b.volume,
      };
    } else out.push({ ...b, time: start });
  }
  return out;
}

/** Session metrics recomputed from scratch over the regular bars, in time order. */
function metricsOf(bars: readonly Bar[], s: Session) {
  const regular = bars.filter((b) => b.time >= s.open && b.time < s.close);
  let volume = 0;
  let pv = 0;
  for (const b of regular) {
    volume += b.volume;
    pv += ((b.high + b.low + b.close) / 3) * b.volume;
  }
  const first = regular[0];
  const last = regular.at(-1);
  return {
    open: first?.open ?? Number.NaN,
    high: first ? Math.max(...regular.map((b) => b.high)) : Number.NaN,
    low: first ? Math.min(...regular.map((b) => b.low)) : Number.NaN,
    close: last?.close ?? Number.NaN,
    volume,
    vwap: volume > 0 ? pv / volume : Number.NaN,
    barCount: regular.length,
    firstBarTime: first?.time ?? Number.NaN,
    lastBarTime: last?.time ?? Number.NaN,
  };
}

describe("SessionData properties", () => {
  for (const date of [NORMAL, EARLY]) {
    const session = cal.session(date)!;
    const minutes = (session.postClose - session.preOpen) / 60_000;
    const closeMinute = (session.close - session.preOpen) / 60_000;

    it(`any arrival order with duplicates and refusals matches a batch recomputation (${date})`, () => {
      fc.assert(
        fc.property(
          fc.array(offer(minutes, closeMinute), { minLength: 1, maxLength: 250, size: "max" }),
          (offers) => {
            const sd = new SessionData({ calendar: cal });
            sd.startSession(date);
            const bars = offers.map((x) => toBar(session, x));
            const result = sd.addBars("S", bars);
            const valid = bars.filter((_, i) => offers[i]!.kind === 0);
            expect(result.accepted).toBe(valid.length);
            expect(result.rejected).toBe(bars.length - valid.length);
            expect(sd.rejectedCount).toBe(bars.length - valid.length);
            const stored = lastWins(valid);
            expect(sd.getLastNBars("S", Number.POSITIVE_INFINITY)).toEqual(stored);
            for (const [tf, m] of WIDTHS) {
              expect(sd.getLastNBars("S", 1e9, tf), tf).toEqual(aggregate(stored, session, m));
            }
            const m = sd.getSessionMetrics("S");
            if (valid.length === 0) {
              expect(m, "no bar accepted, no symbol").toBeUndefined();
              return;
            }
            expect(m).toMatchObject(metricsOf(stored, session));
            const lastEnd = Math.max(...valid.map((b) => b.time)) + 60_000;
            expect(m!.expectedBarCount).toBe(cal.expectedBarCount(date, lastEnd));
            expect(m!.missingBarCount).toBe(m!.expectedBarCount - m!.barCount);
          },
        ),
        { numRuns: runs(150) },
      );
    });
  }

  it("reads between writes see every bar so far at every timeframe (derived bars fold lazily)", () => {
    const session = cal.session(NORMAL)!;
    const minutes = (session.postClose - session.preOpen) / 60_000;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(offer(minutes), fc.integer({ min: 0, max: 5 })), {
          minLength: 1,
          maxLength: 120,
          size: "max",
        }),
        (steps) => {
          const sd = new SessionData({ calendar: cal });
          sd.startSession(NORMAL);
          const valid: Bar[] = [];
          for (const [x, read] of steps) {
            const bar = toBar(session, x);
            if (x.kind === 0) {
              sd.addBar("S", bar);
              valid.push(bar);
            } else {
              expect(() => sd.addBar("S", bar)).toThrow();
            }
            // read 0: no read; 1..4: one derived timeframe; 5: the 1-minute bars.
            if (read === 0 || valid.length === 0) continue;
            const stored = lastWins(valid);
            if (read === 5) {
              expect(sd.getLatestBar("S")).toEqual(stored.at(-1));
              continue;
            }
            const [tf, m] = WIDTHS[read - 1]!;
            const want = aggregate(stored, session, m);
            // Each read first in turn: every one of them must fold what is pending.
            if (x.minute % 2 === 0) expect(sd.getLatestBar("S", tf), tf).toEqual(want.at(-1));
            expect(sd.getBarCount("S", tf), tf).toBe(want.length);
            expect(sd.getLatestBar("S", tf), tf).toEqual(want.at(-1));
            expect(sd.getLastNBars("S", 1e9, tf), tf).toEqual(want);
          }
          const stored = lastWins(valid);
          for (const [tf, m] of WIDTHS) {
            expect(sd.getSeries("S", tf)?.length ?? 0).toBe(aggregate(stored, session, m).length);
          }
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it("an in-order feed gives bit-identical results to a shuffled one", () => {
    const session = cal.session(NORMAL)!;
    fc.assert(
      fc.property(
        fc
          .array(offer(720), { minLength: 1, maxLength: 200, size: "max" })
          .chain((xs) =>
            fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length })),
          ),
        ([offers, shuffled]) => {
          const valid = offers.filter((x) => x.kind === 0).map((x) => toBar(session, x));
          const sorted = lastWins(valid);
          const a = new SessionData({ calendar: cal });
          a.addBars("S", sorted);
          const b = new SessionData({ calendar: cal });
          // Replaying the sorted bars last makes both stores hold the same final bars.
          b.addBars(
            "S",
            shuffled.filter((x) => x.kind === 0).map((x) => toBar(session, x)),
          );
          b.addBars("S", [...sorted].reverse());
          for (const tf of ["1m", "5m", "15m", "30m", "1h"] as const) {
            expect(b.getLastNBars("S", 1e9, tf)).toEqual(a.getLastNBars("S", 1e9, tf));
          }
          expect(b.getSessionMetrics("S")).toEqual(a.getSessionMetrics("S"));
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it("rolls sessions: every kept session's metrics and bars match its own bars", () => {
    // 2024-01-03 closes early: a session reusing a longer one's buffer, and the other way round.
    const dates = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08"];
    fc.assert(
      fc.property(
        fc.array(fc.array(offer(540, 300), { maxLength: 40, size: "max" }), {
          minLength: 5,
          maxLength: 5,
        }),
        fc.integer({ min: 0, max: 4 }),
        (perDay, keep) => {
          const sd = new SessionData({ calendar: cal, historySessions: keep });
          const stored: Bar[][] = [];
          dates.forEach((date, d) => {
            const s = cal.session(date)!;
            const bars = perDay[d]!.filter((x) => x.kind === 0).map((x) => toBar(s, x));
            sd.addBars("S", bars);
            stored.push(lastWins(bars));
            // The current session (its columns reuse the previous session's buffer) reads as
            // its own bars only, at every timeframe. A day without bars starts no session.
            if (sd.currentSession !== date) return;
            const now = stored[d]!;
            expect(sd.getLastNBars("S", 1e9)).toEqual(now);
            for (const [tf, m] of WIDTHS) {
              expect(sd.getLastNBars("S", 1e9, tf), `${date} ${tf}`).toEqual(aggregate(now, s, m));
            }
            if (now.length > 0) expect(sd.getSessionMetrics("S")).toMatchObject(metricsOf(now, s));
          });
          const kept = sd.historySessionDates();
          expect(kept.length).toBeLessThanOrEqual(keep);
          for (const date of kept) {
            const d = dates.indexOf(date);
            const m = sd.getSessionMetrics("S", date);
            if (stored[d]!.length === 0) expect(m).toBeUndefined();
            else expect(m).toMatchObject(metricsOf(stored[d]!, cal.session(date)!));
          }
          const history = kept.flatMap((date) => stored[dates.indexOf(date)]!);
          expect(sd.getHistoricalBars("S", 1e9)).toEqual(history);
          // History folds its higher timeframes only when read: the same bars as a batch fold.
          for (const [tf, m] of WIDTHS) {
            const folded = kept.flatMap((date) =>
              aggregate(stored[dates.indexOf(date)]!, cal.session(date)!, m),
            );
            expect(sd.getHistoricalBars("S", 1e9, tf), `history ${tf}`).toEqual(folded);
          }
        },
      ),
      { numRuns: runs(100) },
    );
  });
});
