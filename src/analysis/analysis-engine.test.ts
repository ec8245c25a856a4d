import fc from "fast-check";
import * as ts from "trading-signals";
import { afterEach, describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { at, makeBar, makeTestCalendar } from "../store/fixtures.js";
import { SessionData } from "../store/public.js";
import { AnalysisEngine } from "./analysis-engine.js";
import type { Indicator } from "./indicator.js";
import { Ema, Sma } from "./moving-averages.js";
import { Rsi } from "./rsi.js";
import type { AnalysisResult } from "./symbol-analysis.js";
import { fromTradingSignals } from "./trading-signals-adapter.js";

const calendar = makeTestCalendar();
// The test calendar: regular 09:30–16:00 UTC, extended 08:00–20:00, Monday to Friday.
const DAY1 = "2024-01-02";
const DAY2 = "2024-01-03";

/** `count` regular bars of `date` from 09:30, a wavy price so every indicator moves. */
function sessionBars(date: string, count: number, base = 100): Bar[] {
  return Array.from({ length: count }, (_, i) =>
    makeBar(at(date, 9, 30) + i * 60_000, base + 5 * Math.sin(i / 7) + i * 0.01, i),
  );
}

/** What a hand-fed SMA-50/EMA-20/RSI-14 says after `bars`. */
function reference(bars: readonly Bar[]): Record<string, number | null> {
  const set: Indicator[] = [new Sma(50), new Ema(20), new Rsi(14)];
  for (const bar of bars) for (const i of set) i.update(bar);
  return Object.fromEntries(set.map((i) => [i.name, (i.value as number | undefined) ?? null]));
}

const engines: AnalysisEngine[] = [];
function engineFor(
  sd: SessionData,
  options: Partial<ConstructorParameters<typeof AnalysisEngine>[0]> = {},
) {
  const engine = new AnalysisEngine({ sessionData: sd, ...options });
  engines.push(engine);
  return engine;
}
afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
});

describe("AnalysisEngine: bars in order", () => {
  it("feeds each bar once and answers like hand-fed indicators", () => {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd);
    const bars = sessionBars(DAY1, 80);
    for (const bar of bars) sd.addBar("AAPL", bar);
    const result = engine.analyze("AAPL")!;
    expect(result.indicators).toEqual(reference(bars));
    expect(result.symbol).toBe("AAPL");
    expect(result.time).toBe(bars[79]!.time);
    expect(result.price).toBe(bars[79]!.close);
    const sma = result.indicators.sma50 as number;
    expect(result.trend).toBe(
      result.price > sma ? "bullish" : result.price < sma ? "bearish" : "neutral",
    );
    expect(engine.analyze("MSFT"), "a symbol the store does not hold").toBeUndefined();
  });

  it("says bullish above the SMA-50, bearish below, neutral before it is ready", () => {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd);
    const t0 = at(DAY1, 9, 30);
    for (let i = 0; i < 49; i++) sd.addBar("X", makeBar(t0 + i * 60_000, 100));
    expect(engine.analyze("X")?.trend, "SMA-50 not ready yet").toBe("neutral");
    expect(engine.analyze("X")?.indicators.sma50).toBeNull();
    sd.addBar("X", makeBar(t0 + 49 * 60_000, 110));
    expect(engine.analyze("X")?.trend).toBe("bullish");
    sd.addBar("X", makeBar(t0 + 50 * 60_000, 90));
    expect(engine.analyze("X")?.trend).toBe("bearish");
  });

  it("falls back to the EMA for the trend when the set has no SMA", () => {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd, { indicators: ["ema:3", "rsi:2"] });
    const t0 = at(DAY1, 9, 30);
    [10, 10, 10, 20].forEach((p, i) => void sd.addBar("X", makeBar(t0 + i * 60_000, p)));
    expect(engine.analyze("X")?.trend).toBe("bullish");
  });

  it("keeps extended-hours bars away from the indicators unless asked", () => {
    const sd = new SessionData({ calendar });
    const regularOnly = engineFor(sd, { indicators: ["sma:2"] });
    const everything = engineFor(sd, { indicators: ["sma:2"], extendedHours: true });
    sd.addBar("X", makeBar(at(DAY1, 8, 0), 50));
    sd.addBar("X", makeBar(at(DAY1, 9, 30), 100));
    sd.addBar("X", makeBar(at(DAY1, 9, 31), 102));
    sd.addBar("X", makeBar(at(DAY1, 16, 0), 200));
    const close = (p: number) => makeBar(0, p).close;
    expect(regularOnly.analyze("X")?.indicators.sma2).toBe((close(100) + close(102)) / 2);
    expect(regularOnly.analyze("X")?.price, "price of the latest bar indicators saw").toBe(
      close(102),
    );
    expect(everything.analyze("X")?.indicators.sma2).toBe((close(102) + close(200)) / 2);
  });
});

