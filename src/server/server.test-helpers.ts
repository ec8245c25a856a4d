/**
 * A small, deterministic data set for the server's tests and benchmark: a random walk per symbol
 * over XNYS sessions in a MemoryBarStore, with optional holes (minutes the store lacks, which
 * upkeep reports as unfillable gaps).
 */
import { xnysCalendar } from "../calendar/public.js";
import type { Bar } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";

/** Minutes to leave out of the store: `[symbol, first minute index of the session, count]`. */
export type Hole = readonly [symbol: string, fromMinute: number, count: number];

/** A MemoryBarStore with `symbols` random walks over the XNYS sessions `from`..`to`. */
export async function sampleStore(options: {
  readonly symbols: readonly string[];
  readonly from: string;
  readonly to: string;
  /** Regular-session minutes per session to fill (default all 390). */
  readonly minutes?: number;
  readonly holes?: readonly Hole[];
}): Promise<MemoryBarStore> {
  const store = new MemoryBarStore();
  const dates = xnysCalendar.sessionsBetween(options.from, options.to);
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (const [k, symbol] of options.symbols.entries()) {
    const bars: Bar[] = [];
    let price = 50 + k * 7;
    for (const date of dates) {
      const s = xnysCalendar.session(date)!;
      const total = Math.min(options.minutes ?? 390, (s.close - s.open) / 60_000);
      for (let m = 0; m < total; m++) {
        const hole = options.holes?.some(([hs, at, n]) => hs === symbol && m >= at && m < at + n);
        const open = price;
        price = Math.max(1, price * (1 + (random() - 0.5) * 0.004));
        const close = price;
        if (hole) continue;
        bars.push({
          time: s.open + m * 60_000,
          open,
          high: Math.max(open, close) * 1.001,
          low: Math.min(open, close) * 0.999,
          close,
          volume: Math.round(1000 + random() * 9000),
        });
      }
    }
    await store.writeBars(symbol, bars);
  }
  return store;
}
