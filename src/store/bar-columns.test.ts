import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Bar } from "../domain/bar.js";
import { BarColumns } from "./bar-columns.js";

const bar = (t: number, x: number): Bar => ({
  time: t,
  open: x,
  high: x + 2,
  low: x - 2,
  close: x + 1,
  volume: x * 10,
});

describe("BarColumns", () => {
  it("keeps bars sorted through appends, inserts, replaces and growth, inside a shared buffer", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 999 })), {
          maxLength: 80,
          size: "max",
        }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 12 }),
        (ops, capacity, base) => {
          // The run starts `base` slots into a buffer whose other slots must stay untouched.
          const shared = new Float64Array(base + 6 * capacity + 7).fill(-1);
          const cols = new BarColumns(capacity, shared, base);
          const ref = new Map<number, Bar>();
          for (const [t, x] of ops) {
            const b = bar(t, x);
            const i = cols.lowerBound(t);
            if (i < cols.length && cols.timeAt(i) === t)
              cols.set(i, t, b.open, b.high, b.low, b.close, b.volume);
            else if (i === cols.length) cols.append(t, b.open, b.high, b.low, b.close, b.volume);
            else cols.insert(i, t, b.open, b.high, b.low, b.close, b.volume);
            ref.set(t, b);
          }
          const want = [...ref.values()].sort((a, b) => a.time - b.time);
          expect(cols.bars(0, cols.length)).toEqual(want);
          const s = cols.series();
          expect([...s.time]).toEqual(want.map((b) => b.time));
          expect([...s.volume]).toEqual(want.map((b) => b.volume));
          expect(cols.trimmed().bars(0, want.length)).toEqual(want);
          if (cols.buf === shared) {
            expect(
              shared.subarray(0, base).every((x) => x === -1),
              "slots before base",
            ).toBe(true);
            expect(shared.subarray(base + 6 * capacity).every((x) => x === -1)).toBe(true);
          }
        },
      ),
      { numRuns: runs(200) },
    );
  });

  it("merges into the last bar", () => {
    const cols = new BarColumns(2);
    cols.append(0, 10, 12, 9, 11, 5);
    cols.mergeLast(13, 8, 10, 2);
    expect(cols.barAt(0)).toEqual({ time: 0, open: 10, high: 13, low: 8, close: 10, volume: 7 });
    cols.mergeLast(12, 9, 12, 1);
    expect(cols.barAt(0)).toEqual({ time: 0, open: 10, high: 13, low: 8, close: 12, volume: 8 });
  });
});
