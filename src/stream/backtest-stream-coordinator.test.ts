import { describe, expect, it } from "vitest";
import { FakeClock, turn } from "../../test/fake-clock.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { InvalidArgumentError, InvalidDateError } from "../domain/errors.js";
import type { BarStore, ScanOptions } from "../history/bar-store.js";
import { SessionData } from "../store/public.js";
import { BacktestStreamCoordinator } from "./backtest-stream-coordinator.js";
import type { BacktestOptions, BacktestReport } from "./backtest-types.js";
import { fixtureStore } from "./replay.test-helpers.js";

const M = 60_000;
const DATES = ["2024-01-02", "2024-01-03", "2024-01-04"];
const SYMBOLS = ["MSFT", "AAPL", "NVDA"];
const cal = xnysCalendar;

async function setup(
  extra: Partial<BacktestOptions> = {},
  fixture: Parameters<typeof fixtureStore>[1] = { symbols: SYMBOLS, dates: DATES, minutes: 30 },
) {
  const { store, bars } = await fixtureStore(cal, fixture);
  const sessionData = new SessionData({ calendar: cal });
  const replay = new BacktestStreamCoordinator({
    barStore: store,
    sessionData,
    calendar: cal,
    from: DATES[0]!,
    to: DATES[DATES.length - 1]!,
    ...extra,
  });
  return { store, bars, sessionData, replay };
}

/** The report without its wall-clock fields, for comparing runs. */
function stable(report: BacktestReport): unknown {
  const { wallMs: _w, barsPerSecond: _b, ...rest } = report;
  return JSON.parse(JSON.stringify(rest));
}

