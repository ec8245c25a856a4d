import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { type Bar, barProblem } from "../domain/bar.js";
import { isValidBar } from "./valid-bar.js";

const nasty = fc.oneof(
  fc.double(),
  fc.integer({ min: -5, max: 5 }).map((m) => 1_700_000_040_000 + m * 60_000),
  fc.integer({ min: 0, max: 200_000 }).map((x) => x * 30_000),
  // Around the edge of the safe integers, where the whole-minute check changes method.
  fc
    .tuple(
      fc.constantFrom(2 ** 53, -(2 ** 53), 9_007_199_254_740_000, 60_000 * 2 ** 60),
      fc.integer({ min: -3, max: 3 }),
    )
    .map(([x, d]) => x + d * (Math.abs(x) > 2 ** 53 ? 2 ** 20 : 1)),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    0,
    "10",
    null,
    undefined,
    true,
  ),
);
const price = fc.oneof(fc.integer({ min: 1, max: 20 }), nasty);

describe("isValidBar", () => {
  it("agrees with barProblem on anything", () => {
    let valid = 0;
    fc.assert(
      fc.property(
        fc.record({
          time: nasty,
          open: price,
          high: price,
          low: price,
          close: price,
          volume: price,
        }),
        (raw) => {
          const bar = raw as unknown as Bar;
          expect(isValidBar(bar)).toBe(barProblem(bar) === undefined);
          if (isValidBar(bar)) valid++;
        },
      ),
      { numRuns: runs(5000) },
    );
    expect(valid, "the generator also produces valid bars").toBeGreaterThan(50);
  });

  it("refuses non-objects", () => {
    for (const x of [null, undefined, 5, "bar"]) {
      expect(isValidBar(x as unknown as Bar)).toBe(false);
      expect(barProblem(x as unknown as Bar)).toBeDefined();
    }
  });
});