describe("AnalysisEngine: late and corrected bars", () => {
  const bars = sessionBars(DAY1, 90);

  function inOrder(): AnalysisResult {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd);
    for (const bar of bars) sd.addBar("AAPL", bar);
    return engine.analyze("AAPL")!;
  }

  it("a late insert gives exactly what in-order arrival gives", () => {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd);
    bars.forEach((bar, i) => {
      if (i !== 30 && i !== 70) sd.addBar("AAPL", bar);
    });
    sd.addBar("AAPL", bars[70]!);
    sd.addBar("AAPL", bars[30]!);
    expect(engine.analyze("AAPL")).toEqual(inOrder());
  });

  it("a correction of the latest bar (replace) and of an older bar both end as in order", () => {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd);
    const wrong = (b: Bar) => ({ ...b, close: b.close + 3, high: b.high + 3 });
    bars.forEach((bar, i) => {
      sd.addBar("AAPL", i % 10 === 0 ? wrong(bar) : bar);
      if (i % 20 === 0) sd.addBar("AAPL", bar); // latest corrected at once
    });
    for (let i = 10; i < bars.length; i += 20) sd.addBar("AAPL", bars[i]!); // older ones later
    expect(engine.analyze("AAPL")).toEqual(inOrder());
  });

  it("any arrival order, duplicates included, ends as in order (property)", () => {
    const few = bars.slice(0, 60);
    const expected = (() => {
      const sd = new SessionData({ calendar });
      const engine = engineFor(sd, {
        indicators: ["sma:5", "ema:4", "rsi:3", "bollinger:5:2", "vwap"],
      });
      for (const bar of few) sd.addBar("S", bar);
      return engine.analyze("S");
    })();
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          few.map((_, i) => i),
          { minLength: few.length, maxLength: few.length },
        ),
        fc.array(fc.nat({ max: few.length - 1 }), { maxLength: 10 }),
        (order, repeats) => {
          const sd = new SessionData({ calendar });
          const engine = new AnalysisEngine({
            sessionData: sd,
            indicators: ["sma:5", "ema:4", "rsi:3", "bollinger:5:2", "vwap"],
          });
          for (const i of [...order, ...repeats]) sd.addBar("S", few[i]!);
          const actual = engine.analyze("S");
          engine.dispose();
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it("a set holding a trading-signals adapter (no clone) rebuilds from history, same result", () => {
    const indicators = ["sma:50", () => fromTradingSignals("wma10", () => new ts.WMA(10))];
    const reference = (() => {
      const sd = new SessionData({ calendar });
      const engine = engineFor(sd, { indicators });
      for (const bar of bars) sd.addBar("AAPL", bar);
      return engine.analyze("AAPL")!;
    })();
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd, { indicators });
    bars.forEach((bar, i) => {
      if (i !== 40) sd.addBar("AAPL", bar);
    });
    sd.addBar("AAPL", bars[40]!);
    expect(engine.analyze("AAPL")).toEqual(reference);
    expect(typeof reference.indicators.wma10, "the adapter is ready").toBe("number");
  });
});

describe("AnalysisEngine: sessions and warm-up", () => {
  it("warms up from history so indicators are ready at the session open", () => {
    const sd = new SessionData({ calendar });
    const day1 = sessionBars(DAY1, 200);
    for (const bar of day1) sd.addBar("AAPL", bar);
    const open = makeBar(at(DAY2, 9, 30), 101);
    sd.addBar("AAPL", open); // starts DAY2: DAY1 goes to history
    const engine = engineFor(sd);
    expect(engine.warmupBars, "3 x the SMA-50's period").toBe(150);
    const result = engine.analyze("AAPL")!;
    expect(result.indicators, "fed the last 150 bars of history, then the open").toEqual(
      reference([...day1.slice(-150), open]),
    );
    expect(
      Object.values(result.indicators).every((v) => v !== null),
      "all ready at the open",
    ).toBe(true);
  });

  it("warms up from regular-session history bars only, asking for more past extended hours", () => {
    const sd = new SessionData({ calendar });
    const pre = Array.from({ length: 60 }, (_, i) => makeBar(at(DAY1, 8, 0) + i * 60_000, 80, i));
    const regular = sessionBars(DAY1, 30);
    const post = Array.from({ length: 60 }, (_, i) =>
      makeBar(at(DAY1, 16, 0) + i * 60_000, 120, i),
    );
    for (const bar of [...pre, ...regular, ...post]) sd.addBar("AAPL", bar);
    const open = makeBar(at(DAY2, 9, 30), 101);
    sd.addBar("AAPL", open);
    const engine = engineFor(sd, { warmupBars: 20 });
    expect(engine.analyze("AAPL")?.indicators, "the last 20 regular bars, then the open").toEqual(
      reference([...regular.slice(-20), open]),
    );
  });

  it("runs one continuous series across sessions (each bar fed once)", () => {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd);
    const day1 = sessionBars(DAY1, 40);
    const day2 = sessionBars(DAY2, 40, 103);
    for (const bar of [...day1, ...day2]) sd.addBar("AAPL", bar);
    expect(engine.analyze("AAPL")?.indicators).toEqual(reference([...day1, ...day2]));
  });

  it("a late bar in the second session still matches in-order arrival (checkpoint)", () => {
    const day1 = sessionBars(DAY1, 40);
    const day2 = sessionBars(DAY2, 40, 103);
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd);
    for (const bar of day1) sd.addBar("AAPL", bar);
    day2.forEach((bar, i) => {
      if (i !== 5) sd.addBar("AAPL", bar);
    });
    sd.addBar("AAPL", day2[5]!);
    expect(engine.analyze("AAPL")?.indicators).toEqual(reference([...day1, ...day2]));
  });

  it("restarts the session VWAP at each session", () => {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd, { indicators: ["vwap"] });
    for (const bar of sessionBars(DAY1, 10)) sd.addBar("AAPL", bar);
    const only = makeBar(at(DAY2, 9, 30), 120, 3);
    sd.addBar("AAPL", only);
    expect(engine.analyze("AAPL")?.indicators.vwap).toBeCloseTo(
      (only.high + only.low + only.close) / 3,
      12,
    );
  });
});

