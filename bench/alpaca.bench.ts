/**
 * `npm run bench -- alpaca` (loopback only, a few seconds):
 * - Wire to callback at 1,000 symbols: FakeAlpaca sends one minute of bars for 1,000 symbols,
 *   once as one batched frame (Alpaca's way) and once as 1,000 one-bar frames back to back (a
 *   burst); the time from the frame's arrival (ws's `message` event) to each bar reaching the
 *   listener, p50 and p99, through
 *   `AlpacaBarFeed` (alone, and with `SessionData.addBar` in the listener: wire to readable),
 *   beside a bare `ws` client on the same server doing `JSON.parse` and a callback per element.
 * - A 30-minute disconnect at 1,000 symbols: the real time from the reconnect attempt to `live`
 *   again with all 30,000 missed bars refilled (multi-symbol `GET /v2/stocks/bars`), beside the
 *   same 30,000 bars read one symbol a request.
 */
import WebSocket from "ws";
import { alwaysOpenCalendar } from "../src/calendar/utc-day-calendar.js";
import { type Bar, MINUTE_MS } from "../src/domain/bar.js";
import { utcDateOf } from "../src/domain/time.js";
import { systemClock } from "../src/domain/wall-clock.js";
import { AlpacaBarFeed } from "../src/live/alpaca/alpaca-bar-feed.js";
import { AlpacaBarsRest } from "../src/live/alpaca/alpaca-rest.js";
import { FakeAlpaca } from "../src/live/alpaca/fake-alpaca.js";
import { SessionData } from "../src/store/public.js";
import { FakeClock } from "../test/fake-clock.js";

const N = 1_000;
const ROUNDS = 20;
const symbols = Array.from({ length: N }, (_, i) => `S${String(i).padStart(4, "0")}`);

const bar = (time: number, k: number): Bar => {
  const open = 100 + (k % 50);
  return { time, open, high: open + 1, low: open - 1, close: open + 0.5, volume: 100 + k };
};

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const until = async (predicate: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 30_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
};

type Sink = { count: number; lat: number[]; t0: number };

/**
 * When the latest WebSocket message reached a client (`performance.now()`): `ws` emits each
 * frame as a `message` event, so wrapping `emit` stamps the arrival for the feed and the bare
 * client alike, before either parses a byte.
 */
let arrivedAt = 0;
const emit = WebSocket.prototype.emit;
WebSocket.prototype.emit = function (this: WebSocket, event: string | symbol, ...args: unknown[]) {
  if (event === "message") arrivedAt = performance.now();
  return emit.call(this, event, ...args);
} as typeof emit;

/** Sends ROUNDS minutes of 1,000 bars, batched or one frame each, and waits for each to land. */
async function drive(
  exchange: FakeAlpaca,
  sink: Sink,
  batched: boolean,
  first: number,
): Promise<void> {
  for (let r = 0; r < ROUNDS; r++) {
    const time = first + r * MINUTE_MS;
    const target = sink.count + N;
    sink.t0 = performance.now();
    const send = (): void => {
      for (let k = 0; k < N; k++) exchange.emitBar(symbols[k]!, bar(time, k));
    };
    if (batched) exchange.batch(send);
    else send();
    await until(() => sink.count >= target, `round ${r}`);
  }
}

async function baseline(exchange: FakeAlpaca, batched: boolean, first: number): Promise<Sink> {
  const sink: Sink = { count: 0, lat: [], t0: 0 };
  const ws = new WebSocket(`${exchange.wsUrl}/v2/iex`, { perMessageDeflate: false });
  let step = 0;
  const onBar = (_s: string, _o: number): void => {
    sink.count++;
    sink.lat.push(performance.now() - arrivedAt);
  };
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data)) as Record<string, unknown>[];
    for (const m of msg) {
      if (m.T === "b") onBar(m.S as string, m.o as number);
      else if (m.T === "success" || m.T === "subscription") step++;
    }
  });
  await until(() => step === 1, "baseline connected");
  ws.send(JSON.stringify({ action: "auth", key: exchange.keyId, secret: exchange.secretKey }));
  await until(() => step === 2, "baseline authenticated");
  ws.send(JSON.stringify({ action: "subscribe", bars: symbols }));
  await until(() => step === 3, "baseline subscribed");
  await drive(exchange, sink, batched, first);
  ws.close();
  await until(() => exchange.openConnections === 0, "baseline closed");
  return sink;
}

async function ours(
  exchange: FakeAlpaca,
  batched: boolean,
  first: number,
  sd: SessionData | undefined,
): Promise<Sink> {
  const sink: Sink = { count: 0, lat: [], t0: 0 };
  const feed = new AlpacaBarFeed({
    wsUrl: exchange.wsUrl,
    restUrl: exchange.restUrl,
    keyId: exchange.keyId,
    secretKey: exchange.secretKey,
  });
  feed.on("bar", (symbol, b, provenance) => {
    sd?.addBar(symbol, b, provenance);
    sink.count++;
    sink.lat.push(performance.now() - arrivedAt);
  });
  await feed.connect();
  await feed.subscribe(symbols);
  // A symbol's first bar allocates its columns: that is start-up, not the steady state measured.
  for (let k = 0; k < N; k++) sd?.addBar(symbols[k]!, bar(first - MINUTE_MS, k));
  await drive(exchange, sink, batched, first);
  await feed.close();
  await until(() => exchange.openConnections === 0, "feed closed");
  return sink;
}

