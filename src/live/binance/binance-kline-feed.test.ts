import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/fake-clock.js";
import type { Bar } from "../../domain/bar.js";
import { SourceError } from "../../domain/errors.js";
import type { Provenance } from "../../domain/provenance.js";
import { LiveFeedError } from "../feed-errors.js";
import { eventually } from "../live-feed.contract.js";
import type { FeedStatus } from "../live-feed.js";
import { BinanceKlineFeed, type BinanceKlineFeedOptions } from "./binance-kline-feed.js";
import { FakeBinance, type FakeBinanceOptions } from "./fake-binance.js";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 2, 10, 0);
const bar = (m: number, base = 100): Bar => ({
  time: T0 + m * MIN,
  open: base + m,
  high: base + m + 2,
  low: base + m - 1,
  close: base + m + 1,
  volume: 3,
});

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function rig(
  feedOptions: Partial<BinanceKlineFeedOptions> = {},
  fake: FakeBinanceOptions = {},
) {
  const clock = new FakeClock(T0 + 30_000);
  const exchange = new FakeBinance({ clock, ...fake });
  await exchange.start();
  const feed = new BinanceKlineFeed({
    wsUrl: exchange.wsUrl,
    restUrl: exchange.restUrl,
    clock,
    heartbeatTimeoutMs: 60_000,
    reconnect: { initialMs: 1_000, maxMs: 8_000 },
    random: () => 0.5,
    ...feedOptions,
  });
  const received: { symbol: string; bar: Bar; provenance: Provenance }[] = [];
  const statuses: FeedStatus[] = [];
  const errors: Error[] = [];
  feed.on("bar", (symbol, b, provenance) => received.push({ symbol, bar: b, provenance }));
  feed.on("status", (s) => statuses.push(s));
  feed.on("error", (e) => errors.push(e));
  cleanup = async () => {
    await feed.close();
    await exchange.stop();
  };
  /** Advances in 5 s steps, letting sockets deliver; `heartbeat` proves liveness at each. */
  const pass = async (ms: number, heartbeat = true): Promise<void> => {
    for (let left = ms; left > 0; left -= 5_000) {
      await clock.advance(Math.min(5_000, left));
      if (heartbeat) await exchange.heartbeat();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  return { clock, exchange, feed, received, statuses, errors, pass };
}

describe("BinanceKlineFeed", () => {
  it("opens a second connection above 1,024 streams (Binance's limit per connection)", async () => {
    const { exchange, feed, received, clock } = await rig();
    const symbols = Array.from({ length: 1_030 }, (_, i) => `S${i}USDT`);
    await feed.connect();
    await feed.subscribe(symbols);
    expect(feed.connectionCount, "1,024 + 6 streams").toBe(2);
    expect(exchange.openConnections).toBe(2);
    expect(exchange.subscribed().length).toBe(1_030);
    await clock.advance(31_000);
    exchange.emitBar("S1029USDT", bar(0));
    exchange.emitBar("S0USDT", bar(0));
    await eventually(() => received.length === 2, "a bar on each connection");
  });

  it("paces its SUBSCRIBE requests under Binance's 5 messages a second (the fake drops a connection above)", async () => {
    const { exchange, feed, statuses, clock } = await rig();
    await feed.connect();
    const symbols = Array.from({ length: 12 }, (_, i) => `P${i}USDT`);
    const all = Promise.all(symbols.map((s) => feed.subscribe([s])));
    // A batch of 3 a second; the clock moves on only once the exchange has seen the last batch
    // (a fake clock jumps, and a request in flight would land in the next second).
    for (let i = 0; i < 4; i++) {
      await eventually(() => exchange.subscribed().length === (i + 1) * 3, `batch ${i + 1}`);
      await new Promise((r) => setTimeout(r, 10));
      expect(exchange.subscribed().length, "no more than 3 a second").toBe((i + 1) * 3);
      await clock.advance(1_000);
    }
    await all;
    expect(exchange.subscribed().length).toBe(12);
    expect(
      statuses.some((s) => s.state === "reconnecting"),
      "never dropped",
    ).toBe(false);
  });

  it("renews a connection before the 24 h limit without losing a minute", async () => {
    const { exchange, feed, received, statuses, pass, clock } = await rig(
      { renewAfterMs: 10 * MIN },
      { maxConnectionAgeMs: 12 * MIN },
    );
    await feed.connect();
    await feed.subscribe(["BTCUSDT"]);
    for (let m = 0; m < 30; m++) {
      await pass(T0 + (m + 1) * MIN + 500 - clock.now());
      exchange.emitBar("BTCUSDT", bar(m));
    }
    await eventually(() => received.length === 30, "thirty minutes");
    expect(
      received.every((r) => r.provenance === "live"),
      "every minute live, none refilled",
    ).toBe(true);
    expect(
      statuses.some((s) => s.state === "reconnecting"),
      "never dropped",
    ).toBe(false);
    expect(exchange.connections, "renewed twice in 30 min").toBeGreaterThanOrEqual(3);
    expect(exchange.openConnections, "the old ones closed").toBe(1);
  });

  it("without renewal, the 24 h drop costs no minute either: reconnect and backfill", async () => {
    const { exchange, feed, received, pass, clock } = await rig(
      { renewAfterMs: 10_000 * MIN },
      { maxConnectionAgeMs: 5 * MIN },
    );
    await feed.connect();
    await feed.subscribe(["BTCUSDT"]);
    for (let m = 0; m < 12; m++) {
      await pass(T0 + (m + 1) * MIN + 500 - clock.now());
      exchange.emitBar("BTCUSDT", bar(m));
    }
    await pass(2 * MIN);
    expect(
      [...new Set(received.map((r) => r.bar.time))].sort(),
      "every minute, live or refilled",
    ).toEqual(exchange.truth("BTCUSDT").map((b) => b.time));
  });

  it("stays live on the server's own pings alone (20 s apart), and pongs them", async () => {
    const { feed, statuses, pass } = await rig(
      { heartbeatTimeoutMs: 60_000 },
      { pingIntervalMs: 20_000 },
    );
    await feed.connect();
    await feed.subscribe(["BTCUSDT"]);
    await pass(10 * MIN, false);
    expect(
      statuses.map((s) => s.state),
      "no stall in 10 minutes of pings",
    ).toEqual(["connecting", "live"]);
  });

  it("moves to a fresh connection on serverShutdown", async () => {
    const { exchange, feed, received, statuses, pass, clock } = await rig();
    await feed.connect();
    await feed.subscribe(["BTCUSDT"]);
    exchange.emitServerShutdown();
    await eventually(() => exchange.connections === 2, "a second connection");
    await eventually(() => exchange.openConnections === 1, "the first closed");
    await pass(T0 + MIN + 500 - clock.now());
    exchange.emitBar("BTCUSDT", bar(0));
    await eventually(() => received.length === 1, "bars on the new connection");
    expect(statuses.some((s) => s.state === "reconnecting")).toBe(false);
  });

  it("reports a kline with a non-numeric price as an invalid bar", async () => {
    const { exchange, feed, errors, received, clock } = await rig();
    await feed.connect();
    await feed.subscribe(["BTCUSDT"]);
    await clock.advance(31_000);
    const k = {
      t: T0,
      T: T0 + 59_999,
      s: "BTCUSDT",
      i: "1m",
      f: 1,
      L: 2,
      o: "abc",
      c: "1",
      h: "2",
      l: "0.5",
      v: "1",
      n: 1,
      x: true,
      q: "1",
      V: "0",
      Q: "0",
      B: "0",
    };
    exchange.emitRaw(
      JSON.stringify({ stream: "btcusdt@kline_1m", data: { e: "kline", E: 1, s: "BTCUSDT", k } }),
    );
    await eventually(() => errors.length === 1, "the report");
    expect(errors[0]).toBeInstanceOf(LiveFeedError);
    expect((errors[0] as LiveFeedError).kind).toBe("invalid-bar");
    expect(errors[0]!.message).toMatch(
      /BTCUSDT at 2024-01-02T10:00:00.000Z: open is not a finite number/,
    );
    expect(received).toEqual([]);
  });

  describe("REST backfill", () => {
    it("paginates GET /api/v3/klines 1,000 at a time", async () => {
      const { exchange, feed, clock } = await rig();
      for (let m = 0; m < 2_500; m++) exchange.recordBar("BTCUSDT", bar(m));
      await clock.advance(2_600 * MIN);
      const before = exchange.restRequests;
      const bars = await feed.backfill.readBars("btcusdt", T0, T0 + 2_500 * MIN);
      expect(bars.length).toBe(2_500);
      expect(bars.at(-1)).toEqual(bar(2_499));
      expect(exchange.restRequests - before, "three pages").toBe(3);
    });

    it("returns only closed klines: not the minute in progress", async () => {
      const { exchange, feed, clock } = await rig();
      for (let m = 0; m < 5; m++) exchange.recordBar("BTCUSDT", bar(m));
      await clock.advance(3 * MIN); // now 10:03:30: minute 3 is still open
      const bars = await feed.backfill.readBars("BTCUSDT", T0, T0 + 10 * MIN);
      expect(bars.map((b) => (b.time - T0) / MIN)).toEqual([0, 1, 2]);
    });

    it("waits out a 418 for its Retry-After on the clock before asking again", async () => {
      const { exchange, feed, clock, errors } = await rig();
      exchange.recordBar("BTCUSDT", bar(0));
      await clock.advance(2 * MIN);
      exchange.scriptRest([418]);
      let done = false;
      const read = feed.backfill.readBars("BTCUSDT", T0, T0 + MIN).then((b) => {
        done = true;
        return b;
      });
      await eventually(() => errors.length === 1, "the 418 reported");
      expect(errors[0]!.message).toMatch(/HTTP 418 .*Retry-After 1/);
      await clock.advance(999);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(done, "not before Retry-After").toBe(false);
      await clock.advance(1);
      expect(await read).toEqual([bar(0)]);
    });

    it("fails at once, not retryable, on a 4xx like an unknown symbol", async () => {
      const { exchange, feed, clock } = await rig({}, { symbols: ["BTCUSDT"] });
      await clock.advance(2 * MIN);
      const before = exchange.restRequests;
      const error = await feed.backfill.readBars("NOPEUSDT", T0, T0 + MIN).catch((e) => e);
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).retryable).toBe(false);
      expect((error as Error).message).toMatch(/HTTP 400 .*-1121.*Invalid symbol/);
      expect(exchange.restRequests - before, "one request").toBe(1);
    });
  });
});
