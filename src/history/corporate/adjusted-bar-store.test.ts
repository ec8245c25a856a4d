import { describe, expect, it } from "vitest";
import { xnysCalendar } from "../../calendar/xnys.js";
import { collectScan } from "../bar-store.contract.js";
import { MemoryBarStore } from "../memory-bar-store.js";
import { actionBetween, checkAdjustMode } from "./adjust-mode.js";
import { AdjustedBarStore } from "./adjusted-bar-store.js";
import { corporateFixtureStore, fixtureBars, openOf } from "./corporate.test-helpers.js";
import { corporateActionsOf } from "./corporate-action-store.js";
import { LEAN_SESSIONS, renamedClose } from "./lean-layout.test-helpers.js";

const ALL = [0, Number.POSITIVE_INFINITY] as const;
const LAST = LEAN_SESSIONS[4]!;

function view(
  store: MemoryBarStore,
  adjust: "raw" | "split" | "total",
  asOf: string | undefined = LAST,
) {
  return new AdjustedBarStore({
    barStore: store,
    calendar: xnysCalendar,
    adjust,
    ...(asOf === undefined ? {} : { asOf }),
  });
}

describe("AdjustedBarStore", () => {
  it("split mode halves prices and doubles volumes before the 2-for-1 split; the last session stays raw", async () => {
    const store = await corporateFixtureStore();
    const bars = await view(store, "split").readBars("ABC", ...ALL);
    const raw = await store.readBars("ABC", ...ALL);
    expect(bars).toHaveLength(raw.length);
    for (let k = 0; k < bars.length; k++) {
      const before = bars[k]!.time < openOf("2024-06-10");
      expect(bars[k]!.close, `bar ${k}`).toBe(raw[k]!.close * (before ? 0.5 : 1));
      expect(bars[k]!.volume, `bar ${k}`).toBe(raw[k]!.volume * (before ? 2 : 1));
    }
    const closes = bars.map((b) => b.close);
    const jump = Math.abs(closes[15]! - closes[14]!);
    expect(jump, "no jump across the split: the series is continuous").toBeLessThan(1);
  });

  it("total mode folds the dividend in too, from its ex-date back", async () => {
    const store = await corporateFixtureStore();
    const bars = await view(store, "total").readBars("ABC", ...ALL);
    const raw = await store.readBars("ABC", ...ALL);
    // Session 0 and 1 (to 06-06): × 0.995 × 0.5; session 2 (06-07): × 0.5; then raw.
    expect(bars[0]!.close).toBe(raw[0]!.close * (0.5 * 0.995));
    expect(bars[5]!.close).toBe(raw[5]!.close * (0.5 * 0.995));
    expect(bars[10]!.close).toBe(raw[10]!.close * 0.5);
    expect(bars[20]!.close).toBe(raw[20]!.close);
    expect(bars[0]!.volume, "volumes take the split only").toBe(raw[0]!.volume * 2);
  });

  it("raw mode passes the bars through as stored", async () => {
    const store = await corporateFixtureStore();
    expect(await view(store, "raw").readBars("ABC", ...ALL)).toEqual(
      await store.readBars("ABC", ...ALL),
    );
  });

  it("prices are relative to the reference session: a replay ending before the split keeps raw prices", async () => {
    const store = await corporateFixtureStore();
    const early = await view(store, "split", "2024-06-07").readBars("ABC", ...ALL);
    const raw = await store.readBars("ABC", ...ALL);
    expect(early[0]!.close, "before the split, relative to 06-07: raw").toBe(raw[0]!.close);
    expect(early[20]!.close, "after it: doubled, in 06-07's units").toBe(raw[20]!.close * 2);
    const today = await view(store, "split", undefined).readBars("ABC", ...ALL);
    expect(today[0]!.close, "without asOf: as of the factor file's end").toBe(raw[0]!.close * 0.5);
  });

  it("replays a renamed security under its permanent ticker, one continuous series", async () => {
    const store = await corporateFixtureStore();
    const v = view(store, "split");
    expect(await v.symbols(), "NEWCO is known, its old ticker too").toEqual([
      "ABC",
      "NEWCO",
      "OLDCO",
    ]);
    const bars = await v.readBars("NEWCO", ...ALL);
    expect(bars.map((b) => b.close)).toEqual(fixtureBars(renamedClose).map((b) => b.close));
    const before = await v.readBars(
      "newco",
      openOf(LEAN_SESSIONS[0]!),
      openOf(LEAN_SESSIONS[2]!) + 3600_000,
    );
    expect(before, "a range before the rename reads OLDCO's bars").toHaveLength(15);
    expect(await v.coverage("NEWCO")).toMatchObject({
      first: openOf(LEAN_SESSIONS[0]!),
      count: 25,
    });
    expect(
      await v.readBars("OLDCO", ...ALL),
      "the old ticker alone is still its own bars",
    ).toHaveLength(15);
  });

  it("keeps (time, symbol) order when a renamed name sorts elsewhere than its old ticker", async () => {
    const store = new MemoryBarStore();
    const t0 = openOf("2024-06-05");
    const bar = (time: number, close: number) => ({
      time,
      open: close,
      high: close,
      low: close,
      close,
      volume: 1,
    });
    await store.writeBars("AOLD", [bar(t0, 1), bar(t0 + 60_000, 2)]);
    await store.writeBars("MMM", [bar(t0, 3), bar(t0 + 60_000, 4)]);
    await corporateActionsOf(store)!.writeCorporateActions({
      mapFiles: new Map([
        [
          "ZNEW",
          [
            { date: "2024-06-07", ticker: "AOLD" },
            { date: "2050-12-31", ticker: "ZNEW" },
          ],
        ],
      ]),
    });
    const v = view(store, "split");
    for (const chunkSize of [1, 3, 8192]) {
      const { rows } = await collectScan(
        v.scan({ symbols: ["ZNEW", "MMM"], from: 0, to: t0 + 120_000, chunkSize }),
      );
      expect(
        rows.map(([s]) => s),
        `chunkSize ${chunkSize}`,
      ).toEqual(["MMM", "ZNEW", "MMM", "ZNEW"]);
      expect(rows.map(([, b]) => b.time)).toEqual([t0, t0, t0 + 60_000, t0 + 60_000]);
    }
  });

  it("is read-only, and knows each symbol's factors once prepared", async () => {
    const store = await corporateFixtureStore();
    const v = view(store, "split");
    await expect(v.writeBars()).rejects.toThrow(/read-only view/);
    expect(v.factorsOn("ABC", "2024-06-07"), "not loaded yet").toBeUndefined();
    await v.prepare(["ABC"]);
    expect(v.factorsOn("ABC", "2024-06-07")?.splitFactor).toBe(0.5);
    expect(v.priceScaleOn("ABC", "2024-06-07")).toBe(0.5);
    expect(v.priceScaleOn("ABC", LAST)).toBe(1);
    expect(() => checkAdjustMode("adjusted")).toThrow(
      /adjust must be one of raw, split, total, got "adjusted"/,
    );
  });

  it("reads LEAN's split and dividend between factor rows", () => {
    const f = (priceFactor: number, splitFactor: number, referencePrice = 100) => ({
      date: "x",
      priceFactor,
      splitFactor,
      referencePrice,
    });
    expect(actionBetween(f(1, 0.5), f(1, 1))).toEqual({ ratio: 0.5, dividend: 0 });
    expect(actionBetween(f(1, 8), f(1, 1)), "1-for-8 reverse split").toEqual({
      ratio: 8,
      dividend: 0,
    });
    expect(actionBetween(f(0.995, 1), f(1, 1))).toEqual({ ratio: 1, dividend: 0.5 });
    expect(actionBetween(f(1, 1), f(1, 1))).toBeUndefined();
  });

  it("countBars: counts what its scan reads, a renamed security's old ticker included", async () => {
    const store = await corporateFixtureStore();
    const v = view(store, "split");
    const ranges = LEAN_SESSIONS.map((d) => ({ from: openOf(d), to: openOf(d) + 3 * 60_000 }));
    const counts = await v.countBars({ symbols: ["ABC", "NEWCO", "OLDCO"], ranges });
    expect(counts[0], "ABC: three of its five bars each session").toEqual([3, 3, 3, 3, 3]);
    expect(counts[1], "NEWCO reads OLDCO's sessions before the rename").toEqual([3, 3, 3, 3, 3]);
    expect(counts[2], "OLDCO alone: its own three sessions").toEqual([3, 3, 3, 0, 0]);
    expect(
      await store.countBars({ symbols: ["NEWCO"], ranges }),
      "the raw store: NEWCO's own two",
    ).toEqual([[0, 0, 0, 3, 3]]);
  });
});
