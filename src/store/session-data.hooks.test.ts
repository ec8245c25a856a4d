import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidArgumentError } from "../domain/errors.js";
import type { SessionDataBarHook, SessionDataEvent } from "./events.js";
import { at, makeBar, makeTestCalendar } from "./fixtures.js";
import { SessionData } from "./session-data.js";
import type { SymbolSessionData } from "./symbol-session-data.js";

const cal = makeTestCalendar();
const D = "2024-01-02";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("SessionData bar hooks", () => {
  it("hands each stored bar to onBar as numbers with the symbol's handle", () => {
    const sd = new SessionData({ calendar: cal });
    const calls: unknown[][] = [];
    sd.subscribeBars({
      onBar(sym, ...rest) {
        calls.push([sym, ...rest, sd.getBarCount(sym.symbol)]);
      },
    });
    const first = makeBar(at(D, 9, 31), 100, 3);
    const early = makeBar(at(D, 8, 15), 90, 1);
    const late = makeBar(at(D, 9, 30), 101, 2);
    const fix = makeBar(at(D, 9, 31), 102, 4);
    sd.addBar("A", first);
    sd.addBar("A", early, "replay");
    sd.addBar("A", late, "refilled");
    sd.addBar("A", fix, "corrected");
    const a = sd.getSymbol("A")!;
    const fields = (b: typeof first) => [b.time, b.open, b.high, b.low, b.close, b.volume];
    expect(calls).toEqual([
      [a, ...fields(first), "append", true, D, "live", 1],
      [a, ...fields(early), "insert", false, D, "replay", 2],
      [a, ...fields(late), "insert", true, D, "refilled", 3],
      [a, ...fields(fix), "replace", true, D, "corrected", 3],
    ]);
  });

  it("tells a hook the bar's session even when a listener before it started the next one", () => {
    const sd = new SessionData({ calendar: cal });
    sd.subscribe((e) => {
      if (e.type === "bar") sd.startSession("2024-01-03");
    });
    const seen: string[] = [];
    sd.subscribeBars({ onBar: (...args) => seen.push(`${args[9]} now ${sd.currentSession}`) });
    sd.addBar("A", makeBar(at(D, 9, 30)));
    expect(seen).toEqual([`${D} now 2024-01-03`]);
  });

  it("runs hooks and listeners in one subscription order; other events reach onEvent", () => {
    const sd = new SessionData({ calendar: cal });
    const log: string[] = [];
    sd.subscribe((e) => log.push(`listener1 ${e.type}`));
    sd.subscribeBars({
      onBar: (sym, t) => log.push(`hook ${sym.symbol} ${t === at(D, 9, 30)}`),
      onEvent: (e) => log.push(`hook ${e.type}`),
    });
    sd.subscribeBars({ onBar: () => log.push("bare hook") });
    sd.subscribe((e) => log.push(`listener2 ${e.type}`));
    sd.addBar("A", makeBar(at(D, 9, 30)));
    expect(() => sd.addBar("A", makeBar(Number.NaN))).toThrow();
    sd.clear();
    expect(log).toEqual([
      "listener1 sessionStart",
      "hook sessionStart",
      "listener2 sessionStart",
      "listener1 bar",
      "hook A true",
      "bare hook",
      "listener2 bar",
      "listener1 rejected",
      "hook rejected",
      "listener2 rejected",
      "listener1 clear",
      "hook clear",
      "listener2 clear",
    ]);
  });

  it("makes no event object for hooks alone, and one shared object for all listeners", () => {
    const sd = new SessionData({ calendar: cal });
    const freeze = vi.spyOn(Object, "freeze");
    sd.subscribeBars({ onBar: () => undefined });
    sd.addBar("A", makeBar(at(D, 9, 30)));
    expect(freeze, "no bar copy is made for a hook").not.toHaveBeenCalled();
    const seen: SessionDataEvent[] = [];
    sd.subscribe((e) => seen.push(e));
    sd.subscribe((e) => seen.push(e));
    sd.addBar("A", makeBar(at(D, 9, 31)));
    expect(seen).toHaveLength(2);
    expect(seen[0], "both listeners get the same event").toBe(seen[1]);
    expect(Object.isFrozen((seen[0] as { bar: object }).bar)).toBe(true);
  });

  it("reports a throwing hook as a warning and carries on; unsubscribing stops it", () => {
    const sd = new SessionData({ calendar: cal });
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const heard: number[] = [];
    const off = sd.subscribeBars({
      onBar() {
        throw new Error("boom");
      },
    });
    sd.subscribeBars({ onBar: (_s, t) => heard.push(t) });
    sd.addBar("A", makeBar(at(D, 9, 30)));
    expect(sd.getBarCount("A")).toBe(1);
    expect(heard).toEqual([at(D, 9, 30)]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('threw on a "bar" event');
    off();
    sd.addBar("A", makeBar(at(D, 9, 31)));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(heard).toHaveLength(2);
  });

  it("refuses hooks that are not objects with an onBar function", () => {
    const sd = new SessionData({ calendar: cal });
    const bad = [null, () => undefined, {}, { onBar: 1 }, { onBar() {}, onEvent: "x" }];
    for (const hook of bad) {
      expect(() => sd.subscribeBars(hook as unknown as SessionDataBarHook)).toThrow(
        InvalidArgumentError,
      );
    }
  });
});

describe("SymbolSessionData.revision", () => {
  it("changes with every write and roll, and with no read or repair count", () => {
    const sd = new SessionData({ calendar: cal });
    sd.addBar("A", makeBar(at(D, 9, 30)));
    const a: SymbolSessionData = sd.getSymbol("A")!;
    const seen = new Set<number>([a.revision]);
    const changes = (what: string, write: () => void) => {
      const before = a.revision;
      write();
      expect(a.revision, what).not.toBe(before);
      expect(seen.has(a.revision), `${what}: a new value`).toBe(false);
      seen.add(a.revision);
    };
    changes("append", () => sd.addBar("A", makeBar(at(D, 9, 32))));
    changes("insert", () => sd.addBar("A", makeBar(at(D, 9, 31))));
    changes("replace with the same bar", () => sd.addBar("A", makeBar(at(D, 9, 31))));
    const still = a.revision;
    sd.getLatestBar("A");
    sd.getLastNBars("A", 5, "5m");
    sd.getSessionMetrics("A");
    sd.setRepairCounts("A", { filled: 1, unfillable: 0 });
    sd.addBar("B", makeBar(at(D, 9, 33)));
    expect(() => sd.addBar("A", makeBar(at(D, 9, 34), 100, Number.NaN))).toThrow();
    expect(a.revision, "reads, repairs, other symbols and refusals change nothing").toBe(still);
    changes("roll", () => sd.startSession("2024-01-03"));
  });
});
