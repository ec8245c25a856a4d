import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { xnysCalendar } from "../../calendar/xnys.js";
import { type Bar, MINUTE_MS } from "../../domain/bar.js";
import { DuckDbBarStore } from "../../history/public.js";
import { runBacktest } from "./backtest.js";
import { runQuality } from "./quality.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-quality-ranges-"));
const db = join(dir, "ranges.duckdb");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function day(date: string, from = 0, to = 390, skip: readonly number[] = []): Bar[] {
  const s = xnysCalendar.session(date)!;
  const out: Bar[] = [];
  for (let m = from; m < Math.min(to, (s.close - s.open) / MINUTE_MS); m++) {
    if (!skip.includes(m)) {
      out.push({
        time: s.open + m * MINUTE_MS,
        open: 10,
        high: 11,
        low: 9,
        close: 10.5,
        volume: 1,
      });
    }
  }
  return out;
}

beforeAll(async () => {
  const store = await DuckDbBarStore.open(db);
  // SPY over late 2013 (12-26 missing: a missing session), AAPL from 2014-01-02 10:14 ET.
  await store.writeBars("SPY", [
    ...day("2013-12-23", 0, 390, [7, 8]),
    ...day("2013-12-24"),
    ...day("2013-12-27"),
    ...day("2013-12-30", 0, 300),
  ]);
  await store.writeBars("AAPL", [...day("2014-01-02", 44), ...day("2014-01-03")]);
  await store.close();
});

describe("sessiondata quality without --from/--to: each symbol over its own range", () => {
  it("lists only each symbol's sessions, the missing session once, totals per symbol", async () => {
    let out = "";
    const result = await runQuality({ db }, (t) => {
      out += t;
    });
    expect(result.sessions.map((r) => `${r.symbol} ${r.sessionDate}`)).toEqual([
      "AAPL 2014-01-02",
      "AAPL 2014-01-03",
      "SPY 2013-12-23",
      "SPY 2013-12-24",
      "SPY 2013-12-26",
      "SPY 2013-12-27",
      "SPY 2013-12-30",
    ]);
    expect(result.symbols.AAPL).toMatchObject({
      from: "2014-01-02",
      to: "2014-01-03",
      expected: 346 + 390,
      present: 346 + 390,
      quality: 100,
      gaps: 0,
    });
    expect(result.symbols.SPY).toMatchObject({
      expected: 390 + 210 + 390 + 390 + 300,
      missing: 2 + 390,
      gaps: 1,
      missingSessions: 1,
    });
    expect(out).toMatch(/SPY\s+2013-12-26\s+390\s+0\s+390\s+0\.00%\s+missing session\s+-/);
    expect(out).toMatch(
      /^SPY \(XNYS\) 2013-12-23\.\.2013-12-30: 5 sessions, .* in 1 gap and 1 missing session, quality/m,
    );
    expect(out).toMatch(
      /^AAPL \(XNYS\) 2014-01-02\.\.2014-01-03: 2 sessions, .* quality 100\.00%/m,
    );
    expect(
      out.split("\n").filter((l) => /^(SPY|AAPL)\s+\d{4}-/.test(l)),
      "one line per session",
    ).toHaveLength(7);
  });

  it("gives the backtest's upkeep the same figure", async () => {
    const quality = await runQuality({ db, json: true }, () => {});
    const report = await runBacktest({ db, json: true }, () => {});
    const upkeep = report.upkeep as Record<string, number>;
    expect({ expected: upkeep.expectedBars, present: upkeep.presentBars }).toEqual({
      expected: quality.totals.expected,
      present: quality.totals.present,
    });
    expect(upkeep.finalQuality).toBe(quality.totals.quality);
    const spy = report.symbols.SPY!;
    expect(spy.metrics?.sessionDate, "SPY's row: its own last session, not 2014-01-03").toBe(
      "2013-12-30",
    );
    expect(spy.lastBarTime).toBe(xnysCalendar.session("2013-12-30")!.open + 299 * MINUTE_MS);
    expect(spy.indicatorsTime).toBe(spy.lastBarTime);
  });
});
