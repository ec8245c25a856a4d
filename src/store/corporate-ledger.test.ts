import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../domain/errors.js";
import type { SessionDataEvent } from "./events.js";
import { SessionData } from "./session-data.js";

const factor = (date: string, splitFactor = 1) => ({
  symbol: "ABC",
  date,
  splitFactor,
  priceFactor: 1,
  priceScale: 1,
});
const split = (date: string, ratio = 0.5) => ({
  symbol: "ABC",
  date,
  ratio,
  dividend: 0,
  rescale: ratio,
});

describe("SessionData: corporate factors and actions", () => {
  it("keeps the current factor, records actions in order and emits corporateAction", () => {
    const sd = new SessionData();
    const events: SessionDataEvent[] = [];
    sd.subscribe((e) => events.push(e));
    sd.startSession("2024-06-07");
    sd.setCorporateFactor(factor("2024-06-07", 0.5));
    expect(
      events.map((e) => e.type),
      "setting a factor is silent",
    ).toEqual(["sessionStart"]);
    sd.startSession("2024-06-10");
    sd.applyCorporateAction(split("2024-06-10"), factor("2024-06-10"));
    expect(events.at(-1)).toEqual({ type: "corporateAction", ...split("2024-06-10") });
    expect(sd.getCorporateFactor("ABC")?.date).toBe("2024-06-10");
    expect(sd.getCorporateActions("ABC")).toEqual([split("2024-06-10")]);
    expect(sd.getCorporateActions("XYZ")).toEqual([]);
  });

  it("multiplies the rescales of the actions in a range of sessions", () => {
    const sd = new SessionData();
    sd.applyCorporateAction(split("2024-06-10", 0.5), factor("2024-06-10"));
    sd.applyCorporateAction(split("2024-06-12", 0.25), factor("2024-06-12"));
    expect(sd.corporateRescale("ABC", "2024-06-07", "2024-06-12")).toBe(0.125);
    expect(sd.corporateRescale("ABC", "2024-06-10", "2024-06-11"), "(after, upTo]").toBe(1);
    expect(sd.corporateRescale("ABC", "2024-06-07", "2024-06-10")).toBe(0.5);
  });

  it("refuses actions out of order and non-positive numbers; clear() forgets them", () => {
    const sd = new SessionData();
    sd.applyCorporateAction(split("2024-06-10"), factor("2024-06-10"));
    expect(() => sd.applyCorporateAction(split("2024-06-10"), factor("2024-06-10"))).toThrow(
      /corporate action of ABC on 2024-06-10 is not after its last one, on 2024-06-10/,
    );
    expect(() => sd.applyCorporateAction(split("2024-06-11", 0), factor("2024-06-11"))).toThrow(
      InvalidArgumentError,
    );
    expect(() => sd.setCorporateFactor(factor("2024-06-11", -1))).toThrow(
      /splitFactor must be a positive number, got -1/,
    );
    sd.clear();
    expect(sd.getCorporateActions("ABC")).toEqual([]);
    expect(sd.getCorporateFactor("ABC")).toBeUndefined();
  });
});
