/**
 * The `countBars` part of the {@link BarStore} contract: counts per (symbol, range) computed by
 * the adapter, equal to counting the bars a scan returns, also for a range across UTC midnight
 * (GLBX, 24/7 sessions) and the two ranges of a session with a break (XTKS, XHKG).
 */
import { expect, it } from "vitest";
import { InvalidArgumentError } from "../domain/errors.js";
import type { BarStore, TimeRange } from "./bar-store.js";
import { contractBar, M } from "./bar-store-fixtures.test-helpers.js";

const DAY = 86_400_000;

/** Registers the countBars contract tests. */
export function countContract(make: () => Promise<BarStore>): void {
  it("countBars: counts each symbol's bars inside each range, in the database", async () => {
    const store = await make();
    // Minutes 0..2999 (two days and more, over two UTC midnights), every third missing for B.
    const all = Array.from({ length: 3000 }, (_, m) => contractBar(m));
    await store.writeBars("A", all);
    await store.writeBars(
      "B",
      all.filter((_, m) => m % 3 !== 0),
    );
    const t0 = all[0]!.time;
    const midnight = Math.ceil(t0 / DAY) * DAY;
    const ranges: TimeRange[] = [
      { from: t0, to: t0 + 30 * M }, // 30 minutes
      { from: t0 + 30 * M, to: t0 + 31 * M }, // adjacent: touching is disjoint
      { from: midnight - 90 * M, to: midnight + 60 * M }, // across a UTC midnight
      { from: midnight + 120 * M, to: midnight + 2 * DAY }, // to past the last bar
    ];
    const expected = (keep: (m: number) => boolean) =>
      ranges.map((r) => all.filter((b, m) => keep(m) && b.time >= r.from && b.time < r.to).length);
    const counts = await store.countBars({ symbols: ["a", "B", "NONE", "A"], ranges });
    expect(counts[0], "A: every bar").toEqual(expected(() => true));
    expect(counts[1], "B: two of three").toEqual(expected((m) => m % 3 !== 0));
    expect(counts[2], "a symbol without bars counts 0").toEqual([0, 0, 0, 0]);
    expect(counts[3], "a symbol asked twice").toEqual(counts[0]);
    expect(counts[0]![2], "the range across midnight holds 150 minutes").toBe(150);
  });

  it("countBars: a session with a break is two ranges; the break's bars are in neither", async () => {
    const store = await make();
    const bars = Array.from({ length: 300 }, (_, m) => contractBar(m));
    await store.writeBars("T", bars);
    const t0 = bars[0]!.time;
    const counts = await store.countBars({
      symbols: ["T"],
      ranges: [
        { from: t0 + 10 * M, to: t0 + 150 * M },
        { from: t0 + 210 * M, to: t0 + 290 * M },
      ],
    });
    expect(counts).toEqual([[140, 80]]);
  });

  it("countBars: no ranges or no symbols count nothing; bad ranges are refused by name", async () => {
    const store = await make();
    await store.writeBars("A", [contractBar(0)]);
    expect(await store.countBars({ symbols: ["A"], ranges: [] })).toEqual([[]]);
    expect(await store.countBars({ symbols: [], ranges: [{ from: 0, to: 1 }] })).toEqual([]);
    const t = contractBar(0).time;
    await expect(
      store.countBars({ symbols: ["A"], ranges: [{ from: t, to: Number.POSITIVE_INFINITY }] }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      store.countBars({
        symbols: ["A"],
        ranges: [
          { from: t, to: t + 10 * M },
          { from: t + 5 * M, to: t + 20 * M },
        ],
      }),
    ).rejects.toThrow(/ranges must be ascending and disjoint; ranges\[1\]/);
    await expect(store.countBars({ symbols: ["A"], ranges: [{ from: t, to: t }] })).rejects.toThrow(
      /ranges\[0\] must be finite with from < to/,
    );
  });
}
