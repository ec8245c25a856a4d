import { describe, expect, it } from "vitest";
import type { UpkeepEvent } from "../upkeep/public.js";
import { GapLog } from "./gap-log.js";

const M = 60_000;
const gap = (symbol: string, from: number, to: number) => ({
  symbol,
  start: from * M,
  end: to * M,
  count: to - from,
});
const detected = (s: string, a: number, b: number, d = "2024-01-03"): UpkeepEvent => ({
  type: "gapDetected",
  gap: gap(s, a, b),
  sessionDate: d,
});
const filled = (s: string, a: number, b: number, d = "2024-01-03"): UpkeepEvent => ({
  type: "gapFilled",
  gap: gap(s, a, b),
  sessionDate: d,
  attempts: 2,
});
const unfillable = (s: string, a: number, b: number, d = "2024-01-03"): UpkeepEvent => ({
  type: "gapUnfillable",
  gap: gap(s, a, b),
  sessionDate: d,
  reason: "the source has no bar for this minute",
  attempts: 1,
});
const brief = (log: GapLog, symbol: string) =>
  log.forSymbol(symbol).map((g) => [g.start / M, g.end / M, g.status]);

describe("GapLog", () => {
  it("turns a detected gap into a filled one", () => {
    const log = new GapLog();
    log.apply(detected("A", 10, 15));
    expect(brief(log, "A")).toEqual([[10, 15, "detected"]]);
    log.apply(filled("A", 10, 15));
    expect(brief(log, "A")).toEqual([[10, 15, "filled"]]);
    expect(log.forSymbol("A")[0]!.attempts).toBe(2);
  });

  it("keeps the unresolved part of a partly filled gap as detected", () => {
    const log = new GapLog();
    log.apply(detected("A", 10, 15));
    log.apply(filled("A", 10, 12));
    expect(brief(log, "A")).toEqual([
      [12, 15, "detected"],
      [10, 12, "filled"],
    ]);
  });

  it("merges a gap given up minute by minute into one record", () => {
    const log = new GapLog();
    for (let m = 30; m < 40; m++) {
      // Each run sees the gap grown by a minute, the earlier minutes already given up.
      log.apply(detected("B", 30, m + 1));
      log.apply(unfillable("B", m, m + 1));
    }
    expect(log.forSymbol("B")).toEqual([
      {
        symbol: "B",
        sessionDate: "2024-01-03",
        start: 30 * M,
        end: 40 * M,
        count: 10,
        status: "unfillable",
        reason: "the source has no bar for this minute",
        attempts: 1,
      },
    ]);
    expect(log.counts()).toEqual({
      detected: 0,
      filled: 0,
      unfillable: 1,
      minutes: { detected: 0, filled: 0, unfillable: 10 },
    });
  });

  it("keeps symbols and sessions apart and ignores quality changes", () => {
    const log = new GapLog();
    log.apply(detected("A", 1, 2));
    log.apply(detected("A", 1, 2, "2024-01-04"));
    log.apply(filled("A", 1, 2, "2024-01-04"));
    log.apply({
      type: "qualityChanged",
      symbol: "A",
      sessionDate: "2024-01-03",
      quality: 99,
      previous: 100,
      expected: 100,
      present: 99,
    });
    expect(log.forSymbol("A").map((g) => [g.sessionDate, g.status])).toEqual([
      ["2024-01-03", "detected"],
      ["2024-01-04", "filled"],
    ]);
    expect(log.forSymbol("Z")).toEqual([]);
    expect(log.all()).toHaveLength(2);
    log.clear();
    expect(log.all()).toEqual([]);
  });

  it("stays bounded by dropping the oldest session, still counting what it dropped", () => {
    const log = new GapLog(3);
    log.apply(unfillable("A", 1, 2, "2024-01-03"));
    log.apply(unfillable("B", 1, 2, "2024-01-03"));
    log.apply(filled("A", 5, 6, "2024-01-04"));
    log.apply(filled("B", 5, 6, "2024-01-04"));
    expect(log.all().map((g) => g.sessionDate)).toEqual(["2024-01-04", "2024-01-04"]);
    expect(log.counts()).toMatchObject({ unfillable: 2, filled: 2 });
  });
});