describe("BacktestStreamCoordinator", () => {
  it("replays every bar of the range into session data and counts them", async () => {
    const { replay, sessionData } = await setup();
    const report = await replay.run();
    expect(report.sessions).toBe(3);
    expect(report.slices, "30 minutes a session").toBe(90);
    expect(report.bars).toBe(3 * 30 * 3);
    expect(report.droppedBars, "absent without a drop rate").toBeUndefined();
    expect(report.barsPerSecond).toBeGreaterThan(0);
    expect(Object.keys(report.symbols), "report symbols sorted").toEqual(["AAPL", "MSFT", "NVDA"]);
    expect(sessionData.currentSession).toBe("2024-01-04");
    expect(sessionData.getBarCount("AAPL")).toBe(30);
    expect(sessionData.historySessionDates()).toEqual(["2024-01-02", "2024-01-03"]);
    const metrics = report.symbols.AAPL!.metrics!;
    expect(metrics.sessionDate).toBe("2024-01-04");
    expect(metrics.barCount).toBe(30);
    expect(metrics.expectedBarCount, "the clock reached the close at session end").toBe(390);
    expect(report.symbols.AAPL!.indicators).toEqual({});
    expect(report.symbols.AAPL!.trend).toBeNull();
  });

  it("puts every bar of minute t in the store before the slice of t, ties in symbol order", async () => {
    const { replay, sessionData, bars } = await setup(
      {},
      { symbols: SYMBOLS, dates: DATES, minutes: 40, skipEvery: 4 },
    );
    const times: number[] = [];
    let checked = 0;
    replay.on("slice", ({ time, bars: slice }) => {
      times.push(time);
      const names = [...slice.keys()];
      expect(names, "slice keys in symbol order").toEqual([...names].sort());
      for (const symbol of SYMBOLS) {
        const expected = bars.get(symbol)!.find((b) => b.time === time);
        expect(slice.get(symbol), `${symbol} at ${time}`).toEqual(expected);
        const latest = sessionData.getLatestBar(symbol);
        if (expected !== undefined) expect(latest).toEqual(expected);
        else
          expect(latest === undefined || latest.time < time, "no bar of a later minute").toBe(true);
      }
      checked++;
    });
    await replay.run();
    expect(checked).toBe(120);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
  });

  it("fires sessionStart before a session's first slice and sessionEnd after its last", async () => {
    const { replay, sessionData } = await setup();
    const log: string[] = [];
    replay.on("sessionStart", (e) =>
      log.push(`start ${e.date} ${e.index} ${sessionData.currentSession}`),
    );
    replay.on("sessionEnd", (e) => log.push(`end ${e.date} ${e.bars} ${e.slices}`));
    replay.on("slice", (e) => {
      if (e.time % (10 * M) === 0) log.push(`slice ${new Date(e.time).toISOString()}`);
    });
    let ended: BacktestReport | undefined;
    replay.on("end", (r) => {
      ended = r;
    });
    const report = await replay.run();
    expect(ended).toBe(report);
    expect(
      log.filter((l) => !l.startsWith("slice")),
      "session events",
    ).toEqual([
      "start 2024-01-02 0 2024-01-02",
      "end 2024-01-02 90 30",
      "start 2024-01-03 1 2024-01-03",
      "end 2024-01-03 90 30",
      "start 2024-01-04 2 2024-01-04",
      "end 2024-01-04 90 30",
    ]);
    expect(log[1]).toBe("slice 2024-01-02T14:30:00.000Z");
  });

  it("replays [open, close) for regular hours and [preOpen, postClose) for extended", async () => {
    const fixture = { symbols: ["AAPL"], dates: ["2024-01-02"], minutes: 20, extended: 5 };
    const one = { from: "2024-01-02", to: "2024-01-02" };
    const regular = await setup(one, fixture);
    expect((await regular.replay.run()).bars).toBe(20);
    const extended = await setup({ ...one, hours: "extended" }, fixture);
    const report = await extended.replay.run();
    expect(report.bars, "5 pre-market + 20 + 5 post-market").toBe(30);
    expect(extended.sessionData.getBarCount("AAPL"), "extended bars are stored too").toBe(30);
    expect(report.symbols.AAPL!.metrics!.barCount, "metrics count regular bars").toBe(20);
  });

  it("is deterministic: the same events and report, run after run", async () => {
    const record = async () => {
      const { replay } = await setup(
        { dropRate: 0.1, seed: 7 },
        {
          symbols: SYMBOLS,
          dates: DATES,
          minutes: 25,
          skipEvery: 3,
        },
      );
      const events: unknown[] = [];
      replay.on("slice", (e) => events.push(["slice", e.time, [...e.bars]]));
      replay.on("sessionStart", (e) => events.push(["start", e.date]));
      replay.on("sessionEnd", (e) => events.push(["end", e]));
      replay.on("progress", (e) => events.push(["progress", e.fraction, e.time, e.bars]));
      return { events, report: stable(await replay.run()) };
    };
    const a = await record();
    const b = await record();
    expect(b.events).toEqual(a.events);
    expect(b.report).toEqual(a.report);
  });

  it("drops a seeded fraction of bars from the stream and counts them", async () => {
    const run = async (seed: number) => {
      const { replay, sessionData } = await setup({ dropRate: 0.2, seed });
      let delivered = 0;
      replay.on("slice", (e) => {
        delivered += e.bars.size;
      });
      const report = await replay.run();
      return { report, delivered, stored: sessionData.getBarCount("AAPL") };
    };
    const a = await run(3);
    expect(a.report.bars, "bars counts what the store holds, dropped included").toBe(270);
    const dropped = a.report.droppedBars!;
    expect(dropped).toBeGreaterThan(270 * 0.1);
    expect(dropped).toBeLessThan(270 * 0.3);
    expect(a.delivered).toBe(270 - dropped);
    expect(a.stored, "AAPL's last session lacks its dropped bars").toBeLessThanOrEqual(30);
    expect((await run(3)).report.droppedBars, "same seed, same drops").toBe(dropped);
    expect((await run(4)).report.droppedBars, "another seed, other drops").not.toBe(dropped);
  });

  it("runs upkeep every interval of simulated time and at each session end, before the slice", async () => {
    const calls: string[] = [];
    const upkeep = {
      interval: 10 * M,
      async runOnce(now: number) {
        await new Promise((r) => setImmediate(r));
        calls.push(
          `upkeep ${new Date(now).toISOString().slice(11, 16)} clock=${sd().clock === now}`,
        );
      },
      report: () => ({ runs: calls.length }),
    };
    const { replay, sessionData } = await setup({ upkeep, to: "2024-01-02" });
    const sd = () => sessionData;
    replay.on("slice", (e) => {
      const m = (e.time - Date.UTC(2024, 0, 2, 14, 30)) / M;
      if (m % 10 === 9) calls.push(`slice ${m}`);
    });
    const report = await replay.run();
    expect(calls).toEqual([
      "upkeep 14:40 clock=true",
      "slice 9",
      "upkeep 14:50 clock=true",
      "slice 19",
      "upkeep 15:00 clock=true",
      "slice 29",
      "upkeep 21:00 clock=true",
    ]);
    expect(report.upkeep).toEqual({ runs: 7 });
  });

  it("stop() from a listener ends run() with the report so far", async () => {
    const { replay, sessionData } = await setup();
    let slices = 0;
    replay.on("slice", () => {
      if (++slices === 40) replay.stop();
    });
    const report = await replay.run();
    expect(report.stopped).toBe(true);
    expect(report.slices).toBe(40);
    expect(report.bars).toBe(120);
    expect(report.sessions).toBe(2);
    expect(sessionData.getBarCount("AAPL"), "nothing of minute 41 was stored").toBe(10);
  });

  it("pause() holds a max-speed replay until resume(); stop() from a timer ends it", async () => {
    const { replay } = await setup({}, { symbols: SYMBOLS, dates: DATES, minutes: 390 });
    let slices = 0;
    replay.on("slice", () => {
      if (++slices === 100) replay.pause();
    });
    const done = replay.run();
    for (let i = 0; i < 20; i++) await turn();
    expect(replay.paused).toBe(true);
    expect(slices, "no slice while paused").toBe(100);
    replay.resume();
    const report = await done;
    expect(report.slices).toBe(3 * 390);

    const wallClock = new FakeClock(0);
    const second = await setup(
      { speed: 600, wallClock },
      { symbols: SYMBOLS, dates: DATES, minutes: 390 },
    );
    wallClock.schedule(() => second.replay.stop(), 250);
    const stopped = await wallClock.run(second.replay.run());
    expect(stopped.stopped).toBe(true);
    expect(stopped.slices, "600x real time: a minute each 100 ms, stopped at 250 ms").toBe(3);
    expect(wallClock.now()).toBe(250);
  });

  it("paces a replay at a multiple of real time", async () => {
    const wallClock = new FakeClock(1_000_000);
    const { replay } = await setup(
      { speed: 6000, to: "2024-01-02", wallClock },
      { symbols: ["AAPL"], dates: ["2024-01-02"], minutes: 11 },
    );
    const times: number[] = [];
    replay.on("slice", () => times.push(wallClock.now() - 1_000_000));
    const report = await wallClock.run(replay.run());
    expect(report.slices).toBe(11);
    expect(times, "at 6000x a simulated minute takes 10 ms").toEqual(
      Array.from({ length: 11 }, (_, i) => i * 10),
    );
  });

  it("pause() and resume() at a finite speed shift the schedule by the time spent paused", async () => {
    const wallClock = new FakeClock(0);
    const { replay } = await setup(
      { speed: 6000, to: "2024-01-02", wallClock },
      { symbols: ["AAPL"], dates: ["2024-01-02"], minutes: 6 },
    );
    const times: number[] = [];
    replay.on("slice", () => {
      times.push(wallClock.now());
      if (times.length === 3) replay.pause();
    });
    wallClock.schedule(() => replay.resume(), 1_000);
    await wallClock.run(replay.run());
    expect(times, "minutes 0-2 at 0, 10, 20 ms; paused at 20 ms until 1,000 ms").toEqual([
      0, 10, 20, 1_010, 1_020, 1_030,
    ]);
  });

  it("setSpeed() re-paces a running replay", async () => {
    const wallClock = new FakeClock(0);
    const { replay } = await setup(
      { speed: 60, to: "2024-01-02", wallClock },
      { symbols: ["AAPL"], dates: ["2024-01-02"], minutes: 30 },
    );
    let slices = 0;
    replay.on("slice", () => {
      if (++slices === 1) replay.setSpeed("max");
    });
    expect(() => replay.setSpeed(-1)).toThrow(/speed/);
    const report = await wallClock.run(replay.run());
    expect(report.slices).toBe(30);
    expect(wallClock.now(), "at 60x these 29 minutes would take 29 s; at max, none").toBe(0);
  });

  it("setSpeed() from max paces from the minute reached, not from the session's first", async () => {
    const wallClock = new FakeClock(0);
    const { replay } = await setup(
      { to: "2024-01-02", wallClock },
      { symbols: ["AAPL"], dates: ["2024-01-02"], minutes: 30 },
    );
    let slices = 0;
    replay.on("slice", () => {
      if (++slices === 21) replay.setSpeed(600);
    });
    await wallClock.run(replay.run());
    expect(
      wallClock.now(),
      "9 minutes at 600x: 900 ms (anchored at the first minute it would be 2,900 ms)",
    ).toBe(900);
  });

  it("reports progress at increasing fractions up to 1", async () => {
    const { replay } = await setup({ progressSteps: 10 });
    const fractions: number[] = [];
    replay.on("progress", (e) => fractions.push(e.fraction));
    await replay.run();
    expect(fractions.length, JSON.stringify(fractions)).toBeGreaterThanOrEqual(3);
    expect(fractions.length).toBeLessThanOrEqual(12);
    expect(fractions.every((f, i) => i === 0 || f > fractions[i - 1]!)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
  });

  it("streams the range in one chunked scan, from the first open to the last close", async () => {
    const { store } = await fixtureStore(cal, { symbols: SYMBOLS, dates: DATES, minutes: 30 });
    const scans: ScanOptions[] = [];
    const spy: BarStore = {
      writeBars: (symbol, bars) => store.writeBars(symbol, bars),
      readBars: (symbol, from, to) => store.readBars(symbol, from, to),
      symbols: () => store.symbols(),
      coverage: (symbol) => store.coverage(symbol),
      countBars: (o) => store.countBars(o),
      symbolInfo: (symbol) => store.symbolInfo(symbol),
      listSymbolInfo: () => store.listSymbolInfo(),
      setSymbolInfo: (info) => store.setSymbolInfo(info),
      close: () => store.close(),
      scan: (o: ScanOptions) => {
        scans.push(o);
        return store.scan(o);
      },
    };
    const replay = new BacktestStreamCoordinator({
      barStore: spy,
      sessionData: new SessionData({ calendar: cal }),
      calendar: cal,
      symbols: ["MSFT", "AAPL"],
      from: "2024-01-02",
      to: "2024-01-04",
      chunkSize: 7,
    });
    expect((await replay.run()).bars).toBe(180);
    expect(scans.map((s) => [s.from, s.to, s.chunkSize, s.symbols])).toEqual([
      [cal.session(DATES[0]!)!.open, cal.session(DATES[2]!)!.close, 7, ["AAPL", "MSFT"]],
    ]);
  });

  it("ends a session once, also when bars after its window end it and no session follows", async () => {
    const { replay } = await setup(
      { to: "2024-01-03" },
      {
        symbols: ["AAPL"],
        dates: ["2024-01-02"],
        minutes: 3,
        extended: 2,
      },
    );
    const log: string[] = [];
    replay.on("sessionStart", (e) => log.push(`start ${e.date}`));
    replay.on("sessionEnd", (e) => log.push(`end ${e.date} ${e.bars}`));
    const report = await replay.run();
    expect(log).toEqual(["start 2024-01-02", "end 2024-01-02 3"]);
    expect(report.sessions).toBe(1);
  });

  it("stop() from a sessionEnd listener starts no further session", async () => {
    const { replay } = await setup();
    const log: string[] = [];
    replay.on("sessionStart", (e) => log.push(`start ${e.date}`));
    replay.on("sessionEnd", (e) => {
      log.push(`end ${e.date}`);
      replay.stop();
    });
    const report = await replay.run();
    expect(log).toEqual(["start 2024-01-02", "end 2024-01-02"]);
    expect(report).toMatchObject({ stopped: true, sessions: 1, slices: 30, bars: 90 });
  });

  it("skips sessions of the range that have no bars", async () => {
    const { replay } = await setup(
      {},
      {
        symbols: SYMBOLS,
        dates: ["2024-01-02", "2024-01-04"],
        minutes: 5,
        extended: 3,
      },
    );
    const starts: string[] = [];
    replay.on("sessionStart", (e) => starts.push(`${e.date}#${e.index}`));
    const report = await replay.run();
    expect(starts).toEqual(["2024-01-02#0", "2024-01-04#2"]);
    expect(report.sessions).toBe(2);
    expect(report.bars, "extended bars between the windows are passed over").toBe(2 * 5 * 3);
  });

  it("fills indicators and trend from an analysis engine", async () => {
    const analysisEngine = {
      analyze: (symbol: string) => ({ indicators: { sma50: symbol.length }, trend: "bullish" }),
    };
    const { replay } = await setup({ analysisEngine });
    const report = await replay.run();
    expect(report.symbols.MSFT).toMatchObject({ indicators: { sma50: 4 }, trend: "bullish" });
  });

  it("refuses up front to replay into a session store already past the range, and runs once cleared", async () => {
    const { replay, sessionData } = await setup();
    await replay.run();
    const again = new BacktestStreamCoordinator({
      barStore: (await fixtureStore(cal, { symbols: SYMBOLS, dates: DATES, minutes: 30 })).store,
      sessionData,
      calendar: cal,
      from: DATES[0]!,
      to: DATES[2]!,
    });
    await expect(again.run()).rejects.toThrow(
      "the session store is at session 2024-01-04, after the replay's first session 2024-01-02: clear it first",
    );
    expect(sessionData.getBarCount("AAPL"), "the store is untouched").toBe(30);
    sessionData.clear();
    expect((await again.run()).bars, "the same replay runs once the store is cleared").toBe(270);
  });

  it("refuses bad options with clear errors", async () => {
    const base = {
      barStore: (await fixtureStore(cal, { symbols: ["A"], dates: DATES, minutes: 1 })).store,
      sessionData: new SessionData({ calendar: cal }),
      calendar: cal,
      from: "2024-01-02",
      to: "2024-01-04",
    };
    const make = (o: Partial<BacktestOptions>) => () =>
      new BacktestStreamCoordinator({ ...base, ...o });
    expect(make({ from: "2024-13-01" })).toThrow(InvalidDateError);
    expect(make({ to: "yesterday" })).toThrow(/"yesterday"/);
    expect(make({ from: "2024-02-01", to: "2024-01-01" })).toThrow(
      /empty range: from 2024-02-01 is after/,
    );
    expect(make({ from: "2024-01-06", to: "2024-01-07" })).toThrow(
      /no XNYS session between 2024-01-06/,
    );
    expect(make({ speed: 0 })).toThrow(InvalidArgumentError);
    expect(make({ speed: "fast" as unknown as number })).toThrow(/speed/);
    expect(make({ speed: Number.NaN }), "NaN is quoted as NaN, not JSON's null").toThrow(
      /got NaN$/,
    );
    expect(make({ dropRate: 1.5 })).toThrow(/dropRate/);
    const replay = make({})();
    expect(() => replay.on("slices" as "slice", () => {}), "a typo names the events").toThrow(
      'unknown replay event "slices": use one of slice, sessionStart, sessionEnd, progress, end',
    );
    expect(() => replay.on("toString" as "slice", () => {})).toThrow(InvalidArgumentError);
    expect(() => replay.on("slice", "x" as unknown as () => void)).toThrow(/expects a function/);
    expect(make({ hours: "all" as "regular" })).toThrow(/hours/);
    expect(make({ symbols: [] })).toThrow(/symbols is empty/);
    await expect(make({ symbols: ["A", "ZZZ", "YYY"] })().run()).rejects.toThrow(
      /unknown symbols ZZZ, YYY/,
    );
    const once = make({})();
    await once.run();
    await expect(once.run()).rejects.toThrow(/already run/);
  });

  it("keeps slices consistent across chunk boundaries of any size", async () => {
    const counts: number[][] = [];
    for (const chunkSize of [1, 2, 5, 1000]) {
      const { replay } = await setup(
        { chunkSize },
        { symbols: SYMBOLS, dates: DATES, minutes: 10, skipEvery: 2 },
      );
      const sizes: number[] = [];
      replay.on("slice", (e) => sizes.push(e.bars.size));
      await replay.run();
      counts.push(sizes);
    }
    for (const sizes of counts) expect(sizes).toEqual(counts[0]);
  });
});
