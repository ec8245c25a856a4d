import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/fake-clock.js";
import { alwaysOpenCalendar } from "../calendar/utc-day-calendar.js";
import type { Bar } from "../domain/bar.js";
import { provenanceOfCode } from "../domain/provenance.js";
import type { BarStore } from "../history/bar-store.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { BinanceKlineFeed } from "../live/binance/binance-kline-feed.js";
import { FakeBinance } from "../live/binance/fake-binance.js";
import { eventually } from "../live/live-feed.contract.js";
import { SessionData } from "../store/session-data.js";
import { type BarLateEvent, LiveSession } from "./live-session.js";
import { liveStatusSource } from "./live-status.js";

const MIN = 60_000;
const DAY = 86_400_000;
/** Today's session (24/7: the UTC day) starts here; the clock starts at 10:00. */
const TODAY = Date.UTC(2024, 0, 3);
const START = TODAY + 10 * 60 * MIN;
const A = "BTCUSDT";
const B = "ETHUSDT";

const barAt = (time: number, base = 100): Bar => {
  const open = base + ((time / MIN) % 50);
  return { time, open, high: open + 2, low: open - 1, close: open + 1, volume: 5 };
};
/** Minute `m` of the live part (0 = the minute starting at START). */
const minute = (m: number): number => START + m * MIN;

interface Rig {
  clock: FakeClock;
  exchange: FakeBinance;
  feed: BinanceKlineFeed;
  sd: SessionData;
  store: BarStore;
  session: LiveSession;
  late: BarLateEvent[];
  pass(ms: number): Promise<void>;
  /** Advances to `lateAfterMs` past minute `m`'s close, emitting nothing. */
  to(m: number, extraMs?: number): Promise<void>;
}

let rig: Rig | undefined;

