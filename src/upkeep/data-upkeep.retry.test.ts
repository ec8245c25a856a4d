import { describe, expect, it } from "vitest";
import { MINUTE_MS } from "../domain/bar.js";
import { SourceError } from "../domain/errors.js";
import type { BarSource } from "../history/bar-store.js";
import { noWait } from "./backoff.js";
import { DataUpkeep } from "./data-upkeep.js";
import type { UpkeepEvent } from "./events.js";
import { FlakySource } from "./flaky-source.js";
import { barAt, holeyFixture, min } from "./upkeep.test-helpers.js";
import type { DataUpkeepOptions } from "./upkeep-options.js";

function upkeepOf(
  options: Omit<DataUpkeepOptions, "sleep"> & { sleep?: DataUpkeepOptions["sleep"] },
) {
  const upkeep = new DataUpkeep({ sleep: noWait, ...options });
  const events: UpkeepEvent[] = [];
  upkeep.subscribe((e) => events.push(e));
  return { upkeep, events };
}

/** A source that fails every request with the given error and counts requests. */
function failing(error: Error): BarSource & { calls: number } {
  return {
    calls: 0,
    async readBars() {
      this.calls++;
      throw error;
    },
  };
}

describe("DataUpkeep retries", () => {
  it("retries a flaky source with backoff until every gap is filled", async () => {
    const holes = { A: [1, 5, 9, 13], B: [2, 3, 20], C: [0, 29] };
    const { sd, source, bars } = await holeyFixture({
      symbols: ["A", "B", "C"],
      minutes: 30,
      holes,
    });
    const flaky = new FlakySource(source, { failureRate: 0.5, seed: 3, sleep: noWait });
    const delays: number[] = [];
    const { upkeep } = upkeepOf({
      sessionData: sd,
      source: flaky,
      retry: { attempts: 30, baseDelayMs: 100, maxDelayMs: 1_000 },
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    await upkeep.runOnce(min(30));
    for (const [symbol, list] of bars) expect(sd.getLastNBars(symbol, 100), symbol).toEqual(list);
    const r = upkeep.report();
    expect(r.barsFilled).toBe(9);
    expect(r.failedRequests, "about half the requests failed").toBe(flaky.stats.failures);
    expect(r.failedRequests).toBeGreaterThan(0);
    expect(r.requests).toBe(flaky.stats.requests);
    expect(r.retries).toBe(r.failedRequests);
    expect(delays).toHaveLength(r.retries);
    expect(r.backoffMs).toBe(delays.reduce((a, b) => a + b, 0));
    for (const d of delays) {
      expect(d, "equal jitter: at least half the base delay").toBeGreaterThanOrEqual(50);
      expect(d, "capped").toBeLessThanOrEqual(1_000);
    }
  });

  it("grows the delay exponentially with jitter, the same for the same seed", async () => {
    const runDelays = async (seed: number) => {
      const { sd } = await holeyFixture({ symbols: ["A"], minutes: 10, holes: { A: [4] } });
      const delays: number[] = [];
      const upkeep = new DataUpkeep({
        sessionData: sd,
        source: failing(new SourceError("timeout", { retryable: true })),
        retry: { attempts: 8, baseDelayMs: 100, maxDelayMs: 2_000 },
        seed,
        sleep: async (ms) => {
          delays.push(ms);
        },
      });
      await upkeep.runOnce(min(10));
      return delays;
    };
    const delays = await runDelays(1);
    expect(delays).toHaveLength(7);
    delays.forEach((d, i) => {
      const exp = Math.min(2_000, 100 * 2 ** i);
      expect(d, `retry ${i + 1}`).toBeGreaterThanOrEqual(exp / 2);
      expect(d, `retry ${i + 1}`).toBeLessThanOrEqual(exp);
    });
    expect(await runDelays(1), "same seed, same delays").toEqual(delays);
    expect(await runDelays(2), "another seed, other jitter").not.toEqual(delays);
  });

  it("with the source down, reports gaps unfillable after the retry budget and never throws", async () => {
    const { sd } = await holeyFixture({
      symbols: ["A", "B"],
      minutes: 30,
      holes: { A: [3, 4], B: [7] },
    });
    const down = failing(new SourceError("connection refused", { retryable: true }));
    const { upkeep, events } = upkeepOf({ sessionData: sd, source: down, retry: { attempts: 4 } });
    await expect(upkeep.runOnce(min(30))).resolves.toBeUndefined();
    expect(down.calls, "4 attempts for each of 2 gaps").toBe(8);
    const given = events.filter((e) => e.type === "gapUnfillable");
    expect(given).toHaveLength(2);
    for (const e of given) {
      expect(e.type === "gapUnfillable" && e.reason).toMatch(/failed 4 times.*connection refused/);
      expect(e.type === "gapUnfillable" && e.attempts).toBe(4);
    }
    expect(upkeep.report()).toMatchObject({
      barsUnfillable: 3,
      barsFilled: 0,
      requests: 8,
      failedRequests: 8,
      retries: 6,
    });
    expect(sd.getSessionMetrics("A")!.unfillableBarCount).toBe(2);
    await upkeep.runOnce(min(30));
    expect(down.calls, "given up for the session").toBe(8);
  });

  it("stops at once on a source error marked not retryable; any other error is retried", async () => {
    const { sd } = await holeyFixture({ symbols: ["A"], minutes: 10, holes: { A: [2, 6] } });
    const refusing = failing(new SourceError("unknown symbol A", { retryable: false }));
    const { upkeep, events } = upkeepOf({ sessionData: sd, source: refusing });
    await upkeep.runOnce(min(10));
    expect(refusing.calls, "one request per gap").toBe(2);
    expect(
      events.filter((e) => e.type === "gapUnfillable").map((e) => "reason" in e && e.reason),
    ).toEqual([
      "source refused (not retryable): unknown symbol A",
      "source refused (not retryable): unknown symbol A",
    ]);
    const { sd: sd2 } = await holeyFixture({ symbols: ["A"], minutes: 10, holes: { A: [2] } });
    const broken = failing(new TypeError("fetch failed"));
    await new DataUpkeep({
      sessionData: sd2,
      source: broken,
      sleep: noWait,
      retry: { attempts: 3 },
    }).runOnce(min(10));
    expect(broken.calls).toBe(3);
  });

  it("never has one minute in flight twice, also when rounds overlap", async () => {
    const { sd, source } = await holeyFixture({
      symbols: ["A"],
      minutes: 20,
      holes: { A: [2, 3, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19] },
    });
    const asked: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // Resolves once `n` requests have been made: the test waits for work, never for time.
    const waiters: { n: number; resolve: () => void }[] = [];
    const requested = (n: number) =>
      asked.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ n, resolve }));
    const slow: BarSource = {
      async readBars(symbol, from, to) {
        asked.push(`${(from - min(0)) / MINUTE_MS}-${(to - min(0)) / MINUTE_MS}`);
        for (const w of waiters) if (asked.length >= w.n) w.resolve();
        await gate;
        return source.readBars(symbol, from, to);
      },
    };
    const { upkeep } = upkeepOf({ sessionData: sd, source: slow });
    const first = upkeep.runOnce(min(10));
    await requested(2);
    sd.addBar("A", barAt(min(10)));
    sd.addBar("A", barAt(min(12)));
    const second = upkeep.runOnce(min(13));
    await requested(3);
    // Anything more the second round would ask for would be asked in this turn.
    await new Promise((r) => setImmediate(r));
    expect(asked, "the second round asks only for the new minute 11").toEqual([
      "2-4",
      "8-9",
      "11-12",
    ]);
    release();
    await Promise.all([first, second]);
    expect(upkeep.checkCompleteness("A", min(13))).toEqual([]);
    expect(upkeep.report()).toMatchObject({ barsFilled: 4, requests: 3 });
  });
});
