/**
 * `npm run bench -- live`: the live path against a local fake Binance (same process, loopback).
 * - Wire to `getLatestBar`: from the fake exchange's `send` of a closed kline to the bar being
 *   readable in `SessionData` (a bar hook fires after the store holds it), through
 *   `BinanceKlineFeed` and `LiveSession` (dedupe, validation, addBar, the persister's queue),
 *   at 1,000 symbols ticking once a minute (messages spread out) and at a burst of all 1,000 at
 *   once; beside the `ws` library's bare parse-and-callback (a plain `ws` client that
 *   `JSON.parse`s each message and calls back) over the same server in the same run. Goal: p99
 *   <= 1 ms.
 * - A 30 s disconnect at 1,000 symbols on a fake clock spanning a minute's close: the missed
 *   bars, how many were refilled, the real time the backfill took, and the clock time from the
 *   reconnect to every missed bar present (goal: within one upkeep interval, 60 s).
 * - Memory per live symbol after a full session (390 minutes, 1,000 symbols, through the feed),
 *   beside the bars' raw size (6 float64 per bar).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import WebSocket from "ws";
import { alwaysOpenCalendar } from "../src/calendar/utc-day-calendar.js";
import { type Bar, MINUTE_MS } from "../src/domain/bar.js";
import { systemClock } from "../src/domain/wall-clock.js";
import { MemoryBarStore } from "../src/history/memory-bar-store.js";
import { klineStream } from "../src/live/binance/binance-format.js";
import { BinanceKlineFeed } from "../src/live/binance/binance-kline-feed.js";
import { FakeBinance } from "../src/live/binance/fake-binance.js";
import { SessionData } from "../src/store/session-data.js";
import { LiveSession } from "../src/system/live-session.js";
import { FakeClock } from "../test/fake-clock.js";

const SYMBOLS = Array.from({ length: 1_000 }, (_, i) => `S${String(i).padStart(4, "0")}USDT`);

function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing !== undefined) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const barAt = (time: number, i: number): Bar => {
  const open = 100 + (i % 50) + ((time / MINUTE_MS) % 7);
  return { time, open, high: open + 1, low: open - 1, close: open + 0.5, volume: 10 };
};

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function fmt(samples: number[]): string {
  samples.sort((a, b) => a - b);
  return `p50 ${(pct(samples, 50) * 1000).toFixed(0).padStart(4)} µs   p99 ${(pct(samples, 99) * 1000).toFixed(0).padStart(5)} µs   max ${(samples.at(-1)! * 1000).toFixed(0).padStart(6)} µs`;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The fake exchange in a worker; `round` publishes one bar per symbol and resolves when sent. */
async function startWorkerExchange() {
  const sent = new SharedArrayBuffer(8 * SYMBOLS.length * 64);
  const worker = new Worker(new URL("./live-exchange.worker.mjs", import.meta.url), {
    workerData: { symbols: SYMBOLS, sent },
  });
  const next = (): Promise<unknown> => new Promise((r) => worker.once("message", r));
  const urls = (await next()) as { wsUrl: string; restUrl: string };
  return {
    ...urls,
    sentAt: new Float64Array(sent),
    async round(minute: number, slot: number, spread: boolean, truth = false): Promise<void> {
      worker.postMessage({ cmd: "round", minute, slot, spread, truth });
      await next();
    },
    async subscribed(): Promise<void> {
      worker.postMessage({ cmd: "subscribed" });
      await next();
    },
    async stop(): Promise<void> {
      worker.postMessage({ cmd: "stop" });
      await new Promise((r) => worker.once("exit", r));
    },
  };
}

const nowAbs = (): number => performance.timeOrigin + performance.now();

/**
 * The instant (`nowAbs`) the `ws` library delivered the message being handled: `emit("message")`
 * is patched to note it, so "arrival" is the same point for the bare client and for the feed.
 */
let arrivedAt = 0;
const wsEmit = WebSocket.prototype.emit;
WebSocket.prototype.emit = function (this: WebSocket, event: string | symbol, ...args: unknown[]) {
  if (event === "message") arrivedAt = nowAbs();
  return wsEmit.call(this, event, ...args);
} as typeof wsEmit;

interface Samples {
  /** Arrival of the WebSocket message -> callback / readable. */
  readonly arrival: number[];
  /** Send in the worker -> callback / readable (transport and queueing included). */
  readonly wire: number[];
}
const samples = (): Samples => ({ arrival: [], wire: [] });

