import { describe, expect, it } from "vitest";
import { barProblem, validateBar } from "./bar.js";
import { InvalidBarError } from "./errors.js";

const good = { time: 1_700_000_040_000, open: 10, high: 11, low: 9, close: 10.5, volume: 100 };

describe("validateBar", () => {
  it("accepts a valid bar", () => {
    expect(() => validateBar("AAPL", good)).not.toThrow();
    expect(barProblem(good)).toBeUndefined();
  });

  it.each([
    ["time", { ...good, time: good.time + 1 }, /whole minute/],
    ["time", { ...good, time: Number.NaN }, /finite/],
    ["open", { ...good, open: Number.POSITIVE_INFINITY }, /finite/],
    ["high", { ...good, high: 10.4 }, /below max/],
    ["low", { ...good, low: 10.2 }, /above min/],
    ["volume", { ...good, volume: -1 }, /negative/],
    ["close", { ...good, close: "10" as unknown as number }, /finite/],
  ])("refuses a bad %s with a message naming symbol, time and field", (field, bar, reason) => {
    let caught: unknown;
    try {
      validateBar("MSFT", bar);
    } catch (error) {
      caught = error;
    }
    expect(caught, "an InvalidBarError is thrown").toBeInstanceOf(InvalidBarError);
    const error = caught as InvalidBarError;
    expect(error.field).toBe(field);
    expect(error.symbol).toBe("MSFT");
    expect(error.message).toContain("MSFT");
    expect(error.message).toContain(field);
    expect(error.message).toMatch(reason);
  });

  it("quotes a string where a number belongs, and says when there is no bar at all", () => {
    expect(() => validateBar("X", { ...good, volume: "5" as unknown as number })).toThrow(
      'volume is not a finite number ("5")',
    );
    expect(() => validateBar("X", null as unknown as typeof good)).toThrow(
      "time is missing: null is not a bar object",
    );
  });

  it("names the time in ISO form", () => {
    expect(() => validateBar("X", { ...good, volume: -5 })).toThrow("2023-11-14T22:14:00.000Z");
  });
});
