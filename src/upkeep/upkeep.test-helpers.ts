/** Fixtures of the upkeep layer's tests (not exported from the package). */
import { xnysCalendar } from "../calendar/xnys.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { SessionData } from "../store/public.js";

/** A Monday XNYS session (EST): 14:30–21:00 UTC. */
export const DATE = "2024-01-08";
export const SESSION = xnysCalendar.session(DATE)!;
export const OPEN = SESSION.open;

/** The open time of minute `m` of the session (0 = the open). */
export const min = (m: number): number => OPEN + m * MINUTE_MS;

/** A valid bar whose prices derive from its time and symbol index. */
export function barAt(time: number, k = 0): Bar {
  const m = Math.round(time / MINUTE_MS);
  const open = 100 + ((m * 7 + k * 13) % 41) * 0.25;
  const close = open + (((m + k) % 5) - 2) * 0.125;
  return {
    time,
    open,
    high: Math.max(open, close) + 0.25,
    low: Math.min(open, close) - 0.25,
    close,
    volume: 100 + ((m + k) % 89),
  };
}

/**
 * A source holding every minute `[0, minutes)` of the session for each symbol (except the
 * `sourceLacks` minutes), and a store fed the same bars except the `holes` minutes.
 */
export async function holeyFixture(options: {
  symbols: readonly string[];
  minutes: number;
  holes?: Readonly<Record<string, readonly number[]>>;
  sourceLacks?: Readonly<Record<string, readonly number[]>>;
}): Promise<{ sd: SessionData; source: MemoryBarStore; bars: Map<string, Bar[]> }> {
  const sd = new SessionData({ calendar: xnysCalendar });
  const source = new MemoryBarStore();
  const bars = new Map<string, Bar[]>();
  sd.startSession(DATE);
  for (const [k, symbol] of options.symbols.entries()) {
    const all: Bar[] = [];
    for (let m = 0; m < options.minutes; m++) all.push(barAt(min(m), k));
    bars.set(symbol, all);
    const lacks = new Set(options.sourceLacks?.[symbol] ?? []);
    await source.writeBars(
      symbol,
      all.filter((_, m) => !lacks.has(m)),
    );
    const holes = new Set(options.holes?.[symbol] ?? []);
    for (let m = 0; m < options.minutes; m++) if (!holes.has(m)) sd.addBar(symbol, all[m]!);
  }
  sd.advanceClock(min(options.minutes));
  return { sd, source, bars };
}