async function wireLatency(): Promise<void> {
  const now = Date.now();
  // Bars of minutes already closed (the session refuses bars ahead of the clock).
  const first = Math.floor(now / MINUTE_MS) * MINUTE_MS - 40 * MINUTE_MS;
  const exchange = await startWorkerExchange();
  const index = new Map(SYMBOLS.map((s, i) => [s, i]));
  const ROUNDS = 3;
  try {
    // Baseline: a bare ws client subscribed to the same streams.
    const baseline = { spread: samples(), burst: samples() };
    {
      let into: Samples = baseline.spread;
      let slot = 0;
      let arrived = 0;
      const ws = new WebSocket(`${exchange.wsUrl}/stream`, { perMessageDeflate: false });
      await new Promise((r) => ws.once("open", r));
      ws.on("message", (data) => {
        const m = JSON.parse(String(data));
        if (m.data === undefined) return;
        const at = nowAbs();
        into.arrival.push(at - arrivedAt);
        into.wire.push(at - exchange.sentAt[slot * SYMBOLS.length + index.get(m.data.s)!]!);
        arrived++;
      });
      ws.send(JSON.stringify({ method: "SUBSCRIBE", params: SYMBOLS.map(klineStream), id: 1 }));
      await exchange.subscribed();
      for (let r = 0; r < 2 * ROUNDS; r++) {
        if (r === ROUNDS) into = baseline.burst;
        slot = r;
        await exchange.round(first + r * MINUTE_MS, r, r < ROUNDS);
        while (arrived < (r + 1) * SYMBOLS.length) await pause(1);
      }
      ws.close();
      await pause(50);
    }
    // Ours: BinanceKlineFeed -> LiveSession -> SessionData, timed at the store's bar hook.
    const ours = { spread: samples(), burst: samples() };
    {
      let into: Samples = ours.spread;
      let slot = 0;
      let arrived = 0;
      const sd = new SessionData({ calendar: alwaysOpenCalendar });
      const feed = new BinanceKlineFeed({ wsUrl: exchange.wsUrl, restUrl: exchange.restUrl });
      const session = new LiveSession({
        feed,
        sessionData: sd,
        barStore: new MemoryBarStore(),
        symbols: SYMBOLS,
      });
      sd.subscribeBars({
        onBar(sym, time) {
          if (sd.getLatestBar(sym.symbol)?.time !== time) return;
          const at = nowAbs();
          into.arrival.push(at - arrivedAt);
          into.wire.push(at - exchange.sentAt[slot * SYMBOLS.length + index.get(sym.symbol)!]!);
          arrived++;
        },
      });
      await session.start();
      await exchange.subscribed();
      for (let r = 0; r < 2 * ROUNDS; r++) {
        if (r === ROUNDS) into = ours.burst;
        slot = 10 + r;
        await exchange.round(first + (10 + r) * MINUTE_MS, 10 + r, r < ROUNDS);
        while (arrived < (r + 1) * SYMBOLS.length) await pause(1);
      }
      await session.stop();
    }
    console.log(
      `1,000 symbols, ${ROUNDS} rounds each; exchange in a worker thread; loopback. Arrival = the ws library's "message" event:`,
    );
    const row = (label: string, base: number[], mine: number[]): void => {
      console.log(`  ${label.padEnd(34)} ws bare parse+callback  ${fmt(base)}`);
      console.log(`  ${"".padEnd(34)} sessiondata live        ${fmt(mine)}`);
    };
    row("arrival -> readable, spread", baseline.spread.arrival, ours.spread.arrival);
    row("arrival -> readable, burst", baseline.burst.arrival, ours.burst.arrival);
    row("send -> readable, spread", baseline.spread.wire, ours.spread.wire);
    row("send -> readable, burst (queueing)", baseline.burst.wire, ours.burst.wire);
    console.log(
      `  goal: arrival -> readable p99 <= 1 ms: spread ${(pct(ours.spread.arrival, 99) * 1000).toFixed(0)} µs, burst ${(pct(ours.burst.arrival, 99) * 1000).toFixed(0)} µs`,
    );
  } finally {
    await exchange.stop();
  }
}

