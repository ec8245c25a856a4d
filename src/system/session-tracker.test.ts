import { afterEach, describe, expect, it, vi } from "vitest";
import { xnysCalendar } from "../calendar/xnys.js";
import { resetSessionData, SessionData } from "../store/public.js";

afterEach(() => {
  vi.restoreAllMocks();
  resetSessionData();
});

/** A fresh copy of the module, so its once-per-process warning state starts anew. */
async function freshModules() {
  vi.resetModules();
  const tracker = await import("./session-tracker.js");
  const system = await import("./system-manager.js");
  const store = await import("../store/public.js");
  return { ...tracker, ...system, ...store };
}

const bar = (minute: number, close: number) => ({
  time: Date.UTC(2024, 0, 2, 14, 30 + minute),
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 10,
});

describe("SessionTracker (deprecated)", () => {
  it("warns once, with a code, naming the replacement", async () => {
    const m = await freshModules();
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    m.getSessionTracker();
    new m.SessionTracker(new SessionData({ calendar: xnysCalendar }));
    m.getSessionTracker();
    expect(warn).toHaveBeenCalledTimes(1);
    const [message, options] = warn.mock.calls[0]!;
    expect(message).toMatch(
      /SessionTracker is deprecated: use getSystemManager\(\)\.dataManager\.getSessionMetrics/,
    );
    expect(options).toEqual({
      type: "DeprecationWarning",
      code: "SESSIONDATA_DEP_SESSION_TRACKER",
    });
    await m.resetSystemManager();
  });

  it("answers from the process-wide session data, a past date from history", async () => {
    const m = await freshModules();
    vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const sd = m.getSessionData();
    sd.addBar("AAPL", bar(0, 10));
    sd.addBar("AAPL", bar(1, 12));
    const next = Date.UTC(2024, 0, 3, 14, 30);
    sd.addBar("AAPL", { ...bar(0, 20), time: next });
    const tracker = m.getSessionTracker();
    expect(tracker).toBe(m.getSessionTracker());
    expect(tracker.getSessionMetrics("AAPL")).toEqual(
      m.getSystemManager().dataManager.getSessionMetrics("AAPL"),
    );
    expect(tracker.getSessionMetrics("AAPL")?.close).toBe(20);
    const past = tracker.getSessionMetrics("AAPL", "2024-01-02");
    expect(past?.sessionDate).toBe("2024-01-02");
    expect(past?.close).toBe(12);
    expect(past?.barCount).toBe(2);
    expect(tracker.getSessionMetrics("MSFT")).toBeUndefined();
    m.resetSessionData();
    await m.resetSystemManager();
  });
});
