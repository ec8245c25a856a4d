import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MinuteSet } from "./minute-set.js";
import { decimalsOf, MAX_PRICE_DECIMALS, widenDecimals } from "./price-decimals.js";

describe("MinuteSet", () => {
  it("counts the distinct minutes of any times in any order, before 1970 too (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3_000_000, max: 3_000_000 }), { maxLength: 300 }),
        (minutes) => {
          const set = new MinuteSet();
          const fresh = minutes.map((m) => set.add(m * 60_000));
          const seen = new Set<number>();
          expect(fresh, "add says whether the minute is new").toEqual(
            minutes.map((m) => !seen.has(m) && seen.add(m) !== undefined),
          );
          expect(set.size).toBe(new Set(minutes).size);
        },
      ),
    );
  });
});

describe("price decimals", () => {
  it.each([
    [0.00003124, 8],
    [0.00002853, 8],
    [1.59234, 5],
    [1.5923, 4],
    [46319, 0],
    [46319.0, 0],
    [1234500 / 10_000, 2],
    [1234567 / 10_000, 4],
    [0.1 + 0.2, MAX_PRICE_DECIMALS],
    [-12.25, 2],
    [1e12, 0],
  ])("%d needs %d decimals", (x, d) => {
    expect(decimalsOf(x)).toBe(d);
  });

  it("equals the decimals of the shortest round-trip text, capped at 10 (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999_999 }),
        fc.integer({ min: 0, max: 12 }),
        (m, k) => {
          const x = Number((m / 10 ** k).toFixed(k));
          const text = String(x);
          const [mantissa, exponent] = text.split("e");
          const shortest = Math.max(
            0,
            (mantissa!.split(".")[1] ?? "").length - Number(exponent ?? 0),
          );
          expect(decimalsOf(x), text).toBe(Math.min(shortest, MAX_PRICE_DECIMALS));
        },
      ),
    );
  });

  it("widens only when a price needs more decimals than seen so far", () => {
    const prices = [1.1, 1.25, 1.5, 1.59234, 1.2];
    expect(prices.reduce(widenDecimals, 0)).toBe(5);
  });
});