async function disconnect(): Promise<void> {
  const start = Date.UTC(2024, 0, 3, 10, 0);
  const clock = new FakeClock(start + 20_000);
  const exchange = new FakeBinance({ clock });
  await exchange.start();
  const sd = new SessionData({ calendar: alwaysOpenCalendar });
  const feed = new BinanceKlineFeed({
    wsUrl: exchange.wsUrl,
    restUrl: exchange.restUrl,
    clock,
    reconnect: { initialMs: 1_000, maxMs: 8_000 },
    random: () => 0.5,
  });
  const session = new LiveSession({ feed, sessionData: sd, symbols: SYMBOLS, clock });
  try {
    await session.start();
    const emit = (m: number): void => {
      for (let i = 0; i < SYMBOLS.length; i++)
        exchange.emitBar(SYMBOLS[i]!, barAt(start + m * MINUTE_MS, i));
    };
    const step = async (ms: number): Promise<void> => {
      for (let left = ms; left > 0; left -= 5_000) {
        await clock.advance(Math.min(5_000, left));
        await exchange.heartbeat();
      }
    };
    // Minutes 0-2 live.
    for (let m = 0; m < 3; m++) {
      await step(start + (m + 1) * MINUTE_MS + 200 - clock.now());
      emit(m);
      while (sd.getLatestBar(SYMBOLS.at(-1)!)?.time !== start + m * MINUTE_MS) await pause(1);
    }
    // Down from 10:03:45 to 10:04:15: minute 3 closes while away.
    await step(start + 3 * MINUTE_MS + 45_000 - clock.now());
    exchange.refuseConnections(true);
    exchange.dropConnections();
    while (feed.state === "live") await pause(1);
    await step(15_000);
    emit(3);
    await step(15_000);
    exchange.refuseConnections(false);
    const connections = exchange.connections;
    const clockAt = clock.now();
    const missing = (): number =>
      SYMBOLS.filter((s) => sd.getLatestBar(s)?.time !== start + 3 * MINUTE_MS).length;
    // The clock moves only until the feed's backoff ends and it reconnects; the backfill then
    // runs in real time with the clock standing still, so its clock cost is what it waited.
    while (exchange.connections === connections && clock.now() - clockAt < 120_000) {
      await clock.advance(250);
      await pause(1);
    }
    const realAt = performance.now();
    while (missing() > 0 && performance.now() - realAt < 60_000) await pause(1);
    const realMs = performance.now() - realAt;
    const c = session.counts();
    console.log("30 s disconnect at 1,000 symbols (fake clock, minute 10:03 closes while away):");
    console.log(
      `  missed ${SYMBOLS.length} bars; refilled ${c.refilled}; still missing ${missing()}; the feed's backoff before reconnecting ${((clock.now() - clockAt) / 1000).toFixed(1)} s of clock, then the backfill ${realMs.toFixed(0)} ms real: complete ${((clock.now() - clockAt + realMs) / 1000).toFixed(1)} s after the exchange came back (goal <= 60 s, one upkeep interval) (${SYMBOLS.length} REST requests, 8 in flight)`,
    );
  } finally {
    await session.stop();
    await exchange.stop();
  }
}

async function memory(): Promise<void> {
  const gc = gcFunction();
  const exchange = await startWorkerExchange();
  const day = Date.UTC(2024, 0, 3);
  const minutes = 390;
  const clock = { now: () => day + (minutes + 1) * MINUTE_MS, schedule: systemClock.schedule };
  const sd = new SessionData({ calendar: alwaysOpenCalendar });
  const feed = new BinanceKlineFeed({ wsUrl: exchange.wsUrl, restUrl: exchange.restUrl, clock });
  const session = new LiveSession({ feed, sessionData: sd, symbols: SYMBOLS, clock });
  try {
    gc();
    await pause(20);
    gc();
    const before = process.memoryUsage();
    await session.start();
    await exchange.subscribed();
    let arrived = 0;
    const off = sd.subscribeBars({ onBar: () => void arrived++ });
    for (let m = 0; m < minutes; m++) {
      await exchange.round(day + m * MINUTE_MS, 0, false);
    }
    while (arrived < minutes * SYMBOLS.length) await pause(2);
    off();
    gc();
    await pause(20);
    gc();
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    const perSymbol = grown / SYMBOLS.length;
    const raw = minutes * 6 * 8;
    // The same bars straight into a SessionData: the store's own share.
    await session.stop();
    gc();
    const base0 = process.memoryUsage();
    const bare = new SessionData({ calendar: alwaysOpenCalendar });
    for (let m = 0; m < minutes; m++) {
      const t = day + m * MINUTE_MS;
      for (let i = 0; i < SYMBOLS.length; i++) bare.addBar(SYMBOLS[i]!, barAt(t, i));
    }
    gc();
    const base1 = process.memoryUsage();
    const storeOnly =
      (base1.heapUsed + base1.arrayBuffers - (base0.heapUsed + base0.arrayBuffers)) /
      SYMBOLS.length;
    console.log(
      `memory per live symbol after ${minutes} minutes (1,000 symbols, via the feed; the exchange in its own thread): ${(perSymbol / 1024).toFixed(1)} KiB (heap + array buffers); SessionData alone with the same bars (addBar directly) ${(storeOnly / 1024).toFixed(1)} KiB; the bars' raw size ${(raw / 1024).toFixed(1)} KiB (6 float64 x ${minutes})`,
    );
    if (bare.getBarCount(SYMBOLS[0]!) !== minutes) throw new Error("the bare store lost bars");
  } finally {
    await session.stop();
    await exchange.stop();
  }
}

export async function run(): Promise<void> {
  await memory();
  await wireLatency();
  await disconnect();
}