describe("AnalysisEngine: analyze from another listener, events, lifecycle", () => {
  it("reflects the bar being dispatched even in a store listener that runs before the engine", () => {
    const sd = new SessionData({ calendar });
    const seen: (AnalysisResult | undefined)[] = [];
    let engine: AnalysisEngine | undefined;
    sd.subscribe((e) => {
      if (e.type === "bar") seen.push(engine?.analyze("AAPL"));
    });
    engine = engineFor(sd);
    const bars = sessionBars(DAY1, 70);
    bars.forEach((bar, i) => {
      if (i !== 20) sd.addBar("AAPL", bar);
    });
    sd.addBar("AAPL", bars[20]!); // a late insert, seen first by the earlier listener
    expect(seen.at(-1)).toEqual(engine.analyze("AAPL"));
    expect(seen.at(-1)?.indicators).toEqual(reference(bars));
    expect(seen[59]?.time, "the 60th bar was visible to the earlier listener").toBe(bars[60]!.time);
  });

  it("sees a correction of an older bar from a store listener that runs before the engine", () => {
    const sd = new SessionData({ calendar });
    let engine: AnalysisEngine | undefined;
    let inside: AnalysisResult | undefined;
    sd.subscribe((e) => {
      if (e.type === "bar" && e.arrival === "replace") inside = engine?.analyze("AAPL");
    });
    engine = engineFor(sd);
    const bars = sessionBars(DAY1, 70);
    const wrong = { ...bars[10]!, close: bars[10]!.close + 2, high: bars[10]!.high + 2 };
    bars.forEach((bar, i) => {
      sd.addBar("AAPL", i === 10 ? wrong : bar);
    });
    sd.addBar("AAPL", bars[10]!);
    expect(inside?.indicators, "the correction is already in").toEqual(reference(bars));
  });

  it("emits a result per bar that reaches the indicators", () => {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd, { indicators: ["sma:2"] });
    const results: AnalysisResult[] = [];
    const stop = engine.subscribe((r) => results.push(r));
    sd.addBar("X", makeBar(at(DAY1, 8, 0), 50)); // extended hours: not emitted
    sd.addBar("X", makeBar(at(DAY1, 9, 30), 100));
    sd.addBar("X", makeBar(at(DAY1, 9, 31), 102));
    expect(results.map((r) => r.time)).toEqual([at(DAY1, 9, 30), at(DAY1, 9, 31)]);
    expect(results[1]?.indicators.sma2).toBeTypeOf("number");
    stop();
    sd.addBar("X", makeBar(at(DAY1, 9, 32), 104));
    expect(results.length, "unsubscribed").toBe(2);
  });

  it("dispose() stops following the store; clear() in the store forgets the sets", () => {
    const sd = new SessionData({ calendar });
    const engine = engineFor(sd, { indicators: ["sma:2"] });
    sd.addBar("X", makeBar(at(DAY1, 9, 30), 100));
    expect(engine.symbols()).toEqual(["X"]);
    sd.clear();
    expect(engine.symbols(), "clear forgets").toEqual([]);
    engine.dispose();
    sd.addBar("X", makeBar(at(DAY1, 9, 31), 100));
    expect(engine.symbols()).toEqual([]);
    expect(engine.analyze("X"), "a disposed engine answers nothing").toBeUndefined();
  });

  it("refuses bad specs (naming them) and duplicate names", () => {
    const sd = new SessionData({ calendar });
    expect(() => new AnalysisEngine({ sessionData: sd, indicators: ["sma:fifty"] })).toThrow(
      /sma:fifty/,
    );
    expect(() => new AnalysisEngine({ sessionData: sd, indicators: ["sma:5", "SMA:5"] })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new AnalysisEngine({ sessionData: sd, warmupBars: -1 })).toThrow(
      InvalidArgumentError,
    );
    expect(
      () => new AnalysisEngine({ sessionData: sd, indicators: "sma:50" as unknown as string[] }),
    ).toThrow(InvalidArgumentError);
  });
});
