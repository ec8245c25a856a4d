import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { xnysCalendar as cal } from "../calendar/xnys.js";
import type { Bar } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { SessionData } from "../store/public.js";
import { BacktestStreamCoordinator } from "./backtest-stream-coordinator.js";
import { fixtureBar } from "./replay.test-helpers.js";

const M = 60_000;
const DATES = ["2024-01-02", "2024-01-03"];
const NAMES = ["A", "B", "C", "D"];

/** A (symbol, session, minute) cell; minutes -3..-1 and 390..392 fall in extended hours. */
const cell = fc.record({
  symbol: fc.constantFrom(...NAMES),
  day: fc.constantFrom(0, 1),
  minute: fc.integer({ min: -3, max: 392 }),
});

describe("BacktestStreamCoordinator (properties)", () => {
  it("plays any bar set as time-ordered slices of whole minutes, symbols in order, for any chunk size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(cell, {
          minLength: 1,
          maxLength: 60,
          selector: (c) => `${c.symbol}/${c.day}/${c.minute}`,
        }),
        fc.integer({ min: 1, max: 17 }),
        fc.constantFrom("regular" as const, "extended" as const),
        async (cells, chunkSize, hours) => {
          const store = new MemoryBarStore();
          const bySymbol = new Map<string, Bar[]>();
          for (const c of cells) {
            const time = cal.session(DATES[c.day]!)!.open + c.minute * M;
            const list = bySymbol.get(c.symbol) ?? [];
            list.push(fixtureBar(time, c.minute + c.day * 7));
            bySymbol.set(c.symbol, list);
          }
          for (const [symbol, bars] of bySymbol) await store.writeBars(symbol, bars);
          const inWindow = (t: number) =>
            DATES.some((d) => {
              const s = cal.session(d)!;
              return hours === "regular"
                ? t >= s.open && t < s.close
                : t >= s.preOpen && t < s.postClose;
            });
          // The expected slices: every played bar grouped by minute, symbols in name order.
          const expected = new Map<number, [string, Bar][]>();
          for (const symbol of [...bySymbol.keys()].sort()) {
            for (const bar of bySymbol.get(symbol)!) {
              if (!inWindow(bar.time)) continue;
              const list = expected.get(bar.time) ?? [];
              list.push([symbol, bar]);
              expected.set(bar.time, list);
            }
          }
          const replay = new BacktestStreamCoordinator({
            barStore: store,
            sessionData: new SessionData({ calendar: cal }),
            calendar: cal,
            from: DATES[0]!,
            to: DATES[1]!,
            chunkSize,
            hours,
          });
          const seen: [number, [string, Bar][]][] = [];
          replay.on("slice", (e) => seen.push([e.time, [...e.bars]]));
          const report = await replay.run();
          const want = [...expected].sort((a, b) => a[0] - b[0]);
          expect(seen).toEqual(want);
          expect(report.slices).toBe(want.length);
          expect(report.bars).toBe(want.reduce((n, [, bars]) => n + bars.length, 0));
        },
      ),
      { numRuns: runs(60) },
    );
  });
});