async function wire(): Promise<void> {
  const exchange = new FakeAlpaca({ clock: systemClock });
  await exchange.start();
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  let minute = today + MINUTE_MS;
  const next = (): number => {
    const t = minute;
    minute += ROUNDS * MINUTE_MS;
    return t;
  };
  console.log(
    `wire to listener, ${N} symbols, ${ROUNDS} minutes each (ms from the frame's arrival to the listener)`,
  );
  console.log("mode      path                           p50      p99      per-bar(mean)");
  for (const batched of [true, false]) {
    // Warm both paths once (JIT), then measure.
    await baseline(exchange, batched, next());
    const base = await baseline(exchange, batched, next());
    await ours(exchange, batched, next(), undefined);
    const feedOnly = await ours(exchange, batched, next(), undefined);
    const sd = new SessionData({ calendar: alwaysOpenCalendar, historySessions: 0 });
    sd.startSession(utcDateOf(today));
    const withStore = await ours(exchange, batched, next(), sd);
    const mode = batched ? "batched" : "burst  ";
    for (const [name, s] of [
      ["bare ws parse+callback (base)", base],
      ["AlpacaBarFeed", feedOnly],
      ["AlpacaBarFeed + addBar", withStore],
    ] as const) {
      const mean = s.lat.reduce((a, b) => a + b, 0) / s.lat.length;
      console.log(
        `${mode}   ${name.padEnd(30)} ${pct(s.lat, 50).toFixed(3).padStart(7)}  ${pct(s.lat, 99).toFixed(3).padStart(7)}  ${mean.toFixed(3).padStart(7)}   (x${(pct(s.lat, 99) / pct(base.lat, 99)).toFixed(2)} p99 vs base)`,
      );
    }
  }
  await exchange.stop();
}

async function disconnect(): Promise<void> {
  const MISSED = 30;
  const clock = new FakeClock(Date.UTC(2024, 0, 2, 15, 0, 30));
  const exchange = new FakeAlpaca({ clock });
  await exchange.start();
  const feed = new AlpacaBarFeed({
    wsUrl: exchange.wsUrl,
    restUrl: exchange.restUrl,
    keyId: exchange.keyId,
    secretKey: exchange.secretKey,
    clock,
    reconnect: { initialMs: 1_000, maxMs: 8_000 },
    heartbeatTimeoutMs: 3_600_000,
    pingIntervalMs: 1_800_000,
  });
  let refilled = 0;
  feed.on("bar", (_s, _b, p) => {
    if (p === "refilled") refilled++;
  });
  await feed.connect();
  await feed.subscribe(symbols);
  exchange.refuseConnections(true);
  exchange.dropConnections();
  await until(() => feed.state === "reconnecting", "the drop noticed");
  const t0 = Date.UTC(2024, 0, 2, 15, 0);
  for (let m = 0; m < MISSED; m++) {
    for (let k = 0; k < N; k++) exchange.emitBar(symbols[k]!, bar(t0 + m * MINUTE_MS, k));
  }
  // The clock moves 30 minutes on while the exchange refuses; then it accepts.
  for (let i = 0; i < MISSED * 6; i++) await clock.advance(10_000);
  exchange.refuseConnections(false);
  const rest0 = exchange.restRequests;
  const start = performance.now();
  await clock.advance(10_000);
  await until(() => feed.state === "live", "live again");
  const ms = performance.now() - start;
  const requests = exchange.restRequests - rest0;
  await feed.close();

  const rest = new AlpacaBarsRest({
    restUrl: exchange.restUrl,
    keyId: exchange.keyId,
    secretKey: exchange.secretKey,
    feed: "iex",
    clock,
  });
  const b0 = performance.now();
  let one = 0;
  for (const s of symbols) one += (await rest.readBars(s, t0, t0 + MISSED * MINUTE_MS)).length;
  const baseMs = performance.now() - b0;
  console.log(`\n${MISSED}-minute disconnect at ${N} symbols (${N * MISSED} bars missed)`);
  console.log(
    `  reconnect + backfill to live: ${ms.toFixed(0)} ms, ${refilled} bars refilled, ${requests} REST requests`,
  );
  console.log(
    `  baseline, one symbol a request: ${baseMs.toFixed(0)} ms, ${one} bars, ${N} requests (x${(baseMs / ms).toFixed(1)} slower)`,
  );
  await exchange.stop();
}

/** Runs both figures. */
export async function run(): Promise<void> {
  await wire();
  await disconnect();
}
