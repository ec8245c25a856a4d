import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { eventLoopTurnsHeld, holdEventLoopTurns, ReplayClock } from "./replay-clock.js";

/** Spins the CPU (no turn of the event loop) for `ms`. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: a max-speed replay's slice loop
  }
}

describe("ReplayClock's yield policy", () => {
  it("a hold makes a max-speed replay due to yield after half a millisecond", async () => {
    const clock = new ReplayClock("max");
    await clock.waitFor(0);
    spin(6);
    expect(clock.mustCheck, "5 ms without a turn: due in any case").toBe(true);
    await clock.waitFor(1); // yields
    const release = holdEventLoopTurns();
    try {
      expect(eventLoopTurnsHeld()).toBe(true);
      spin(1);
      expect(clock.mustCheck, "held: due after 0.5 ms").toBe(true);
    } finally {
      release();
    }
  });

  it("counts holds and ignores a second release of the same hold", () => {
    const a = holdEventLoopTurns();
    const b = holdEventLoopTurns();
    a();
    a();
    expect(eventLoopTurnsHeld(), "b still holds").toBe(true);
    b();
    expect(eventLoopTurnsHeld()).toBe(false);
  });
});
