import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/fast-check.js";
import { barOfWire, parseRfc3339, rfc3339, streamUrl, wireOfBar } from "./alpaca-format.js";

describe("Alpaca's wire format", () => {
  it("parses the RFC 3339 forms Alpaca writes, and nothing Date.parse would guess at", () => {
    expect(parseRfc3339("2024-01-02T15:04:00Z")).toBe(Date.UTC(2024, 0, 2, 15, 4));
    expect(parseRfc3339("2021-02-22T15:51:45.335689322Z"), "nanoseconds, cut to ms").toBe(
      Date.UTC(2021, 1, 22, 15, 51, 45, 335),
    );
    expect(parseRfc3339("2024-01-02T10:04:00-05:00"), "an offset").toBe(
      Date.UTC(2024, 0, 2, 15, 4),
    );
    expect(parseRfc3339("2024-02-29T00:00:00Z"), "a leap day").toBe(Date.UTC(2024, 1, 29));
    for (const bad of [
      "2023-02-29T00:00:00Z",
      "2024-13-01T00:00:00Z",
      "2024-01-02T24:00:00Z",
      "2024-01-02 15:04:00Z",
      "2024-01-02T15:04:00",
      "Tue, 02 Jan 2024 15:04:00 GMT",
      "2024-01-02",
      "",
    ]) {
      expect(parseRfc3339(bad), JSON.stringify(bad)).toBeNaN();
    }
  });

  it("reads back every instant it writes (whole seconds), through the fast path and the regex alike", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }), (ms) => {
        const whole = Math.floor(ms / 1000) * 1000;
        const text = rfc3339(whole);
        expect(parseRfc3339(text)).toBe(whole);
        expect(parseRfc3339(`${text.slice(0, 19)}.000000000Z`), "with nanoseconds").toBe(whole);
      }),
      { numRuns: runs(300) },
    );
  });

  it("turns a wire bar into a Bar and back, and refuses one missing a field", () => {
    const bar = {
      time: Date.UTC(2024, 0, 2, 15, 4),
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 300,
    };
    const wire = wireOfBar(bar, "AAPL", "b");
    expect(wire).toMatchObject({ T: "b", S: "AAPL", t: "2024-01-02T15:04:00Z", o: 1, v: 300 });
    expect(barOfWire(wire as unknown as Record<string, unknown>)).toEqual(bar);
    expect(barOfWire({ ...wire, c: "1.5" } as unknown as Record<string, unknown>)).toBeUndefined();
    expect(streamUrl("wss://stream.data.alpaca.markets/", "sip")).toBe(
      "wss://stream.data.alpaca.markets/v2/sip",
    );
  });
});
