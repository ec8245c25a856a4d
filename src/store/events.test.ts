import { describe, expect, it } from "vitest";
import type { SessionDataEvent } from "./events.js";
import { at, makeBar, makeTestCalendar } from "./fixtures.js";
import { SessionData } from "./session-data.js";

const cal = makeTestCalendar();

describe("SessionData events", () => {
  it("announces a new session once its first bar is stored", () => {
    const sd = new SessionData({ calendar: cal });
    const seen: string[] = [];
    sd.subscribe((e: SessionDataEvent) => {
      if (e.type === "sessionStart") {
        seen.push(
          `${e.type} ${e.previousSessionDate} -> ${e.sessionDate} count ${sd.getBarCount("A")}`,
        );
      }
    });
    sd.addBar("A", makeBar(at("2024-01-02", 9, 30)));
    sd.addBar("A", makeBar(at("2024-01-03", 9, 30)));
    sd.startSession("2024-01-04");
    expect(seen).toEqual([
      "sessionStart undefined -> 2024-01-02 count 1",
      "sessionStart 2024-01-02 -> 2024-01-03 count 1",
      "sessionStart 2024-01-03 -> 2024-01-04 count 0",
    ]);
  });

  it("announces upkeep's repair counters once they are set", () => {
    const sd = new SessionData({ calendar: cal });
    const seen: SessionDataEvent[] = [];
    sd.subscribe((e) => {
      if (e.type === "repairCounts") seen.push(e);
    });
    sd.addBar("A", makeBar(at("2024-01-02", 9, 30)));
    sd.setRepairCounts("A", { filled: 3, unfillable: 1 });
    expect(() => sd.setRepairCounts("A", { filled: -1, unfillable: 0 })).toThrow();
    expect(seen, "after the metrics show them; a refused call says nothing").toEqual([
      { type: "repairCounts", symbol: "A", filled: 3, unfillable: 1 },
    ]);
    expect(sd.getSessionMetrics("A")).toMatchObject({ filledBarCount: 3, unfillableBarCount: 1 });
  });

  it("stays consistent when a listener clears the store mid-write", () => {
    const sd = new SessionData({ calendar: cal });
    const types: string[] = [];
    const off = sd.subscribe((e) => {
      types.push(e.type);
      if (e.type === "sessionStart") sd.clear();
    });
    sd.addBar("A", makeBar(at("2024-01-02", 9, 30)));
    expect(types).toEqual(["sessionStart", "clear", "bar"]);
    expect(sd.currentSession).toBeUndefined();
    expect(sd.symbols()).toEqual([]);
    off();
    sd.addBar("A", makeBar(at("2024-01-02", 9, 31)));
    expect(sd.getBarCount("A"), "the store works normally afterwards").toBe(1);
  });

  it("lets a listener write further bars (a refill reacting to a bar)", () => {
    const sd = new SessionData({ calendar: cal });
    sd.subscribe((e) => {
      if (e.type === "bar" && e.arrival === "append" && e.bar.time === at("2024-01-02", 9, 32)) {
        sd.addBar(e.symbol, makeBar(at("2024-01-02", 9, 31)));
      }
    });
    sd.addBar("A", makeBar(at("2024-01-02", 9, 30)));
    sd.addBar("A", makeBar(at("2024-01-02", 9, 32)));
    expect(sd.getLastNBars("A", 9).map((b) => b.time)).toEqual([
      at("2024-01-02", 9, 30),
      at("2024-01-02", 9, 31),
      at("2024-01-02", 9, 32),
    ]);
    expect(sd.getSessionMetrics("A")!.missingBarCount).toBe(0);
  });
});
