import { describe, expect, it } from "vitest";
import { AnalysisEngine } from "../analysis/public.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { corporateFixtureStore, fixtureBars } from "../history/corporate/corporate.test-helpers.js";
import {
  abcClose,
  LEAN_SESSIONS,
  renamedClose,
} from "../history/corporate/lean-layout.test-helpers.js";
import { type CorporateActionEvent, SessionData } from "../store/public.js";
import { BacktestStreamCoordinator } from "../stream/public.js";
import { corporateReplaySource } from "./corporate-replay.js";
import { SystemManager } from "./system-manager.js";

const FROM = LEAN_SESSIONS[0]!;
const TO = LEAN_SESSIONS[4]!;

async function replay(
  adjust: "raw" | "split" | "total" | undefined,
  symbols: string[],
  from = FROM,
  to = TO,
) {
  const barStore = await corporateFixtureStore();
  const system = new SystemManager({ barStore, indicators: ["sma:3"], historySessions: 10 });
  const events: CorporateActionEvent[] = [];
  system.sessionData.subscribe((e) => {
    if (e.type === "corporateAction") events.push(e);
  });
  const report = await system.dataManager
    .createBacktest({
      symbols,
      from,
      to,
      upkeep: false,
      ...(adjust === undefined ? {} : { adjust }),
    })
    .run();
  return { system, report, events, sd: system.sessionData };
}

/** Every stored close of a symbol, history then the current session. */
function closes(sd: SystemManager["sessionData"], symbol: string): number[] {
  return [...sd.getHistoricalBars(symbol, 1000), ...sd.getBarsSince(symbol, 0)].map((b) => b.close);
}

