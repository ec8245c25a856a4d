// AnalysisEngine({ workers }): the same results as the single-threaded engine, bit for bit, on
// real bars and on generated ones with late bars, corrections, extended hours, session rolls
// with warm-up from history, a split, a clear, and a listener that asks before the engine heard.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { requiring } from "../../test/requirements.js";
import { alwaysOpenCalendar } from "../calendar/utc-day-calendar.js";
import { xnysCalendar } from "../calendar/xnys.js";
import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { at, makeBar, makeTestCalendar } from "../store/fixtures.js";
import { SessionData } from "../store/public.js";
import { AnalysisEngine } from "./analysis-engine.js";
import { Sma } from "./moving-averages.js";
import { loadRealBars, REAL_BAR_FILES, realBarsPresent } from "./real-bars.test-helpers.js";

const ALL = ["sma:20", "ema:10", "rsi:14", "macd:12:26:9", "bollinger:20:2", "atr:14", "vwap"];

/** A store followed by a single-threaded engine and one followed by a 2-worker engine. */
function pair(calendar = xnysCalendar, indicators = ALL, extendedHours = false) {
  const one = new SessionData({ calendar });
  const many = new SessionData({ calendar });
  const single = new AnalysisEngine({ sessionData: one, indicators, extendedHours });
  const workers = new AnalysisEngine({ sessionData: many, indicators, extendedHours, workers: 2 });
  return {
    one,
    many,
    single,
    workers,
    add(symbol: string, bar: Bar, provenance?: "refilled" | "corrected") {
      one.addBar(symbol, bar, provenance);
      many.addBar(symbol, bar, provenance);
    },
    /** Every symbol's result from both engines. */
    compare(symbols: readonly string[], why: string) {
      for (const s of symbols) {
        expect(workers.analyze(s), `${why}: ${s}`).toStrictEqual(single.analyze(s));
      }
    },
    dispose() {
      single.dispose();
      workers.dispose();
    },
  };
}

const disposers: (() => void)[] = [];
afterAll(() => {
  for (const d of disposers) d();
});

requiring(realBarsPresent()).describe("AnalysisEngine({ workers }) on real bars", () => {
  it("equals the single-threaded engine on real bars, 3 symbols over 2 workers, with warm-up", () => {
    const bars = loadRealBars(REAL_BAR_FILES[0]!).slice(0, 12_000); // btc-perp, 24/7: 8 sessions
    const p = pair(alwaysOpenCalendar);
    disposers.push(() => p.dispose());
    const scaled = (b: Bar, f: number): Bar => ({
      ...b,
      open: b.open * f,
      high: b.high * f,
      low: b.low * f,
      close: b.close * f,
    });
    const symbols = ["BTC", "HALF", "LATE"];
    for (let i = 0; i < bars.length; i++) {
      p.add("BTC", bars[i]!);
      p.add("HALF", scaled(bars[i]!, 0.5));
      // LATE appears on the fifth day: its set warms up from four days of history.
      if (i >= 4 * 1_440) p.add("LATE", scaled(bars[i]!, 2));
      if (i % 997 === 0) p.compare(symbols, `after bar ${i}`);
    }
    p.compare(symbols, "at the end");
    const r = p.workers.analyze("LATE")!;
    expect(r.indicators.sma20, "a real value, not a default").toBeTypeOf("number");
    expect(p.workers.symbols()).toEqual(p.single.symbols());
  });
});