async function makeRig(options: { warm?: boolean } = {}): Promise<Rig> {
  const clock = new FakeClock(START);
  const exchange = new FakeBinance({ clock });
  await exchange.start();
  const store = new MemoryBarStore();
  if (options.warm !== false) {
    // Two prior sessions (the last 30 minutes of each day) and today's first 10 hours.
    for (const symbol of [A, B]) {
      const bars: Bar[] = [];
      for (const day of [TODAY - 2 * DAY, TODAY - DAY]) {
        for (let i = 0; i < 30; i++) bars.push(barAt(day + DAY - (30 - i) * MIN));
      }
      for (let t = TODAY; t < START; t += MIN) bars.push(barAt(t));
      await store.writeBars(symbol, bars, { provenance: "live" });
    }
  }
  const feed = new BinanceKlineFeed({
    wsUrl: exchange.wsUrl,
    restUrl: exchange.restUrl,
    clock,
    heartbeatTimeoutMs: 30_000,
    reconnect: { initialMs: 1_000, maxMs: 8_000 },
    random: () => 0.5,
  });
  const sd = new SessionData({ calendar: alwaysOpenCalendar, historySessions: 2 });
  const session = new LiveSession({
    feed,
    sessionData: sd,
    barStore: store,
    symbols: [A, B],
    clock,
    lateAfterMs: 5_000,
    upkeepInterval: 60_000,
  });
  const late: BarLateEvent[] = [];
  session.on("barLate", (e) => late.push(e));
  const pass = async (ms: number): Promise<void> => {
    for (let left = ms; left > 0; left -= 5_000) {
      await clock.advance(Math.min(5_000, left));
      await exchange.heartbeat();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  const to = async (m: number, extraMs = 0): Promise<void> => {
    const target = minute(m) + MIN + 5_000 + extraMs;
    if (clock.now() < target) await pass(target - clock.now());
  };
  rig = { clock, exchange, feed, sd, store, session, late, pass, to };
  return rig;
}

afterEach(async () => {
  await rig?.session.stop();
  await rig?.exchange.stop();
  rig = undefined;
});

/** Stored bars of `symbol` in [from, to) with their provenance. */
async function storedWithProvenance(
  store: BarStore,
  symbol: string,
  from: number,
  to: number,
): Promise<{ time: number; provenance: string | undefined }[]> {
  const out: { time: number; provenance: string | undefined }[] = [];
  for await (const chunk of store.scan({ symbols: [symbol], from, to })) {
    for (let i = 0; i < chunk.length; i++) {
      out.push({ time: chunk.time[i]!, provenance: provenanceOfCode(chunk.provenance[i]!) });
    }
  }
  return out;
}

describe("LiveSession", () => {
  it("warms up from the store: prior sessions for getHistoricalBars, today's bars so far", async () => {
    const { session, sd } = await makeRig();
    await session.start();
    expect(sd.currentSession, "today is the current session").toBe("2024-01-03");
    expect(sd.getBarCount(A), "today's ten hours").toBe(600);
    const history = sd.getHistoricalBars(A, 100);
    expect(history.length, "two prior sessions of 30 bars").toBe(60);
    expect(history[0]!.time, "the oldest: 2024-01-01 23:30").toBe(TODAY - DAY - 30 * MIN);
    expect(session.counts().warmup).toBe(2 * (60 + 600));
    expect(session.counts().bars, "warm-up bars are not live bars").toBe(0);
    expect(session.counts().stored, "nor written back").toBe(0);
  });

  it("feeds live bars into SessionData and persists them, with provenance, within a second", async () => {
    const { session, sd, exchange, store, clock, pass, to } = await makeRig();
    await session.start();
    await to(0, -5_000 + 500);
    exchange.emitBar(A, barAt(minute(0)));
    exchange.emitBar(B, barAt(minute(0), 200));
    await eventually(() => sd.getLatestBar(B)?.time === minute(0), "minute 0 readable");
    expect(sd.getLatestBar(A)).toEqual(barAt(minute(0)));
    expect(sd.getProvenance(A, minute(0))).toBe("live");
    const written = clock.now();
    await pass(1_000);
    await eventually(() => session.counts().stored === 2, "both bars stored");
    expect(clock.now() - written, "at most one second behind").toBeLessThanOrEqual(1_000);
    expect(await storedWithProvenance(store, A, minute(0), minute(1))).toEqual([
      { time: minute(0), provenance: "live" },
    ]);
    const counted = sd.getSessionMetrics(A)?.provenance;
    expect(counted?.live, "metrics count the live bar").toBe(1);
    expect(counted?.replay, "and the warm-up as replay").toBe(600);
  });

  it("raises barLate lateAfterMs after a missing minute closed, and upkeep refills it from the backfill", async () => {
    const { session, sd, exchange, store, late, pass, to } = await makeRig();
    await session.start();
    await to(0, -5_000 + 500);
    exchange.recordBar(A, barAt(minute(0))); // the exchange has it; the stream lost it
    exchange.emitBar(B, barAt(minute(0), 200));
    await eventually(() => sd.getLatestBar(B)?.time === minute(0), "B's minute 0");
    await pass(4_000); // 4.5 s after the close: not late yet
    expect(late, "not before lateAfterMs").toEqual([]);
    await pass(1_000);
    expect(late, "late at 5 s").toEqual([{ symbol: A, minute: minute(0) }]);
    await pass(2 * MIN);
    await eventually(() => sd.getProvenance(A, minute(0)) === "refilled", "upkeep's refill");
    expect(sd.getBarsSince(A, minute(0))[0]).toEqual(barAt(minute(0)));
    await session.flush();
    expect(await storedWithProvenance(store, A, minute(0), minute(1))).toEqual([
      { time: minute(0), provenance: "refilled" },
    ]);
    expect(session.counts().late).toBeGreaterThanOrEqual(1);
    expect(session.counts().refilled).toBe(1);
  });

  it("the server's status source keeps each symbol's late minutes for the dashboard's marks", async () => {
    const { session, feed, exchange, pass, to } = await makeRig();
    const status = liveStatusSource(feed, session);
    await session.start();
    await to(0, -5_000 + 500);
    exchange.emitBar(B, barAt(minute(0), 200)); // A's minute 0 never comes
    await pass(5_000);
    expect(status.current().lateBars).toBe(1);
    expect(status.lateMinutes?.(A, minute(0), minute(1))).toEqual([minute(0)]);
    expect(status.lateMinutes?.(A, minute(1), minute(2)), "outside the range").toEqual([]);
    expect(status.lateMinutes?.(B, minute(0), minute(1)), "B's came in time").toEqual([]);
  });

  it("survives every fault of the issue, counts each, and ends with the store equal to the exchange's truth", async () => {
    const { session, sd, exchange, store, feed, to, pass, clock } = await makeRig();
    await session.start();
    const emit = (m: number): void => {
      exchange.emitBar(A, barAt(minute(m)));
      exchange.emitBar(B, barAt(minute(m), 200));
    };
    await to(0, -4_500);
    emit(0);
    // Malformed JSON, a kline with high < low, a bar for a symbol nobody subscribed, a bar of the
    // previous session.
    exchange.emitRaw("{oops");
    exchange.emitInvalid(A, minute(0));
    exchange.emitBar("XRPUSDT", barAt(minute(0), 5), { force: true });
    exchange.sendBar(A, barAt(TODAY - 5 * MIN));
    await to(1, -4_500);
    emit(1);
    await eventually(() => sd.getLatestBar(B)?.time === minute(1), "minute 1");
    // A stall: the socket stays open and silent; minute 2 closes meanwhile.
    exchange.stall();
    await to(2, -4_500);
    emit(2);
    for (let i = 0; i < 30 && session.counts().reconnects === 0; i++) await pass(5_000);
    expect(session.counts().reconnects, "the stall noticed").toBe(1);
    // The backfill after the reconnect answers 500, then 429, then data.
    exchange.scriptRest([500, 429]);
    for (let i = 0; i < 60 && feed.state !== "live"; i++) await pass(1_000);
    expect(feed.state, "live again").toBe("live");
    // A flood: ten minutes of bars in one second, nine of them not closed yet by the clock.
    const m0 = Math.ceil((clock.now() - START) / MIN);
    await to(m0, -4_500);
    for (let m = m0; m < m0 + 10; m++) emit(m);
    await pass(1_000);
    // Time passes through the flooded minutes; each is emitted again when it closes, as the
    // real stream would, and upkeep repairs whatever the stream misses.
    for (let m = m0 + 1; m < m0 + 10; m++) {
      await to(m, -4_500);
      if (m % 3 === 0) emit(m);
    }
    await pass(3 * MIN);
    await session.stop();
    const end = minute(m0 + 10);
    for (const symbol of [A, B]) {
      const truth = exchange.truth(symbol).filter((b) => b.time >= START && b.time < end);
      expect(await store.readBars(symbol, START, end), `${symbol}: store == truth`).toEqual(truth);
      expect(sd.getBarsSince(symbol, START).filter((b) => b.time < end)).toEqual(truth);
    }
    const { rejected, reconnects } = session.counts();
    expect(rejected.malformed, `rejected: ${JSON.stringify(rejected)}`).toBe(1);
    expect(rejected["invalid-bar"]).toBe(1);
    expect(rejected.unsubscribed).toBe(1);
    expect(rejected["previous-session"]).toBe(1);
    expect(rejected.backfill, "the 500 and the 429").toBe(2);
    expect(rejected.future, "flooded bars ahead of the clock").toBeGreaterThanOrEqual(8 * 2);
    expect(reconnects).toBe(1);
    expect(sd.rejectedCount, "the store refused only the previous-session bar").toBe(1);
  });

  it("a start whose connect fails leaves nothing running and says why", async () => {
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    const feed = new BinanceKlineFeed({ wsUrl: "ws://127.0.0.1:1", restUrl: "http://127.0.0.1:1" });
    const session = new LiveSession({ feed, sessionData: sd, symbols: [A] });
    await expect(session.start()).rejects.toThrow(/cannot connect to ws:\/\/127\.0\.0\.1:1/);
    expect(feed.state).toBe("closed");
    expect(session.upkeep.running, "upkeep not started").toBe(false);
    await session.stop();
  });

  it("refuses options that make no sense", () => {
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    const feed = new BinanceKlineFeed({});
    expect(() => new LiveSession({ feed, sessionData: sd, symbols: [] })).toThrow(/at least one/);
    expect(() => new LiveSession({ feed, sessionData: sd, symbols: [A], lateAfterMs: -1 })).toThrow(
      /lateAfterMs/,
    );
  });
});
