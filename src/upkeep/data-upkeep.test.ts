import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/fake-clock.js";
import { runs } from "../../test/fast-check.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { MINUTE_MS } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import type { BarSource } from "../history/bar-store.js";
import { SessionData } from "../store/public.js";
import { noWait } from "./backoff.js";
import { DataUpkeep } from "./data-upkeep.js";
import type { UpkeepEvent } from "./events.js";
import { barAt, DATE, holeyFixture, min, SESSION } from "./upkeep.test-helpers.js";
import type { DataUpkeepOptions } from "./upkeep-options.js";

function upkeepOf(
  options: Omit<DataUpkeepOptions, "sleep"> & { sleep?: DataUpkeepOptions["sleep"] },
) {
  const upkeep = new DataUpkeep({ sleep: noWait, ...options });
  const events: UpkeepEvent[] = [];
  upkeep.subscribe((e) => events.push(e));
  return { upkeep, events };
}

describe("DataUpkeep.checkCompleteness", () => {
  it("lists the missing regular minutes from the open up to now, in gaps", async () => {
    const { sd, source } = await holeyFixture({
      symbols: ["AAPL", "MSFT"],
      minutes: 60,
      holes: { AAPL: [0, 1, 10, 58, 59], MSFT: [] },
    });
    const { upkeep } = upkeepOf({ sessionData: sd, source });
    expect(upkeep.checkCompleteness("AAPL", min(60))).toEqual([
      { symbol: "AAPL", start: min(0), end: min(2), count: 2 },
      { symbol: "AAPL", start: min(10), end: min(11), count: 1 },
      { symbol: "AAPL", start: min(58), end: min(60), count: 2 },
    ]);
    expect(upkeep.checkCompleteness("AAPL", min(30)), "only minutes before now").toHaveLength(2);
    expect(upkeep.checkCompleteness("MSFT", min(60))).toEqual([]);
    expect(upkeep.checkCompleteness("MSFT", min(62)), "minutes after the feed's last bar").toEqual([
      { symbol: "MSFT", start: min(60), end: min(62), count: 2 },
    ]);
    expect(upkeep.checkCompleteness("MSFT", min(-10)), "before the open").toEqual([]);
    expect(upkeep.checkCompleteness("NONE", min(3)), "a symbol without bars misses all").toEqual([
      { symbol: "NONE", start: min(0), end: min(3), count: 3 },
    ]);
    expect(upkeep.checkCompleteness("MSFT", SESSION.close + 3_600_000)).toEqual([
      { symbol: "MSFT", start: min(60), end: SESSION.close, count: 330 },
    ]);
  });

  it("does not count extended-hours bars as present", async () => {
    const { sd, source } = await holeyFixture({ symbols: ["X"], minutes: 5, holes: { X: [2] } });
    sd.addBar("X", barAt(SESSION.open - 5 * MINUTE_MS));
    const { upkeep } = upkeepOf({ sessionData: sd, source });
    expect(upkeep.checkCompleteness("X", min(5))).toEqual([
      { symbol: "X", start: min(2), end: min(3), count: 1 },
    ]);
  });

  it("agrees with a naive walk whatever bars are present, extended hours and late inserts included", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uniqueArray(fc.integer({ min: -30, max: 420 }), { maxLength: 120 }),
          // Nearly complete runs, where a count of bars alone would mislead: one minute missing,
          // one present past `now`, extended-hours bars around.
          fc
            .tuple(
              fc.integer({ min: 0, max: 60 }),
              fc.integer({ min: 0, max: 70 }),
              fc.subarray([-20, -1, 61, 62, 390, 400]),
            )
            .map(([k, hole, extra]) => [
              ...Array.from({ length: k }, (_, m) => m).filter((m) => m !== hole),
              ...extra.filter((m) => m >= k || m < 0),
            ]),
        ),
        fc.integer({ min: -5, max: 70 }),
        (minutes, upTo) => {
          const sd = new SessionData({ calendar: xnysCalendar });
          sd.startSession(DATE);
          // Arbitrary order: late bars are inserted, as refills are.
          for (const m of minutes) sd.addBar("X", barAt(min(m)));
          const upkeep = new DataUpkeep({ sessionData: sd, source: { readBars: async () => [] } });
          const have = new Set(minutes);
          const want: number[] = [];
          for (let m = 0; m < Math.min(upTo, 390); m++) if (!have.has(m)) want.push(m);
          const got = upkeep
            .checkCompleteness("X", min(upTo))
            .flatMap((g) =>
              Array.from({ length: g.count }, (_, i) => (g.start - min(0)) / MINUTE_MS + i),
            );
          expect(got).toEqual(want);
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it("checkAll covers every watched symbol, sorted, and refuses bad options", async () => {
    const { sd, source } = await holeyFixture({
      symbols: ["B", "A"],
      minutes: 10,
      holes: { A: [3], B: [4] },
    });
    const { upkeep } = upkeepOf({ sessionData: sd, source });
    expect(
      upkeep.checkAll(min(10)).map((g) => `${g.symbol}@${(g.start - min(0)) / MINUTE_MS}`),
    ).toEqual(["A@3", "B@4"]);
    expect(() => new DataUpkeep({ sessionData: sd, source, interval: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new DataUpkeep({ sessionData: sd, source, retry: { attempts: 0 } })).toThrow(
      /attempts/,
    );
  });
});

describe("DataUpkeep.runOnce", () => {
  it("refills every gap from the source through addBar, in order, with events and metrics", async () => {
    const { sd, source, bars } = await holeyFixture({
      symbols: ["AAPL", "MSFT"],
      minutes: 30,
      holes: { AAPL: [0, 1, 7], MSFT: [29] },
    });
    const { upkeep, events } = upkeepOf({ sessionData: sd, source });
    expect(sd.getSessionMetrics("AAPL")!.barQuality).toBeCloseTo(90);
    await upkeep.runOnce(min(30));
    for (const symbol of ["AAPL", "MSFT"]) {
      expect(upkeep.checkCompleteness(symbol, min(30)), symbol).toEqual([]);
      expect(sd.getLastNBars(symbol, 100), `${symbol} equals the source`).toEqual(bars.get(symbol));
    }
    const m = sd.getSessionMetrics("AAPL")!;
    expect(m.barQuality).toBe(100);
    expect(m.filledBarCount).toBe(3);
    expect(m.unfillableBarCount).toBe(0);
    expect(sd.getSessionMetrics("MSFT")!.filledBarCount).toBe(1);
    expect(
      events.map((e) => `${e.type} ${"gap" in e ? `${e.gap.symbol} ${e.gap.count}` : ""}`),
    ).toEqual([
      "gapDetected AAPL 2",
      "gapDetected AAPL 1",
      "gapDetected MSFT 1",
      "gapFilled AAPL 2",
      "gapFilled AAPL 1",
      "gapFilled MSFT 1",
    ]);
    const r = upkeep.report();
    expect(r).toMatchObject({
      runs: 1,
      sessions: 1,
      gapsDetected: 3,
      barsMissing: 4,
      barsFilled: 4,
      barsUnfillable: 0,
      requests: 3,
      retries: 0,
      failedRequests: 0,
      finalQuality: 100,
      expectedBars: 60,
      presentBars: 60,
    });
    await upkeep.runOnce(min(30));
    expect(upkeep.report().requests, "nothing left to ask for").toBe(3);
  });

  it("gives up minutes the source lacks, with the reason, and does not ask again", async () => {
    const { sd, source } = await holeyFixture({
      symbols: ["X"],
      minutes: 20,
      holes: { X: [3, 4, 5, 12] },
      sourceLacks: { X: [4, 12] },
    });
    const { upkeep, events } = upkeepOf({ sessionData: sd, source });
    await upkeep.runOnce(min(20));
    const fates = events
      .filter((e) => e.type === "gapFilled" || e.type === "gapUnfillable")
      .map((e) => `${e.type} ${(e.gap.start - min(0)) / MINUTE_MS}+${e.gap.count}`);
    expect(fates).toEqual([
      "gapFilled 3+1",
      "gapUnfillable 4+1",
      "gapFilled 5+1",
      "gapUnfillable 12+1",
    ]);
    const unfillable = events.find((e) => e.type === "gapUnfillable");
    expect(unfillable && "reason" in unfillable && unfillable.reason).toMatch(/no bar/);
    expect(
      upkeep.checkCompleteness("X", min(20)),
      "given-up minutes are still listed as missing",
    ).toEqual([
      { symbol: "X", start: min(4), end: min(5), count: 1 },
      { symbol: "X", start: min(12), end: min(13), count: 1 },
    ]);
    const m = sd.getSessionMetrics("X")!;
    expect([m.filledBarCount, m.unfillableBarCount, m.missingBarCount]).toEqual([2, 2, 2]);
    expect(m.barQuality).toBeCloseTo(90);
    const quality = events.filter((e) => e.type === "qualityChanged");
    expect(quality).toHaveLength(1);
    expect(quality[0]).toMatchObject({
      symbol: "X",
      quality: 90,
      previous: 100,
      expected: 20,
      present: 18,
    });
    const requests = upkeep.report().requests;
    await upkeep.runOnce(min(20));
    expect(upkeep.report().requests, "unfillable minutes are not asked for again").toBe(requests);
    expect(upkeep.report()).toMatchObject({ barsUnfillable: 2, barsFilled: 2, finalQuality: 90 });
    expect(upkeep.report().unfillableGaps).toEqual([
      {
        symbol: "X",
        start: min(4),
        end: min(5),
        count: 1,
        sessionDate: DATE,
        reason: expect.stringMatching(/no bar/),
      },
      {
        symbol: "X",
        start: min(12),
        end: min(13),
        count: 1,
        sessionDate: DATE,
        reason: expect.stringMatching(/no bar/),
      },
    ]);
  });

  it("keeps a bar the feed delivered while the request was out, and survives odd answers", async () => {
    const { sd, source } = await holeyFixture({
      symbols: ["A"],
      minutes: 10,
      holes: { A: [2, 3, 4] },
    });
    const late = barAt(min(3), 99);
    const odd: BarSource = {
      async readBars(symbol, from, to) {
        sd.addBar(symbol, late);
        const bars = await source.readBars(symbol, from - MINUTE_MS, to + MINUTE_MS);
        // Minute 4 comes back broken: high below the open.
        return bars.map((b) => (b.time === min(4) ? { ...b, high: b.open - 1 } : b));
      },
    };
    const { upkeep, events } = upkeepOf({ sessionData: sd, source: odd });
    let listenerCalls = 0;
    upkeep.subscribe(() => {
      listenerCalls++;
      throw new Error("a listener bug");
    });
    await upkeep.runOnce(min(10));
    expect(sd.getBarsSince("A", min(3))[0], "the feed's bar stands").toEqual(late);
    expect(
      events
        .filter((e) => e.type !== "gapDetected" && e.type !== "qualityChanged")
        .map((e) => e.type),
    ).toEqual(["gapFilled", "gapUnfillable"]);
    const bad = events.find((e) => e.type === "gapUnfillable");
    expect(bad && "reason" in bad && bad.reason).toMatch(/refused the source's bar.*high/);
    const r = upkeep.report();
    expect(r).toMatchObject({ barsFilled: 1, barsUnfillable: 1, barsRejected: 1 });
    expect(r.listenerErrors).toBe(listenerCalls);
    expect(listenerCalls).toBeGreaterThan(0);
  });

  it("starts afresh each session and folds the last one into the final quality", async () => {
    const { sd, source } = await holeyFixture({
      symbols: ["A"],
      minutes: 390,
      holes: { A: [100] },
      sourceLacks: { A: [100] },
    });
    const { upkeep } = upkeepOf({ sessionData: sd, source });
    await upkeep.runOnce(SESSION.close);
    expect(upkeep.report().finalQuality).toBeCloseTo((389 / 390) * 100);
    const next = sd.calendar.nextSession(DATE);
    const open = sd.calendar.session(next)!.open;
    sd.startSession(next);
    for (let m = 0; m < 10; m++) sd.addBar("A", barAt(open + m * MINUTE_MS));
    expect(upkeep.checkCompleteness("A", open + 10 * MINUTE_MS)).toEqual([]);
    await upkeep.runOnce(open + 10 * MINUTE_MS);
    const r = upkeep.report();
    expect(r.sessions).toBe(2);
    expect(r.expectedBars).toBe(400);
    expect(r.presentBars).toBe(399);
    expect(r.minQuality).toBeCloseTo((389 / 390) * 100);
    expect(sd.getSessionMetrics("A")!.unfillableBarCount, "counts are per session").toBe(0);
  });

  it("watches a symbol whose bars all went missing in a later session", async () => {
    const { sd, source } = await holeyFixture({ symbols: ["A", "B"], minutes: 5 });
    const { upkeep } = upkeepOf({ sessionData: sd, source });
    await upkeep.runOnce(min(5));
    const next = sd.calendar.nextSession(DATE);
    const open = sd.calendar.session(next)!.open;
    sd.startSession(next);
    sd.addBar("A", barAt(open));
    expect(upkeep.checkAll(open + MINUTE_MS)).toEqual([
      { symbol: "B", start: open, end: open + MINUTE_MS, count: 1 },
    ]);
    const fixed = new DataUpkeep({ sessionData: sd, source, symbols: ["A", "Z"] });
    expect(
      fixed.checkAll(open + MINUTE_MS).map((g) => g.symbol),
      "only the given symbols",
    ).toEqual(["Z"]);
  });
});

describe("DataUpkeep.start/stop", () => {
  it("runs on a wall-clock timer over minutes that have settled", async () => {
    const { sd, source } = await holeyFixture({
      symbols: ["A"],
      minutes: 10,
      holes: { A: [5, 9] },
    });
    const wallClock = new FakeClock(min(10) + 2_000);
    const { upkeep } = upkeepOf({
      sessionData: sd,
      source,
      interval: 1_000,
      wallClock,
      settleMs: 5_000,
    });
    upkeep.start();
    expect(upkeep.running).toBe(true);
    await wallClock.advance(1_000);
    expect(upkeep.report().runs, "one round at +1 s").toBe(1);
    expect(upkeep.checkCompleteness("A", min(10)), "minute 9 has not settled yet").toEqual([
      { symbol: "A", start: min(9), end: min(10), count: 1 },
    ]);
    await wallClock.advance(3_000);
    expect(upkeep.report().runs, "one round a second").toBe(4);
    expect(upkeep.checkCompleteness("A", min(10)), "settled at 10:00 + 5 s").toEqual([]);
    await upkeep.stop();
    expect(upkeep.running).toBe(false);
    expect(wallClock.pending, "stop() cancels the timer").toBe(0);
    await wallClock.advance(5_000);
    expect(upkeep.report().runs, "no run after stop").toBe(4);
  });
});
