import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/fake-clock.js";
import { xnysCalendar } from "../calendar/xnys.js";
import type { Bar } from "../domain/bar.js";
import { provenanceOfCode } from "../domain/provenance.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { AlpacaBarFeed } from "../live/alpaca/alpaca-bar-feed.js";
import { FakeAlpaca } from "../live/alpaca/fake-alpaca.js";
import { eventually } from "../live/live-feed.contract.js";
import { SessionData } from "../store/session-data.js";
import { LiveSession } from "./live-session.js";

const MIN = 60_000;
/** Wednesday 2024-01-03 on XNYS: the session opens 14:30 UTC; the live part starts at 15:00. */
const OPEN = Date.UTC(2024, 0, 3, 14, 30);
const START = Date.UTC(2024, 0, 3, 15, 0);
const A = "AAPL";
const B = "MSFT";

const barAt = (time: number, base = 100): Bar => {
  const open = base + ((time / MIN) % 50);
  return { time, open, high: open + 2, low: open - 1, close: open + 1, volume: 500 };
};
const minute = (m: number): number => START + m * MIN;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe("LiveSession on AlpacaBarFeed (XNYS)", () => {
  it("survives the issue's faults plus corrections and duplicates; the store ends equal to Alpaca's truth", async () => {
    const clock = new FakeClock(START);
    const exchange = new FakeAlpaca({ clock });
    await exchange.start();
    const store = new MemoryBarStore();
    // The session so far (14:30-15:00) is stored: upkeep finds no gap before the live part.
    for (const [symbol, base] of [
      [A, 100],
      [B, 200],
    ] as const) {
      const bars: Bar[] = [];
      for (let t = OPEN; t < START; t += MIN) bars.push(barAt(t, base));
      await store.writeBars(symbol, bars, { provenance: "live" });
    }
    const feed = new AlpacaBarFeed({
      wsUrl: exchange.wsUrl,
      restUrl: exchange.restUrl,
      keyId: exchange.keyId,
      secretKey: exchange.secretKey,
      clock,
      heartbeatTimeoutMs: 30_000,
      reconnect: { initialMs: 1_000, maxMs: 8_000 },
      random: () => 0.5,
    });
    const sd = new SessionData({ calendar: xnysCalendar });
    const session = new LiveSession({
      feed,
      sessionData: sd,
      barStore: store,
      symbols: [A, B],
      clock,
      lateAfterMs: 5_000,
      upkeepInterval: 60_000,
    });
    cleanup = async () => {
      await session.stop();
      await exchange.stop();
    };
    const pass = async (ms: number): Promise<void> => {
      for (let left = ms; left > 0; left -= 5_000) {
        await clock.advance(Math.min(5_000, left));
        await exchange.heartbeat();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    /** To half a second after minute `m` closed. */
    const to = async (m: number): Promise<void> => {
      const target = minute(m) + MIN + 500;
      if (clock.now() < target) await pass(target - clock.now());
    };
    const emit = (m: number): void =>
      exchange.batch(() => {
        exchange.emitBar(A, barAt(minute(m)));
        exchange.emitBar(B, barAt(minute(m), 200));
      });

    await session.start();
    await eventually(() => exchange.subscribed().length === 2, "subscribed");
    await to(0);
    emit(0);
    exchange.emitRaw("{oops");
    exchange.emitInvalid(A, minute(0));
    exchange.emitBar("SPY", barAt(minute(0), 400), { force: true });
    // A bar of the previous session (Tuesday's last minute), resent by mistake.
    exchange.sendBar(A, barAt(Date.UTC(2024, 0, 2, 20, 59)));
    await to(1);
    emit(1);
    emit(1);
    await eventually(() => sd.getLatestBar(B)?.time === minute(1), "minute 1");
    // Alpaca recalculates minute 0 after a late trade: T:"u" replaces it.
    exchange.emitCorrection(A, { ...barAt(minute(0)), close: 100.25, volume: 777 });
    await eventually(() => sd.getLatestBar(A)?.time === minute(1), "minute 1 of A");
    // A stall; minute 2 closes meanwhile and only the backfill (500, 429, data) brings it.
    exchange.stall();
    // Reconnects are refused until minute 2 has closed: it can only come by the backfill.
    exchange.refuseConnections(true);
    await to(2);
    emit(2);
    exchange.scriptRest([500, 429]);
    exchange.refuseConnections(false);
    for (let i = 0; i < 30 && session.counts().reconnects === 0; i++) await pass(5_000);
    expect(session.counts().reconnects, "the stall noticed").toBe(1);
    for (let i = 0; i < 60 && feed.state !== "live"; i++) await pass(1_000);
    expect(feed.state, "live again").toBe("live");
    const m0 = Math.ceil((clock.now() - START) / MIN);
    await to(m0);
    // A flood: ten minutes of bars in one moment, nine of them ahead of the clock.
    for (let m = m0; m < m0 + 10; m++) emit(m);
    await pass(1_000);
    for (let m = m0 + 1; m < m0 + 10; m++) {
      await to(m);
      if (m % 3 === 0) emit(m);
    }
    await pass(3 * MIN);
    await session.stop();
    const end = minute(m0 + 10);
    for (const symbol of [A, B]) {
      const truth = exchange.truth(symbol).filter((b) => b.time >= START && b.time < end);
      expect(truth.length, `${symbol}: minutes 0-2 and the flood`).toBeGreaterThanOrEqual(3 + 4);
      expect(await store.readBars(symbol, START, end), `${symbol}: store == truth`).toEqual(truth);
      expect(sd.getBarsSince(symbol, START).filter((b) => b.time < end)).toEqual(truth);
    }
    expect(sd.getBarsSince(A, START)[0]?.close, "the correction won").toBe(100.25);
    const provenance: string[] = [];
    for await (const chunk of store.scan({ symbols: [A], from: minute(0), to: minute(3) })) {
      for (let i = 0; i < chunk.length; i++) {
        provenance.push(provenanceOfCode(chunk.provenance[i]!) ?? "?");
      }
    }
    expect(provenance, "minute 0 corrected, 1 live, 2 refilled").toEqual([
      "corrected",
      "live",
      "refilled",
    ]);
    const { rejected, corrected, reconnects } = session.counts();
    expect(rejected.malformed, `rejected: ${JSON.stringify(rejected)}`).toBe(1);
    expect(rejected["invalid-bar"]).toBe(1);
    expect(rejected.unsubscribed).toBe(1);
    expect(rejected["previous-session"]).toBe(1);
    expect(rejected.backfill, "the 500 and the 429").toBe(2);
    expect(corrected).toBe(1);
    expect(reconnects).toBe(1);
    expect(feed.stats.duplicates, "minute 1 sent twice").toBeGreaterThanOrEqual(2);
  });
});
