import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { alwaysOpenCalendar } from "../calendar/utc-day-calendar.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { DuckDbBarStore } from "../history/public.js";
import { getSessionData, resetSessionData, SessionData } from "../store/public.js";
import { fixtureStore } from "../stream/replay.test-helpers.js";
import { getSessionTracker } from "./session-tracker.js";
import { getSystemManager, resetSystemManager, SystemManager } from "./system-manager.js";

const DATES = ["2024-01-02", "2024-01-03"];
const dir = mkdtempSync(join(tmpdir(), "sessiondata-system-"));

afterEach(async () => {
  await resetSystemManager();
  resetSessionData();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SystemManager", () => {
  it("wires calendar, session data, analysis engine and data manager together", async () => {
    const { store } = await fixtureStore(xnysCalendar, {
      symbols: ["AAPL", "MSFT"],
      dates: DATES,
      minutes: 60,
    });
    const system = new SystemManager({ barStore: store, indicators: ["sma:5", "ema:3"] });
    expect(system.calendar).toBe(xnysCalendar);
    expect(system.sessionData).not.toBe(getSessionData());
    expect(system.dataManager.sessionData).toBe(system.sessionData);
    expect(system.started, "a given store counts as open").toBe(true);
    const report = await system.dataManager
      .createBacktest({ from: "2024-01-02", to: "2024-01-03" })
      .run();
    expect(report.bars).toBe(240);
    const aapl = report.symbols.AAPL!;
    expect(Object.keys(aapl.indicators).sort()).toEqual(["ema3", "sma5"]);
    const closes = store
      ? (await store.readBars("AAPL", 0, Number.POSITIVE_INFINITY)).slice(-5).map((b) => b.close)
      : [];
    expect(aapl.indicators.sma5).toBeCloseTo(closes.reduce((a, b) => a + b, 0) / 5, 9);
    expect(system.dataManager.getSessionMetrics("AAPL")?.barCount).toBe(60);
    expect(system.dataManager.getSessionMetrics("AAPL", "2024-01-02")?.sessionDate).toBe(
      "2024-01-02",
    );
    await system.stop();
    expect(await store.symbols(), "stop() leaves a given store open").toEqual(["AAPL", "MSFT"]);
  });

  it("opens the DuckDB file on start() and closes it on stop()", async () => {
    const dbPath = join(dir, "start-stop.duckdb");
    const system = new SystemManager({ dbPath });
    expect(system.dbPath).toBe(dbPath);
    expect(() => system.dataManager.barStore).toThrow(/call SystemManager.start\(\) first/);
    await Promise.all([system.start(), system.start()]);
    expect(system.started).toBe(true);
    const store = system.dataManager.barStore;
    await store.writeBars("X", [
      { time: Date.UTC(2024, 0, 2, 14, 30), open: 1, high: 2, low: 1, close: 2, volume: 3 },
    ]);
    await system.stop();
    expect(system.started).toBe(false);
    await system.stop();
    const reopened = await DuckDbBarStore.open(dbPath);
    expect(await reopened.symbols(), "the bar was written to the file").toEqual(["X"]);
    await reopened.close();
  });

  it("getSystemManager() is the process-wide manager over getSessionData()", () => {
    const system = getSystemManager();
    expect(getSystemManager()).toBe(system);
    expect(system.sessionData).toBe(getSessionData());
    expect(() => getSystemManager({ indicators: ["sma:5"] })).toThrow(/exists already/);
  });

  it("getSystemManager({ calendar }) with another calendar than the store's says what to use", () => {
    expect(() => getSystemManager({ calendar: alwaysOpenCalendar })).toThrow(
      "the process-wide SystemManager uses getSessionData(), whose calendar is XNYS, not 24/7: use new SystemManager({ calendar })",
    );
    expect(getSystemManager({ calendar: xnysCalendar }).calendar).toBe(xnysCalendar);
  });

  it("refuses a calendar that differs from the session store's", () => {
    const sessionData = new SessionData({ calendar: xnysCalendar });
    expect(() => new SystemManager({ sessionData, calendar: alwaysOpenCalendar })).toThrow(
      /calendar 24\/7 differs from the session store's XNYS/,
    );
    const own = new SystemManager({ calendar: alwaysOpenCalendar, historySessions: 2 });
    expect(own.sessionData.calendar).toBe(alwaysOpenCalendar);
  });

  it("passes extendedHours to the analysis engine (regular session only by default)", () => {
    expect(new SystemManager({ calendar: xnysCalendar }).analysisEngine.extendedHours).toBe(false);
    const extended = new SystemManager({ calendar: xnysCalendar, extendedHours: true });
    expect(extended.analysisEngine.extendedHours, "pre- and post-market bars feed indicators").toBe(
      true,
    );
  });
});

describe("getSystemManager() after resetSessionData()", () => {
  it("follows the new process-wide store, with the engine and the tracker", async () => {
    const dbPath = join(dir, "successor.duckdb");
    const first = getSystemManager({ dbPath, indicators: ["sma:2"] });
    await first.start();
    const barStore = first.dataManager.barStore;
    resetSessionData();
    const bar = {
      time: Date.UTC(2024, 0, 2, 14, 30),
      open: 1,
      high: 2,
      low: 1,
      close: 2,
      volume: 3,
    };
    getSessionData().addBar("B", bar);
    const next = getSystemManager();
    expect(next.sessionData, "the manager reaches the store getSessionData() gives").toBe(
      getSessionData(),
    );
    expect(next.dataManager.getSessionMetrics("B")?.close).toBe(2);
    expect(getSessionTracker().getSessionMetrics("B")?.close, "the tracker too").toBe(2);
    expect(next.analysisEngine.analyze("B")?.price, "its engine follows the new store").toBe(2);
    expect(Object.keys(next.analysisEngine.analyze("B")?.indicators ?? {})).toEqual(["sma2"]);
    expect(next.dataManager.barStore, "the open bar store changed hands").toBe(barStore);
    expect(first.started, "the old manager no longer owns it").toBe(false);
    await resetSystemManager();
    await expect(barStore.symbols(), "the successor closed it on stop()").rejects.toThrow();
  });

  it("takes over a bar store still being opened", async () => {
    const first = getSystemManager({ dbPath: join(dir, "opening.duckdb") });
    const opening = first.start();
    resetSessionData();
    const next = getSystemManager();
    expect(next).not.toBe(first);
    await opening;
    await next.start();
    expect(next.started, "the successor holds the store once it opened").toBe(true);
    expect(first.started).toBe(false);
    expect(await next.dataManager.barStore.symbols()).toEqual([]);
  });
});