describe("AnalysisEngine({ workers })", () => {
  it("equals it on XNYS bars with pre-market, late bars, corrections and a split", () => {
    const p = pair();
    disposers.push(() => p.dispose());
    const dates = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"];
    const symbols = ["A", "B", "C", "D", "E"];
    let seed = 1;
    for (const [d, date] of dates.entries()) {
      if (d === 2) {
        for (const sd of [p.one, p.many]) {
          sd.startSession(date);
          sd.applyCorporateAction(
            { symbol: "B", date, ratio: 0.5, dividend: 0, rescale: 0.5 },
            { symbol: "B", date, splitFactor: 1, priceFactor: 1, priceScale: 1 },
          );
        }
      }
      const held: [string, Bar][] = [];
      for (let m = 0; m < 420; m++) {
        const time = at(date, 9, 0) + m * 60_000; // 30 pre-market minutes, then regular hours
        for (const [k, s] of symbols.entries()) {
          if (s === "E" && d < 2) continue; // E first appears in the third session
          const bar = makeBar(time, 100 + k * 10 + 3 * Math.sin(m / 9 + k), seed++);
          if ((m + k) % 37 === 5) {
            held.push([s, bar]); // arrives late, at the end of the session
            continue;
          }
          p.add(s, bar);
          if ((m + k) % 29 === 3) p.add(s, { ...bar, close: bar.open }, "corrected");
        }
        if (m % 50 === 0) p.compare(symbols, `${date} minute ${m}`);
      }
      for (const [s, bar] of held) p.add(s, bar, "refilled");
      p.add("A", { ...makeBar(at(date, 10, 0), 90, 3) }, "corrected"); // an older bar corrected
      p.compare(symbols, `${date} after the late bars`);
    }
  });

  it("reflects a bar from a listener that runs before the engine's hook", () => {
    const one = new SessionData({ calendar: xnysCalendar });
    const many = new SessionData({ calendar: xnysCalendar });
    const seen: [unknown, unknown][] = [];
    const engines: AnalysisEngine[] = [];
    for (const sd of [one, many]) {
      sd.subscribe((e) => {
        if (e.type === "bar") seen.push([e.bar.time, engines[sd === one ? 0 : 1]?.analyze("A")]);
      });
    }
    engines.push(new AnalysisEngine({ sessionData: one, indicators: ALL }));
    engines.push(new AnalysisEngine({ sessionData: many, indicators: ALL, workers: 1 }));
    disposers.push(() => {
      for (const e of engines) e.dispose();
    });
    for (let m = 0; m < 60; m++) {
      const bar = makeBar(at("2024-01-02", 14, 30) + m * 60_000, 100 + m, m);
      one.addBar("A", bar);
      many.addBar("A", bar);
    }
    expect(seen.length).toBe(120);
    const fromOne = seen.filter((_, i) => i % 2 === 0);
    const fromMany = seen.filter((_, i) => i % 2 === 1);
    expect(fromMany, "each listener saw the bar it was told of").toStrictEqual(fromOne);
    expect((fromMany[59]![1] as { time: number }).time).toBe(fromMany[59]![0]);
  });

  it("equals it whatever the arrival order, across clears (property)", () => {
    const p = pair(xnysCalendar, ["sma:5", "ema:4", "rsi:3", "bollinger:5:2", "vwap"], true);
    disposers.push(() => p.dispose());
    const op = fc.record({
      symbol: fc.constantFrom("A", "B", "C"),
      day: fc.integer({ min: 0, max: 2 }),
      minute: fc.integer({ min: 0, max: 80 }),
      price: fc.double({ min: 50, max: 150, noNaN: true }),
      analyze: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        p.one.clear();
        p.many.clear();
        let day = 0;
        for (const o of ops) {
          day = Math.max(day, o.day);
          const date = ["2024-01-02", "2024-01-03", "2024-01-04"][day]!;
          const bar = makeBar(at(date, 9, 0) + o.minute * 5 * 60_000, o.price, o.minute);
          p.add(o.symbol, bar);
          if (o.analyze) p.compare([o.symbol], "mid-way");
        }
        p.compare(["A", "B", "C"], "at the end");
      }),
      { numRuns: runs(40) },
    );
  });

  it("made over a store that holds sessions already: analyzeMany warms up and answers in order", () => {
    const sd = new SessionData({ calendar: xnysCalendar });
    const symbols = Array.from({ length: 12 }, (_, i) => `S${i}`);
    let seed = 0;
    for (const date of ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]) {
      for (let m = 0; m < 800; m++) {
        for (const [k, s] of symbols.entries()) {
          const t = at(date, 9, 0) + m * 60_000; // pre-market through post-market
          sd.addBar(s, makeBar(t, 100 + k + 5 * Math.sin(m / 13 + k), seed++));
        }
      }
    }
    for (const extendedHours of [false, true]) {
      const single = new AnalysisEngine({ sessionData: sd, indicators: ALL, extendedHours });
      const workers = new AnalysisEngine({
        sessionData: sd,
        indicators: ALL,
        extendedHours,
        workers: 2,
      });
      disposers.push(() => workers.dispose());
      const asked = [...symbols.slice(6), "NONE", ...symbols.slice(0, 6)];
      const got = workers.analyzeMany(asked);
      expect(got, `extendedHours ${extendedHours}`).toStrictEqual(single.analyzeMany(asked));
      expect(got.map((r) => r?.symbol)).toEqual(asked.map((s) => (s === "NONE" ? undefined : s)));
      expect(got[0]!.indicators.sma20, "warmed up from history").toBeTypeOf("number");
      single.dispose();
    }
  });

  it("keeps up over more bars than its log holds (the ring wraps, the owner waits for room)", () => {
    const one = new SessionData({ calendar: alwaysOpenCalendar });
    const many = new SessionData({ calendar: alwaysOpenCalendar });
    const single = new AnalysisEngine({ sessionData: one, indicators: ALL });
    const workers = new AnalysisEngine({ sessionData: many, indicators: ALL, workers: 1 });
    disposers.push(() => workers.dispose());
    const t0 = Date.UTC(2024, 0, 1);
    for (let m = 0; m < 25_000; m++) {
      for (const [k, s] of ["X", "Y", "Z"].entries()) {
        const bar = makeBar(t0 + m * 60_000, 100 + k + 10 * Math.sin(m / 300), m + k);
        one.addBar(s, bar);
        many.addBar(s, bar);
      }
      if (m % 12_345 === 0) expect(workers.analyze("Y")).toStrictEqual(single.analyze("Y"));
    }
    expect(
      workers.analyzeMany(["X", "Y", "Z"]),
      "75,000 bars through a 32,768-record ring",
    ).toStrictEqual(single.analyzeMany(["X", "Y", "Z"]));
  });

  it("refuses what cannot cross threads, and stops on dispose", () => {
    const sd = new SessionData({ calendar: xnysCalendar });
    expect(
      () => new AnalysisEngine({ sessionData: sd, indicators: [() => new Sma(5)], workers: 1 }),
    ).toThrow(/spec strings only/);
    expect(
      () =>
        new AnalysisEngine({
          sessionData: new SessionData({ calendar: makeTestCalendar() }),
          workers: 1,
        }),
    ).toThrow(/built-in calendar/);
    expect(() => new AnalysisEngine({ sessionData: sd, workers: 0 })).toThrow(InvalidArgumentError);
    const engine = new AnalysisEngine({ sessionData: sd, workers: 1 });
    expect(() => engine.subscribe(() => {})).toThrow(/not available with workers/);
    expect(engine.analyze("A"), "an unknown symbol").toBeUndefined();
    sd.addBar("A", makeBar(at("2024-01-02", 14, 30)));
    expect(engine.analyze("A")?.price).toBe(makeBar(at("2024-01-02", 14, 30)).close);
    engine.dispose();
    expect(engine.analyze("A"), "after dispose").toBeUndefined();
    engine.dispose();
  });
});
