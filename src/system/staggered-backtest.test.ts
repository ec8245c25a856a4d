import { describe, expect, it } from "vitest";
import { alwaysOpenCalendar } from "../calendar/utc-day-calendar.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { assessQuality } from "../upkeep/public.js";
import { SystemManager } from "./system-manager.js";

/** Bars of `date`'s regular minutes `[from, to)` (minute 0 = the open), prices from the time. */
function day(date: string, from = 0, to?: number, skip: readonly number[] = []): Bar[] {
  const s = xnysCalendar.session(date)!;
  const n = to ?? (s.close - s.open) / MINUTE_MS;
  const out: Bar[] = [];
  for (let m = from; m < n; m++) {
    if (skip.includes(m)) continue;
    const t = s.open + m * MINUTE_MS;
    const p = 100 + ((t / MINUTE_MS) % 37) * 0.25;
    out.push({ time: t, open: p, high: p + 0.5, low: p - 0.5, close: p + 0.25, volume: 10 });
  }
  return out;
}

/** SPY in late 2013 (a hole, a missing session, a last day ending at 11:00 ET), AAPL from 2014-01-02 10:14 ET. */
async function staggeredStore(): Promise<MemoryBarStore> {
  const store = new MemoryBarStore();
  await store.writeBars("SPY", [
    ...day("2013-12-23", 0, undefined, [100, 101, 102]),
    ...day("2013-12-24"),
    // 2013-12-26: no SPY bar, but AAPL has none either: the replay passes over it.
    ...day("2013-12-27"),
    ...day("2013-12-30"),
    ...day("2013-12-31", 0, 90),
  ]);
  await store.writeBars("AAPL", [
    ...day("2014-01-02", 44),
    ...day("2014-01-03", 0, undefined, [5]),
    ...day("2014-01-06"),
  ]);
  return store;
}

async function backtest(store: MemoryBarStore) {
  const system = new SystemManager({ barStore: store, indicators: ["sma:5"] });
  await system.start();
  try {
    return await system.dataManager.createBacktest({ from: "2013-12-23", to: "2014-01-06" }).run();
  } finally {
    await system.stop();
  }
}

describe("a backtest over symbols whose stored ranges differ", () => {
  it("reports no gap outside a symbol's range; each row keeps the symbol's last session and times", async () => {
    const report = await backtest(await staggeredStore());
    const upkeep = report.upkeep as Record<string, number>;
    expect(
      upkeep.barsMissing,
      "only SPY's 3-minute hole, AAPL's 1-minute hole and SPY's missing 2013-12-26 (390): nothing before AAPL's first bar or after SPY's last",
    ).toBe(3 + 1 + 390);
    expect(upkeep.gapsDetected, "two real gaps; the missing session is not a gap").toBe(2);
    expect(upkeep.missingSessions).toBe(1);
    const spy = report.symbols.SPY!;
    const lastSpy = xnysCalendar.session("2013-12-31")!.open + 89 * MINUTE_MS;
    expect(spy.metrics?.sessionDate, "SPY's row is its own last session, not 2014-01-06").toBe(
      "2013-12-31",
    );
    expect(spy.lastBarTime).toBe(lastSpy);
    expect(spy.indicatorsTime, "SPY's indicators are as of its last bar").toBe(lastSpy);
    expect(spy.metrics, "its partial last day is complete by the one definition").toMatchObject({
      barCount: 90,
      expectedBarCount: 90,
      barQuality: 100,
    });
    const aapl = report.symbols.AAPL!;
    expect(aapl.metrics?.sessionDate).toBe("2014-01-06");
    expect(aapl.lastBarTime).toBe(xnysCalendar.session("2014-01-06")!.close - MINUTE_MS);
    expect(aapl.indicatorsTime).toBe(aapl.lastBarTime);
  });

  it("computes the same quality as `assessQuality` on the same data (one definition)", async () => {
    const store = await staggeredStore();
    const report = await backtest(store);
    const rows = await assessQuality({
      source: store,
      calendar: xnysCalendar,
      symbols: ["AAPL", "SPY"],
    });
    const expected = rows.reduce((n, r) => n + r.expected, 0);
    const present = rows.reduce((n, r) => n + r.present, 0);
    const upkeep = report.upkeep as Record<string, number>;
    expect({ expected: upkeep.expectedBars, present: upkeep.presentBars }).toEqual({
      expected,
      present,
    });
    expect(upkeep.finalQuality, "the backtest's figure is quality's figure").toBe(
      (present / expected) * 100,
    );
  });

  it("counts a session a symbol lacks before its first replayed bar, as quality does", async () => {
    const store = new MemoryBarStore();
    const post = xnysCalendar.session("2014-01-02")!.close + 30 * MINUTE_MS;
    // AAPL's range starts with a post-market bar on 01-02; 01-03 lacks it while SPY trades.
    await store.writeBars("AAPL", [
      { time: post, open: 1, high: 1, low: 1, close: 1, volume: 1 },
      ...day("2014-01-06"),
    ]);
    await store.writeBars("SPY", [
      ...day("2014-01-02"),
      ...day("2014-01-03"),
      ...day("2014-01-06"),
    ]);
    const report = await backtest(store);
    const rows = await assessQuality({ source: store, calendar: xnysCalendar, symbols: ["AAPL"] });
    expect(rows.map((r) => `${r.sessionDate} ${r.expected} ${r.present}`)).toEqual([
      "2014-01-03 390 0",
      "2014-01-06 390 390",
    ]);
    const upkeep = report.upkeep as Record<string, number>;
    expect(upkeep.barsMissing, "AAPL's 2014-01-03, though the store had not seen AAPL yet").toBe(
      390,
    );
    expect(upkeep.expectedBars).toBe(390 * 3 + 780);
  });

  it("uses each calendar's own sessions when symbols of two calendars are replayed apart", async () => {
    const store = new MemoryBarStore();
    await store.writeBars("SPY", day("2013-12-31", 0, 30));
    await store.writeBars("BTC", day("2013-12-31", 0, 30));
    const run = async (symbols: string[], calendar = xnysCalendar) => {
      const system = new SystemManager({ barStore: store, calendar });
      await system.start();
      try {
        return await system.dataManager
          .createBacktest({ symbols, from: "2013-12-31", to: "2013-12-31" })
          .run();
      } finally {
        await system.stop();
      }
    };
    const btc = await run(["BTC"], alwaysOpenCalendar);
    expect(btc.symbols.BTC!.metrics, "24/7 from the first bar: 30 of 30").toMatchObject({
      barCount: 30,
      expectedBarCount: 30,
    });
    expect((btc.upkeep as Record<string, number>).barsMissing).toBe(0);
  });
});
