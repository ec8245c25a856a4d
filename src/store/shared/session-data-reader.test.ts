import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/fast-check.js";
import { alwaysOpenCalendar } from "../../calendar/utc-day-calendar.js";
import type { Bar } from "../../domain/bar.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import { BarBuffer } from "../bar-buffer.js";
import { makeTestCalendar } from "../fixtures.js";
import { SessionData } from "../session-data.js";
import { SessionDataReader } from "./session-data-reader.js";

const T0 = Date.UTC(2024, 0, 1);

function barK(k: number): Bar {
  return {
    time: T0 + k * 60_000,
    open: k + 0.25,
    high: k + 0.5,
    low: k,
    close: k + 0.375,
    volume: k,
  };
}

/** Everything a reader can say about `symbol`, from the owner and from the reader. */
function views(sd: SessionData, reader: SessionDataReader, symbol: string) {
  return {
    owner: {
      session: sd.currentSession,
      latest: sd.getLatestBar(symbol),
      all: sd.getLastNBars(symbol, 2_000),
      count: sd.getBarCount(symbol),
      metrics: sd.getSessionMetrics(symbol),
      handle: sd.getSymbol(symbol)?.getLatestBar(),
      handleCount: sd.getSymbol(symbol)?.getBarCount(),
    },
    reader: {
      session: reader.currentSession,
      latest: reader.getLatestBar(symbol),
      all: reader.getLastNBars(symbol, 2_000),
      count: reader.getBarCount(symbol),
      metrics: reader.getSessionMetrics(symbol),
      handle: reader.getSymbol(symbol)?.getLatestBar(),
      handleCount: reader.getSymbol(symbol)?.getBarCount(),
    },
  };
}

