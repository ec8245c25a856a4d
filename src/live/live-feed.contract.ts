/**
 * The one contract every {@link LiveFeed} adapter passes, run against a local fake exchange that
 * speaks the provider's wire format (a real WebSocket server and a real HTTP server on
 * 127.0.0.1). Time is a `FakeClock` handed to both sides: heartbeats, backoff and Retry-After
 * waits move only when the test advances it, so nothing depends on how fast the machine is.
 * Real time appears only as an upper bound while a socket delivers what was sent.
 *
 * @example
 * ```ts
 * describeLiveFeedContract("BinanceKlineFeed", async (clock) => {
 *   const exchange = new FakeBinance({ clock, symbols: ["BTCUSDT", "ETHUSDT"] });
 *   await exchange.start();
 *   const feed = new BinanceKlineFeed({ wsUrl: exchange.wsUrl, restUrl: exchange.restUrl, clock, … });
 *   return { feed, exchange, symbols: ["BTCUSDT", "ETHUSDT"], heartbeatTimeoutMs: 30_000,
 *            backoff: { initialMs: 1_000, maxMs: 8_000 }, dispose: () => exchange.stop() };
 * });
 * ```
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/fake-clock.js";
import type { Bar } from "../domain/bar.js";
import type { Provenance } from "../domain/provenance.js";
import { LiveFeedError } from "./feed-errors.js";
import type { FeedStatus } from "./live-feed.js";
import { eventually, type LiveFeedHarness } from "./live-feed-harness.js";

export type { FakeExchange } from "./fake-exchange.js";
export {
  CONTRACT_FEED_TIMING,
  contractHarness,
  eventually,
  type LiveFeedHarness,
} from "./live-feed-harness.js";

const MIN = 60_000;

interface Received {
  readonly symbol: string;
  readonly bar: Bar;
  readonly provenance: Provenance;
}

/**
 * Runs the {@link LiveFeed} contract against the adapter `makeHarness` builds: status sequence,
 * only closed bars, order, duplicates, out-of-order bars, malformed messages, invalid bars,
 * unsubscribed symbols, reconnect with capped backoff, resubscribe, backfill of the missed
 * minutes as `refilled` before `live` again, stall detection, REST 500/429 retries, corrections
 * where the provider has them, and at the end of each: the bars delivered equal the truth.
 */