describe("adjusted replays (DataManager.createBacktest adjust)", () => {
  it("split (the default): history and warm-up bars are split-adjusted, the last session raw", async () => {
    const { sd, events } = await replay(undefined, ["ABC"]);
    const raw = fixtureBars(abcClose).map((b) => b.close);
    const expected = raw.map((c, k) => (k < 15 ? c * 0.5 : c));
    expect(closes(sd, "ABC"), "getHistoricalBars in the replay's mode").toEqual(expected);
    expect(
      events.map(({ date, ratio, dividend, rescale }) => ({ date, ratio, dividend, rescale })),
    ).toEqual([
      { date: "2024-06-07", ratio: 1, dividend: 0.5, rescale: 1 },
      { date: "2024-06-10", ratio: 0.5, dividend: 0, rescale: 1 },
    ]);
    expect(sd.getCorporateFactor("ABC"), "the last session's factors").toEqual({
      symbol: "ABC",
      date: TO,
      splitFactor: 1,
      priceFactor: 1,
      priceScale: 1,
    });
  });

  it("split: the SMA over the split is continuous, not dragged by pre-split prices", async () => {
    const { system, report } = await replay("split", ["ABC"]);
    const sma = report.symbols.ABC!.indicators.sma3 as number;
    const last = closes(system.sessionData, "ABC").slice(-3);
    expect(sma).toBeCloseTo((last[0]! + last[1]! + last[2]!) / 3, 10);
    expect(system.analysisEngine.analyze("ABC")?.trend).toBe("bullish");
  });

  it("total: dividends folded in before their ex-date", async () => {
    const { sd } = await replay("total", ["ABC"]);
    const raw = fixtureBars(abcClose).map((b) => b.close);
    expect(closes(sd, "ABC")[0]).toBe(raw[0]! * (0.5 * 0.995));
    expect(closes(sd, "ABC")[10]).toBe(raw[10]! * 0.5);
  });

  it("raw: prices as traded, and the split's event carries the rescale for the indicators", async () => {
    const { sd, events } = await replay("raw", ["ABC"]);
    expect(closes(sd, "ABC")).toEqual(fixtureBars(abcClose).map((b) => b.close));
    expect(events.find((e) => e.date === "2024-06-10")).toMatchObject({
      symbol: "ABC",
      ratio: 0.5,
      rescale: 0.5,
    });
    expect(sd.getCorporateActions("ABC").map((a) => a.date)).toEqual(["2024-06-07", "2024-06-10"]);
  });

  it("a split-adjusted replay that ends before the split keeps raw prices (relative to its last session)", async () => {
    const { sd, events } = await replay("split", ["ABC"], FROM, "2024-06-07");
    expect(closes(sd, "ABC")).toEqual(fixtureBars(abcClose, [0, 1, 2]).map((b) => b.close));
    expect(
      events.map((e) => e.date),
      "the split is after the range",
    ).toEqual(["2024-06-07"]);
  });

  it("replays the old ticker's bars under the permanent ticker asked for, before and across the rename", async () => {
    const before = await replay("split", ["NEWCO"], FROM, "2024-06-07");
    expect(before.report.bars).toBe(15);
    expect(closes(before.sd, "NEWCO")).toEqual(
      fixtureBars(renamedClose, [0, 1, 2]).map((b) => b.close),
    );
    expect(before.sd.getBarCount("OLDCO"), "reported under the name asked for").toBe(0);
    const across = await replay("split", ["NEWCO"]);
    expect(closes(across.sd, "NEWCO"), "one continuous series").toEqual(
      fixtureBars(renamedClose).map((b) => b.close),
    );
    expect(across.report.symbols.NEWCO?.metrics?.barCount).toBe(5);
  });

  it("gap repair refills dropped bars from the adjusted view, in the replay's mode", async () => {
    const barStore = await corporateFixtureStore();
    const system = new SystemManager({ barStore, indicators: ["sma:3"], historySessions: 10 });
    const report = await system.dataManager
      .createBacktest({
        symbols: ["ABC"],
        from: FROM,
        to: TO,
        adjust: "split",
        dropRate: 0.3,
        seed: 3,
      })
      .run();
    expect(report.droppedBars, "some bars were dropped").toBeGreaterThan(0);
    const { sd: clean } = await replay("split", ["ABC"]);
    expect(closes(system.sessionData, "ABC"), "refilled bars are split-adjusted too").toEqual(
      closes(clean, "ABC"),
    );
  });

  it("corporateReplaySource gives a coordinator built by hand (the server's) the same replay", async () => {
    const barStore = await corporateFixtureStore();
    const sessionData = new SessionData({ calendar: xnysCalendar, historySessions: 10 });
    const engine = new AnalysisEngine({ sessionData, indicators: ["sma:12"] });
    const source = corporateReplaySource({
      barStore,
      calendar: xnysCalendar,
      adjust: "raw",
      from: FROM,
      to: TO,
    });
    const replay = new BacktestStreamCoordinator({
      barStore: source.barStore,
      sessionData,
      calendar: xnysCalendar,
      symbols: ["ABC"],
      from: FROM,
      to: TO,
      analysisEngine: engine,
    });
    source.follow(replay, sessionData);
    const report = await replay.run();
    const { report: split } = await replay2();
    expect(
      report.symbols.ABC!.indicators.sma12,
      "raw mode, rescaled: as split mode at the end",
    ).toBeCloseTo(split.symbols.ABC!.indicators.sma12 as number, 9);
    expect(sessionData.getCorporateActions("ABC")).toHaveLength(2);
    expect(() =>
      corporateReplaySource({
        barStore,
        calendar: xnysCalendar,
        adjust: "x" as never,
        from: FROM,
        to: TO,
      }),
    ).toThrow(/adjust must be one of/);
  });
});

async function replay2() {
  const barStore = await corporateFixtureStore();
  const system = new SystemManager({ barStore, indicators: ["sma:12"], historySessions: 10 });
  const report = await system.dataManager
    .createBacktest({ symbols: ["ABC"], from: FROM, to: TO, upkeep: false, adjust: "split" })
    .run();
  return { report };
}