describe("SessionData.share() and SessionDataReader", () => {
  it("reads what the owner holds: latest, last N, since, count, multi, metrics", () => {
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    const reader = SessionDataReader.attach(sd.share());
    expect(reader.getLatestBar("BTC"), "nothing before the first bar").toBeUndefined();
    for (let k = 0; k < 30; k++) sd.addBar("BTC", barK(k));
    sd.addBar("ETH", barK(5));
    const v = views(sd, reader, "BTC");
    expect(v.reader).toEqual(v.owner);
    expect(reader.getBarsSince("BTC", barK(25).time)).toEqual(
      sd.getBarsSince("BTC", barK(25).time),
    );
    expect(reader.getLatestBarsMulti(["BTC", "ETH", "XRP"])).toEqual(
      sd.getLatestBarsMulti(["BTC", "ETH", "XRP"]),
    );
    const buf = new BarBuffer(10);
    expect(reader.readLastN("BTC", 10, buf)).toBe(10);
    expect(buf.close[9]).toBe(barK(29).close);
    expect(reader.symbols()).toEqual(["BTC", "ETH"]);
    expect(sd.share(), "one descriptor per store").toBe(sd.share());
  });

  it("mirrors bars stored before share() and after, late and replacing bars, and a new session", () => {
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    for (let k = 0; k < 10; k++) if (k !== 4) sd.addBar("BTC", barK(k));
    const reader = SessionDataReader.attach(sd.share());
    expect(reader.getBarCount("BTC"), "bars from before share()").toBe(9);
    sd.addBar("BTC", barK(4), "refilled");
    sd.addBar("BTC", { ...barK(7), close: 7.4, high: 7.5 }, "corrected");
    let v = views(sd, reader, "BTC");
    expect(v.reader, "after a late bar and a correction").toEqual(v.owner);
    sd.addBar("BTC", barK(1_440 + 3)); // the next UTC day: a new session
    v = views(sd, reader, "BTC");
    expect(v.reader.session).toBe("2024-01-02");
    expect(v.reader, "after the roll").toEqual(v.owner);
  });

  it("grows past its first 64 symbols in place: a reader attached before sees the new ones", () => {
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    const reader = SessionDataReader.attach(sd.share());
    for (let i = 0; i < 300; i++) sd.addBar(`S${i}`, barK(i % 50));
    expect(reader.symbols().length).toBe(300);
    expect(reader.getLatestBar("S299")).toEqual(barK(299 % 50));
    expect(reader.getLatestBar("S0")).toEqual(barK(0));
  });

  it("gives a handle per symbol that reads as the owner's handle and follows new bars", () => {
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    const reader = SessionDataReader.attach(sd.share());
    expect(reader.getSymbol("BTC"), "no handle before the owner shares the symbol").toBeUndefined();
    sd.addBar("BTC", barK(0));
    const btc = reader.getSymbol("BTC")!;
    expect(reader.getSymbol("BTC"), "one handle per symbol").toBe(btc);
    const first = btc.getLatestBar();
    expect(first).toEqual(barK(0));
    expect(btc.getLatestBar(), "the same object while nothing was written").toBe(first);
    sd.addBar("BTC", barK(1));
    expect(btc.getLatestBar(), "a new bar after a write").toEqual(barK(1));
    sd.addBar("BTC", { ...barK(1), close: 1.3 }, "corrected");
    expect(btc.getLatestBar()?.close, "a correction of the latest bar").toBe(1.3);
    for (let i = 0; i < 100; i++) sd.addBar(`S${i}`, barK(2)); // grows the buffers past 64 slots
    sd.addBar("BTC", barK(3));
    expect(btc.getLatestBar(), "a handle made before the buffers grew").toEqual(barK(3));
    const buf = new BarBuffer(4);
    expect(btc.readLastN(4, buf)).toBe(3);
    expect(Array.from(buf.time.subarray(0, 3))).toEqual([0, 1, 3].map((k) => barK(k).time));
    sd.addBar("BTC", barK(1_440 * 2)); // a new session empties the slot first
    expect(btc.getBarCount()).toBe(1);
    expect(btc.getLatestBar()).toEqual(barK(1_440 * 2));
  });

  it("a worker polling a handle's getLatestBar sees the owner's next bar", async () => {
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    sd.addBar("BTC", barK(0));
    const worker = new Worker(
      `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(
        new URL("./poll-worker.test-helpers.ts", import.meta.url).href,
      )}); });`,
      { eval: true, workerData: { descriptor: sd.share(), symbol: "BTC" } },
    );
    const messages: unknown[] = [];
    let heard: () => void = () => {};
    worker.on("message", (m) => {
      messages.push(m);
      heard();
    });
    const next = (k: number) =>
      new Promise<unknown>((resolve, reject) => {
        worker.once("error", reject);
        heard = () => {
          if (messages.length > k) resolve(messages[k]);
        };
        heard();
      });
    // The worker says "ready" with its first bar, then spins on getLatestBar until it changes.
    expect(await next(0)).toBe("ready");
    await new Promise((resolve) => setTimeout(resolve, 200));
    sd.addBar("BTC", barK(1));
    const seen = (await next(1)) as { time: number; polls: number };
    await worker.terminate();
    expect(seen.time, "the bar written while the worker spun").toBe(barK(1).time);
    expect(seen.polls, "the worker polled the unchanged bar many times first").toBeGreaterThan(
      1_000,
    );
  }, 30_000);

  it("refuses what is not a descriptor, and counts over a buffer's capacity", () => {
    expect(() => SessionDataReader.attach({} as never)).toThrow(InvalidArgumentError);
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    const reader = SessionDataReader.attach(sd.share());
    expect(() => reader.readLastN("BTC", 11, new BarBuffer(10))).toThrow(
      /exceeds the buffer's capacity/,
    );
    expect(() => new SessionData({ calendar: alwaysOpenCalendar }).share({ capacity: 0 })).toThrow(
      /capacity must be a positive integer/,
    );
  });

  it("equals the owner after every slice, whatever the arrivals (property)", () => {
    const cal = makeTestCalendar();
    const open = Date.UTC(2024, 0, 2, 9, 30);
    const op = fc.record({
      symbol: fc.constantFrom("A", "B", "C"),
      minute: fc.integer({ min: 0, max: 389 }),
      nextDay: fc.boolean(),
      close: fc.double({ min: 1, max: 2, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 25 }), (slices) => {
        const sd = new SessionData({ calendar: cal });
        const reader = SessionDataReader.attach(sd.share());
        let day = 0;
        for (const slice of slices) {
          for (const o of slice) {
            if (o.nextDay && day === 0) day = 1;
            const t = open + day * 86_400_000 + o.minute * 60_000;
            try {
              sd.addBar(o.symbol, {
                time: t,
                open: 1.5,
                high: 2,
                low: 1,
                close: o.close,
                volume: o.minute,
              });
            } catch {
              // a bar of a session already rolled away: refused by the owner, nothing to mirror
            }
          }
          for (const s of ["A", "B", "C"]) {
            const v = views(sd, reader, s);
            if (JSON.stringify(v.reader) !== JSON.stringify(v.owner)) return false;
          }
        }
        return true;
      }),
      { numRuns: runs(60) },
    );
  });

  it("never gives a worker a torn bar while the owner writes at full speed (2 workers, 10 s)", async () => {
    const symbols = Array.from({ length: 8 }, (_, i) => `SYM${i}`);
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    const descriptor = sd.share();
    const workers = [0, 1].map(
      () =>
        // The worker runs the TypeScript sources through tsx's loader, registered first.
        new Worker(
          `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(
            new URL("./reader-worker.test-helpers.ts", import.meta.url).href,
          )}); });`,
          { eval: true, workerData: { descriptor, symbols } },
        ),
    );
    const reports = workers.map(
      (w) =>
        new Promise<{ reads: number; torn: number; problems: string[] }>((resolve, reject) => {
          w.once("message", resolve);
          w.once("error", reject);
        }),
    );
    const durationMs = Number(process.env.SESSIONDATA_TORN_READ_MS ?? 10_000);
    const end = performance.now() + durationMs;
    let k = 0;
    let written = 0;
    // Write in bursts and yield so the test runner stays responsive; each burst is full speed.
    while (performance.now() < end) {
      for (let j = 0; j < 2_000; j++, k++) {
        for (const s of symbols) sd.addBar(s, barK(k));
        written += symbols.length;
      }
      await new Promise((r) => setImmediate(r));
    }
    for (const w of workers) w.postMessage("stop");
    const results = await Promise.all(reports);
    await Promise.all(workers.map((w) => w.terminate()));
    for (const r of results) {
      expect(r.problems, "no torn or inconsistent read").toEqual([]);
      expect(r.torn).toBe(0);
      expect(r.reads, "the worker read while the owner wrote").toBeGreaterThan(1_000);
    }
    expect(written).toBeGreaterThan(10_000);
  }, 60_000);
});
