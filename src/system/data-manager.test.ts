import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/xnys.js";
import { MemoryBarStore } from "../history/public.js";
import { SessionData } from "../store/public.js";
import { fixtureStore } from "../stream/replay.test-helpers.js";
import { DataManager } from "./data-manager.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-dm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("DataManager", () => {
  it("imports a file into the bar store", async () => {
    const store = new MemoryBarStore();
    const dm = new DataManager({
      sessionData: new SessionData({ calendar: xnysCalendar }),
      calendar: xnysCalendar,
      barStore: () => store,
    });
    const file = join(dir, "aapl.csv");
    writeFileSync(
      file,
      "time,open,high,low,close,volume\n2024-01-02T14:30:00Z,1,2,0.5,1.5,10\n2024-01-02T14:31:00Z,1.5,2,1,1.8,20\n",
    );
    const result = await dm.importFile(file, { symbol: "AAPL" });
    expect(result.rows).toBe(2);
    expect(await store.coverage("AAPL")).toEqual({
      first: Date.UTC(2024, 0, 2, 14, 30),
      last: Date.UTC(2024, 0, 2, 14, 31),
      count: 2,
    });
  });

  it("creates backtests over its stores, with its analysis engine only for its own store", async () => {
    const { store } = await fixtureStore(xnysCalendar, {
      symbols: ["A"],
      dates: ["2024-01-02"],
      minutes: 10,
    });
    const sessionData = new SessionData({ calendar: xnysCalendar });
    const analysisEngine = { analyze: () => ({ indicators: { x: 1 }, trend: "up" }) };
    const dm = new DataManager({
      sessionData,
      calendar: xnysCalendar,
      barStore: () => store,
      analysisEngine,
    });
    const range = { from: "2024-01-02", to: "2024-01-02" };
    const own = await dm.createBacktest(range).run();
    expect(own.symbols.A).toMatchObject({ indicators: { x: 1 }, trend: "up" });
    expect(dm.getSessionMetrics("A")?.barCount).toBe(10);
    const other = new SessionData({ calendar: xnysCalendar });
    const isolated = await dm.createBacktest({ ...range, sessionData: other }).run();
    expect(isolated.symbols.A).toMatchObject({ indicators: {}, trend: null });
    expect(other.getBarCount("A")).toBe(10);
  });

  it("repairs dropped bars by default (upkeep in the report); upkeep: false turns it off", async () => {
    const { store } = await fixtureStore(xnysCalendar, {
      symbols: ["A", "B"],
      dates: ["2024-01-02", "2024-01-03"],
      minutes: 390,
    });
    const sessionData = new SessionData({ calendar: xnysCalendar });
    const dm = new DataManager({ sessionData, calendar: xnysCalendar, barStore: () => store });
    const range = { from: "2024-01-02", to: "2024-01-03", dropRate: 0.02, seed: 3 };
    const report = await dm.createBacktest(range).run();
    expect(report.droppedBars).toBeGreaterThan(0);
    expect(report.upkeep).toMatchObject({
      barsFilled: report.droppedBars,
      barsUnfillable: 0,
      finalQuality: 100,
    });
    expect(report.symbols.A!.metrics!.barQuality).toBe(100);
    const bare = await dm
      .createBacktest({
        ...range,
        upkeep: false,
        sessionData: new SessionData({ calendar: xnysCalendar }),
      })
      .run();
    expect(bare.upkeep, "no upkeep section without upkeep").toBeUndefined();
    expect(bare.symbols.A!.metrics!.barQuality).toBeLessThan(100);
  });

  it("says when the bar store is not open", () => {
    const dm = new DataManager({
      sessionData: new SessionData({ calendar: xnysCalendar }),
      calendar: xnysCalendar,
      barStore: () => undefined,
    });
    expect(() => dm.createBacktest({ from: "2024-01-02", to: "2024-01-02" })).toThrow(
      /bar store is not open/,
    );
  });
});
