import type { TradingCalendar } from "../../calendar/trading-calendar.js";
import { type Bar, MINUTE_MS } from "../../domain/bar.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import type { WallClock } from "../../domain/wall-clock.js";
import type { BarStore } from "../../history/bar-store.js";
import { BinanceKlineFeed } from "../binance/binance-kline-feed.js";
import { FakeBinance } from "../binance/fake-binance.js";
import { ScaledClock } from "./scaled-clock.js";

/** Options of {@link startSimFeed}. */
export interface SimFeedOptions {
  /** Where the replayed day comes from. */
  readonly barStore: BarStore;
  readonly symbols: readonly string[];
  /** Whose sessions are replayed. */
  readonly calendar: TradingCalendar;
  /** The session date to replay (`YYYY-MM-DD`); the latest one the store holds for `symbols` by default. */
  readonly date?: string;
  /** Session minutes per real minute (default 60: a minute a second). */
  readonly speed?: number;
  /** The real clock under the scaled one (tests). */
  readonly baseClock?: WallClock;
}

/** A running sim: the feed to hand a `LiveSession`, the clock they share, and the exchange. */
export interface SimFeed {
  /** A `BinanceKlineFeed` named `"sim"` on the local exchange. */
  readonly feed: BinanceKlineFeed;
  /** The session's clock: starts at the replayed day's open, runs `speed`× real time. */
  readonly clock: ScaledClock;
  readonly exchange: FakeBinance;
  /** The replayed session date. */
  readonly date: string;
  /** Bars the exchange has published so far. */
  readonly published: () => number;
  /** Stops the pump and the exchange (close the feed first). */
  close(): Promise<void>;
}

/**
 * The feed that needs no account: a local WebSocket + REST server speaking Binance's format
 * ({@link FakeBinance}), fed from the store at `speed`× real time. Each stored bar of the day is
 * published as a closed kline when its minute closes on the scaled clock, and becomes the REST
 * history the backfill reads, so reconnects, late bars and repairs take the real code path.
 *
 * @example
 * ```ts
 * const sim = await startSimFeed({ barStore, symbols: ["AAPL"], calendar: xnysCalendar, speed: 60 });
 * const session = new LiveSession({ feed: sim.feed, clock: sim.clock, sessionData, barStore, symbols: ["AAPL"] });
 * await session.start();
 * ```
 */
export async function startSimFeed(options: SimFeedOptions): Promise<SimFeed> {
  const speed = options.speed ?? 60;
  const { calendar, barStore } = options;
  const symbols = options.symbols.map((s) => s.toUpperCase());
  const date = options.date ?? (await latestSession(barStore, symbols, calendar));
  const session = date === undefined ? undefined : calendar.session(date);
  if (date === undefined || session === undefined) {
    throw new InvalidArgumentError(
      `no session to replay: ${date === undefined ? `the store holds no bars for ${symbols.join(", ")}` : `${date} is not a session of ${calendar.name}`}`,
    );
  }
  // Minute open time -> the bars of that minute, every symbol, read once up front.
  const byMinute = new Map<number, { symbol: string; bar: Bar }[]>();
  for await (const chunk of barStore.scan({ symbols, from: session.open, to: session.close })) {
    for (let i = 0; i < chunk.length; i++) {
      const time = chunk.time[i]!;
      let list = byMinute.get(time);
      if (list === undefined) byMinute.set(time, (list = []));
      list.push({
        symbol: chunk.symbol[i]!,
        bar: {
          time,
          open: chunk.open[i]!,
          high: chunk.high[i]!,
          low: chunk.low[i]!,
          close: chunk.close[i]!,
          volume: chunk.volume[i]!,
        },
      });
    }
  }
  const clock = new ScaledClock(session.open, speed, options.baseClock);
  // Heartbeats at least a few real seconds apart, whatever the speed, so a busy machine is not a stall.
  const heartbeatTimeoutMs = Math.max(60_000, speed * 5_000);
  const exchange = new FakeBinance({
    clock,
    symbols,
    pingIntervalMs: Math.round(heartbeatTimeoutMs / 3),
    maxConnectionAgeMs: 86_400_000,
  });
  await exchange.start();
  let published = 0;
  let next = session.open;
  let cancel: (() => void) | undefined;
  const pump = (): void => {
    const now = clock.now();
    while (next + MINUTE_MS <= now && next < session.close) {
      for (const { symbol, bar } of byMinute.get(next) ?? []) {
        exchange.emitBar(symbol, bar);
        published++;
      }
      next += MINUTE_MS;
    }
    if (next < session.close) {
      cancel = clock.schedule(pump, Math.max(1, next + MINUTE_MS - clock.now()), { unref: true });
    }
  };
  pump();
  const feed = new BinanceKlineFeed({
    name: "sim",
    wsUrl: exchange.wsUrl,
    restUrl: exchange.restUrl,
    clock,
    heartbeatTimeoutMs,
    reconnect: {
      initialMs: Math.min(30_000, 250 * speed),
      maxMs: Math.min(600_000, 5_000 * speed),
    },
  });
  return {
    feed,
    clock,
    exchange,
    date,
    published: () => published,
    async close() {
      cancel?.();
      await exchange.stop();
    },
  };
}

async function latestSession(
  store: BarStore,
  symbols: readonly string[],
  calendar: TradingCalendar,
): Promise<string | undefined> {
  let last = Number.NEGATIVE_INFINITY;
  for (const symbol of symbols) {
    const c = await store.coverage(symbol);
    if (c !== undefined && c.last > last) last = c.last;
  }
  return Number.isFinite(last) ? calendar.sessionDateOf(last) : undefined;
}
