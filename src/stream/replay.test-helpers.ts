/** Fixtures for the stream layer's tests: small deterministic bar sets in a MemoryBarStore. */
import type { TradingCalendar } from "../calendar/trading-calendar.js";
import type { Bar } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";

const M = 60_000;

/** A valid bar at `time` whose prices derive from `seed`. */
export function fixtureBar(time: number, seed: number): Bar {
  const open = 100 + (seed % 23) * 0.25;
  const close = open + ((seed % 7) - 3) * 0.125;
  return {
    time,
    open,
    high: Math.max(open, close) + 0.5,
    low: Math.min(open, close) - 0.5,
    close,
    volume: 100 + (seed % 97),
  };
}

/** What {@link fixtureStore} wrote. */
export interface Fixture {
  readonly store: MemoryBarStore;
  /** Bars written per symbol, in time order. */
  readonly bars: ReadonlyMap<string, Bar[]>;
}

/**
 * A store holding, for each symbol and session, one bar per minute of `[open, open + minutes)`
 * plus `extended` bars before the open and after the close (pre- and post-market). Symbol `k`
 * skips every minute `m` with `(m + k) % skipEvery === 0` when `skipEvery` is set, so slices
 * hold different symbol sets.
 */
export async function fixtureStore(
  calendar: TradingCalendar,
  options: {
    symbols: readonly string[];
    dates: readonly string[];
    minutes: number;
    extended?: number;
    skipEvery?: number;
  },
): Promise<Fixture> {
  const store = new MemoryBarStore();
  const bars = new Map<string, Bar[]>();
  const extended = options.extended ?? 0;
  options.symbols.forEach((symbol, k) => {
    const list: Bar[] = [];
    for (const date of options.dates) {
      const s = calendar.session(date)!;
      for (let m = -extended; m < options.minutes; m++) {
        if (options.skipEvery !== undefined && (m + k) % options.skipEvery === 0) continue;
        list.push(fixtureBar(s.open + m * M, m * 31 + k * 7 + list.length));
      }
      for (let m = 0; m < extended; m++) {
        list.push(fixtureBar(s.close + m * M, m * 13 + k));
      }
    }
    bars.set(symbol, list);
  });
  for (const [symbol, list] of bars) await store.writeBars(symbol, list);
  return { store, bars };
}