export function describeLiveFeedContract(
  name: string,
  makeHarness: (clock: FakeClock) => Promise<LiveFeedHarness>,
): void {
  describe(`LiveFeed contract: ${name}`, () => {
    let clock: FakeClock;
    let h: LiveFeedHarness;
    let received: Received[];
    let statuses: FeedStatus[];
    let errors: { error: Error; fatal: boolean }[];
    let a: string;
    let b: string;

    const bar = (minute: number, base = 100): Bar => {
      const open = base + minute;
      return {
        time: h.firstMinute + minute * MIN,
        open,
        high: open + 2,
        low: open - 1,
        close: open + 1,
        volume: 10 + minute,
      };
    };

    /** Advances the clock by `ms` in steps well inside the heartbeat timeout, proving liveness. */
    const pass = async (ms: number): Promise<void> => {
      const step = Math.max(1, Math.floor(h.heartbeatTimeoutMs / 4));
      for (let left = ms; left > 0; left -= step) {
        await clock.advance(Math.min(step, left));
        await h.exchange.heartbeat();
      }
    };

    /**
     * Advances the clock a second at a time (proving liveness) until `predicate` holds, letting
     * real I/O (a REST answer, a handshake) land between steps; fails after `maxMs` of clock.
     */
    const passUntil = async (
      predicate: () => boolean,
      what: string,
      maxMs: number,
    ): Promise<void> => {
      const until = clock.now() + maxMs;
      while (!predicate()) {
        if (clock.now() >= until) throw new Error(`${what}: not within ${maxMs} ms of clock`);
        await pass(1_000);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };

    /** Moves the clock to just after `minute` closed (never backwards). */
    const closeMinute = async (minute: number): Promise<void> => {
      const target = h.firstMinute + (minute + 1) * MIN + 500;
      if (clock.now() < target) await pass(target - clock.now());
    };

    const ofSymbol = (symbol: string, kind?: Provenance): Received[] =>
      received.filter((r) => r.symbol === symbol && (kind === undefined || r.provenance === kind));

    /** The bars delivered for `symbol` as a store would hold them: by time, the latest wins. */
    const held = (symbol: string): Bar[] => {
      const byTime = new Map<number, Bar>();
      for (const r of ofSymbol(symbol)) byTime.set(r.bar.time, r.bar);
      return [...byTime.values()].sort((x, y) => x.time - y.time);
    };

    const states = (): string[] => statuses.map((s) => s.state);

    const errorKinds = (): string[] =>
      errors.map((e) => (e.error instanceof LiveFeedError ? e.error.kind : e.error.name));

    const goLive = async (): Promise<void> => {
      await h.feed.connect();
      await h.feed.subscribe([a, b]);
      await eventually(() => h.feed.state === "live", "the feed to be live");
      await eventually(
        () => h.exchange.subscribed().includes(a) && h.exchange.subscribed().includes(b),
        "the exchange to see both subscriptions",
      );
    };

    const expectTruth = (symbol: string): void => {
      expect(held(symbol), `${symbol}: the bars delivered equal the exchange's truth`).toEqual(
        h.exchange.truth(symbol),
      );
    };

    beforeEach(async () => {
      clock = new FakeClock(0);
      h = await makeHarness(clock);
      // The clock starts 30 s into the first minute, like a session joined mid-minute.
      await clock.advance(h.firstMinute + 30_000);
      [a, b] = h.symbols as [string, string];
      received = [];
      statuses = [];
      errors = [];
      h.feed.on("bar", (symbol, bar, provenance) => received.push({ symbol, bar, provenance }));
      h.feed.on("status", (s) => statuses.push(s));
      h.feed.on("error", (error, fatal) => errors.push({ error, fatal }));
    });

    afterEach(async () => {
      await h.feed.close();
      await h.dispose();
    });

    it("goes connecting → live on connect and subscribe, and the exchange sees the subscriptions", async () => {
      expect(h.feed.state, "a new feed has not connected").not.toBe("live");
      await goLive();
      expect(states()[0], "the first status is connecting").toBe("connecting");
      expect(states().at(-1), "then live").toBe("live");
      expect(
        statuses.every((s) => Number.isFinite(s.at)),
        "each status has a clock time",
      ).toBe(true);
      expect(h.exchange.subscribed()).toEqual([a, b].sort());
    });

    it("delivers only closed bars, as live, in the order they closed", async () => {
      await goLive();
      for (let m = 0; m < 3; m++) {
        await closeMinute(m);
        h.exchange.emitPartial(a, bar(m + 1));
        h.exchange.emitBar(a, bar(m));
        h.exchange.emitBar(b, bar(m, 200));
      }
      await eventually(() => received.length === 6, "six closed bars");
      expect(ofSymbol(a).map((r) => r.bar)).toEqual([bar(0), bar(1), bar(2)]);
      expect(
        received.every((r) => r.provenance === "live"),
        "bars as they arrived are live",
      ).toBe(true);
      expect(errors, "nothing went wrong").toEqual([]);
      expectTruth(a);
      expectTruth(b);
    });

    it("ignores a duplicate and delivers an out-of-order bar once", async () => {
      await goLive();
      await closeMinute(2);
      h.exchange.emitBar(a, bar(0));
      h.exchange.emitBar(a, bar(0));
      h.exchange.emitBar(a, bar(2));
      h.exchange.emitBar(a, bar(1));
      h.exchange.emitBar(a, bar(2));
      await closeMinute(3);
      h.exchange.emitBar(a, bar(3));
      await eventually(() => ofSymbol(a).some((r) => r.bar.time === bar(3).time), "minute 3");
      const times = ofSymbol(a).map((r) => (r.bar.time - h.firstMinute) / MIN);
      expect(times, "each minute once; the late minute 1 after 2").toEqual([0, 2, 1, 3]);
      expectTruth(a);
    });

    it("reports malformed messages, invalid bars and unsubscribed symbols, and stays live", async () => {
      await goLive();
      const c = h.symbols[2];
      await closeMinute(0);
      h.exchange.emitRaw("{not json");
      h.exchange.emitRaw('{"unexpected":true}');
      h.exchange.emitInvalid(a, bar(0).time);
      if (c !== undefined) h.exchange.emitBar(c, bar(0, 300), { force: true });
      h.exchange.emitBar(a, bar(0));
      await eventually(() => ofSymbol(a).length === 1, "the good bar after the bad ones");
      await eventually(() => errors.length >= (c === undefined ? 3 : 4), "every fault reported");
      const kinds = errorKinds();
      expect(kinds.filter((k) => k === "malformed").length, `kinds: ${kinds}`).toBe(2);
      expect(kinds, "the high<low bar is an invalid bar").toContain("invalid-bar");
      if (c !== undefined) expect(kinds, "a bar nobody asked for").toContain("unsubscribed");
      expect(
        errors.every((e) => !e.fatal),
        "none of these ends the feed",
      ).toBe(true);
      expect(h.feed.state).toBe("live");
      expect(
        received.map((r) => r.symbol),
        "nothing but the good bar",
      ).toEqual([a]);
      expectTruth(a);
    });

    it("reconnects after a drop with backoff, resubscribes, backfills the missed minutes as refilled, then goes live", async () => {
      await goLive();
      await closeMinute(0);
      h.exchange.emitBar(a, bar(0));
      h.exchange.emitBar(b, bar(0, 200));
      await eventually(() => received.length === 2, "minute 0");
      const before = h.exchange.connections;
      const attempts = h.exchange.attempts.length;
      h.exchange.refuseConnections(true);
      h.exchange.dropConnections();
      await eventually(() => h.feed.state === "reconnecting", "the feed to notice the drop");
      await clock.advance(h.backoff.initialMs / 2 - 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(h.exchange.attempts.length, "no attempt before the backoff delay").toBe(attempts);
      // Minutes 1-3 close while the feed is away: only a backfill can bring them.
      for (let m = 1; m <= 3; m++) {
        await closeMinute(m);
        h.exchange.emitBar(a, bar(m));
        h.exchange.emitBar(b, bar(m, 200));
      }
      h.exchange.refuseConnections(false);
      await passUntil(() => h.feed.state === "live", "live again", 5 * MIN);
      expect(h.exchange.connections, "one new connection").toBe(before + 1);
      expect(h.exchange.subscribed(), "both symbols resubscribed").toEqual([a, b].sort());
      const refilled = ofSymbol(a, "refilled").map((r) => (r.bar.time - h.firstMinute) / MIN);
      expect(refilled, "the missed minutes came by backfill").toEqual([1, 2, 3]);
      const liveAt = statuses.findLastIndex((s) => s.state === "live");
      const reconnectingAt = statuses.findIndex((s) => s.state === "reconnecting");
      expect(reconnectingAt, `statuses: ${states()}`).toBeGreaterThan(0);
      expect(liveAt, "live again after reconnecting").toBeGreaterThan(reconnectingAt);
      await closeMinute(4);
      h.exchange.emitBar(a, bar(4));
      h.exchange.emitBar(b, bar(4, 200));
      await eventually(() => ofSymbol(b).length === 5, "minute 4 live");
      expect(ofSymbol(a).at(-1)?.provenance).toBe("live");
      expectTruth(a);
      expectTruth(b);
    });

    it("backs off exponentially with jitter, capped, while the exchange refuses connections", async () => {
      await goLive();
      h.exchange.refuseConnections(true);
      h.exchange.dropConnections();
      const delays: number[] = [];
      const retrying = (): FeedStatus[] =>
        statuses.filter((s) => s.state === "reconnecting" && s.retryInMs !== undefined);
      for (let i = 0; i < 7; i++) {
        await eventually(() => retrying().length > i, `reconnecting status ${i + 1}`);
        const delay = retrying()[i]!.retryInMs!;
        delays.push(delay);
        const seen = h.exchange.attempts.length;
        await clock.advance(delay - 1);
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(h.exchange.attempts.length, `no attempt 1 ms before delay ${delay}`).toBe(seen);
        await clock.advance(1);
        await eventually(() => h.exchange.attempts.length > seen, `attempt ${i + 1}`);
      }
      expect(
        delays.every((d) => d <= h.backoff.maxMs),
        `capped: ${delays}`,
      ).toBe(true);
      expect(delays[0]!, `the first delay: ${delays}`).toBeGreaterThanOrEqual(
        h.backoff.initialMs / 2,
      );
      expect(delays[0]!, `the first delay: ${delays}`).toBeLessThanOrEqual(h.backoff.initialMs);
      expect(delays.at(-1)!, `grown to the cap's range: ${delays}`).toBeGreaterThanOrEqual(
        h.backoff.maxMs / 2,
      );
      h.exchange.refuseConnections(false);
      await clock.advance(h.backoff.maxMs);
      await eventually(() => h.feed.state === "live", "live once the exchange accepts again");
    });

    it("detects a stalled stream by its heartbeat, reconnects and backfills", async () => {
      await goLive();
      await closeMinute(0);
      h.exchange.emitBar(a, bar(0));
      await eventually(() => received.length === 1, "minute 0");
      h.exchange.stall();
      h.exchange.emitBar(a, bar(1));
      // No heartbeat reaches the feed: advance without proving liveness.
      await clock.advance(h.heartbeatTimeoutMs * 2);
      await eventually(
        () => statuses.some((s) => s.state === "reconnecting"),
        "the stall to be noticed",
      );
      const reason = statuses.find((s) => s.state === "reconnecting")?.reason ?? "";
      expect(reason, "the status says why").toMatch(/heartbeat|stall|silent/i);
      await passUntil(() => h.feed.state === "live", "live after the stall", 5 * MIN);
      await eventually(() => ofSymbol(a).length === 2, "minute 1 refilled");
      expect(ofSymbol(a, "refilled").map((r) => r.bar)).toEqual([bar(1)]);
      expectTruth(a);
    });

    it("retries a backfill that answers 500 then 429 (Retry-After) before the data", async () => {
      await goLive();
      await closeMinute(0);
      h.exchange.emitBar(a, bar(0));
      await eventually(() => received.length === 1, "minute 0");
      h.exchange.refuseConnections(true);
      h.exchange.dropConnections();
      await eventually(() => h.feed.state === "reconnecting", "reconnecting");
      for (let m = 1; m <= 2; m++) {
        await closeMinute(m);
        h.exchange.emitBar(a, bar(m));
      }
      const rest = h.exchange.restRequests;
      h.exchange.scriptRest([500, 429]);
      h.exchange.refuseConnections(false);
      await passUntil(() => h.feed.state === "live", "live after the retried backfill", 5 * MIN);
      expect(h.exchange.restRequests - rest, "500, 429, then the data").toBeGreaterThanOrEqual(3);
      expect(ofSymbol(a, "refilled").map((r) => r.bar)).toEqual([bar(1), bar(2)]);
      expect(errorKinds().filter((k) => k === "backfill").length, "each failure reported").toBe(2);
      expectTruth(a);
    });

    it("delivers a provider's correction as corrected, where the provider has them", async (ctx) => {
      const correct = h.exchange.emitCorrection?.bind(h.exchange);
      if (correct === undefined) {
        ctx.skip();
        return;
      }
      await goLive();
      await closeMinute(1);
      h.exchange.emitBar(a, bar(0));
      h.exchange.emitBar(a, bar(1));
      const fixed = { ...bar(0), close: bar(0).close - 0.5, volume: 99 };
      correct(a, fixed);
      await eventually(() => ofSymbol(a).length === 3, "the correction");
      expect(ofSymbol(a).at(-1)).toEqual({ symbol: a, bar: fixed, provenance: "corrected" });
      expectTruth(a);
    });

    it("stops a symbol's bars on unsubscribe", async () => {
      await goLive();
      await h.feed.unsubscribe([b]);
      await eventually(() => !h.exchange.subscribed().includes(b), "the exchange to drop b");
      await closeMinute(0);
      h.exchange.emitBar(b, bar(0, 200));
      h.exchange.emitBar(a, bar(0));
      await eventually(() => ofSymbol(a).length === 1, "a's bar");
      expect(ofSymbol(b), "nothing for b").toEqual([]);
    });

    it("closes for good: status closed, no reconnect, idempotent", async () => {
      await goLive();
      const connections = h.exchange.connections;
      await h.feed.close();
      await h.feed.close();
      expect(h.feed.state).toBe("closed");
      expect(states().at(-1)).toBe("closed");
      await clock.advance(h.backoff.maxMs * 4);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(h.exchange.connections, "no reconnect after close").toBe(connections);
      expect(states().filter((s) => s === "closed").length, "closed once").toBe(1);
    });

    it("serves its REST history as a BarSource: closed bars of [from, to)", async () => {
      await goLive();
      for (let m = 0; m < 4; m++) h.exchange.emitBar(a, bar(m));
      await closeMinute(4);
      const bars = await h.feed.backfill.readBars(a, bar(1).time, bar(3).time);
      expect(bars, "minutes 1 and 2").toEqual([bar(1), bar(2)]);
    });
  });
}
