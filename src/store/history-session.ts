import { DerivedTimeframe, type RegularHours, TIMEFRAME_WIDTHS } from "./aggregation.js";
import type { BarColumns } from "./bar-columns.js";
import type { SessionMetrics } from "./metrics.js";

/**
 * One buffer (`spare` when big enough, else a new one) for runs of bars of capacities `caps`,
 * and where each run starts in it.
 */
export function carve(
  caps: readonly number[],
  spare?: Float64Array,
): { root: Float64Array; bases: number[] } {
  const bases: number[] = [];
  let at = 0;
  for (const cap of caps) {
    bases.push(at);
    at += 6 * cap;
  }
  // A reused buffer needs no clearing: slots past a run's length are never read.
  const root = spare !== undefined && spare.length >= at ? spare : new Float64Array(at);
  return { root, bases };
}

/**
 * A finished session of one symbol, kept for warm-up reads: its 1-minute bars trimmed to size,
 * its metrics, and the 5m/15m/30m/1h bars derived from them on the first read that asks (most
 * history is only ever read at 1m, by indicator warm-ups, or not at all: folding every session
 * at its roll cost a replay more than its reads ever did).
 */
export class HistorySession {
  readonly date: string;
  /** The session's 1-minute bars, exactly as many as it held. */
  readonly m1: BarColumns;
  readonly metrics: SessionMetrics;
  /** The session's regular hours, what its higher timeframes are cut by. */
  readonly #hours: RegularHours;
  /** 5m, 15m, 30m, 1h, once read. */
  #derived: DerivedTimeframe[] | undefined = undefined;

  /**
   * Takes a trimmed copy of `m1` (into `spare`, a dropped history session's buffer, when it fits
   * without wasting more than half of it) and a snapshot of `hours`.
   */
  constructor(
    date: string,
    m1: BarColumns,
    hours: RegularHours,
    metrics: SessionMetrics,
    spare?: Float64Array,
  ) {
    this.date = date;
    const need = 6 * m1.length;
    const fits = spare !== undefined && spare.length <= 2 * need;
    const { root } = carve([m1.length], fits ? spare : undefined);
    this.m1 = m1.trimmed(root, 0);
    const { open, close, breakStart, breakEnd } = hours;
    this.#hours = { open, close, breakStart, breakEnd };
    this.metrics = metrics;
  }

  /**
   * The bars of timeframe index `k` (0 = 1m … 4 = 1h). The higher ones are folded from the
   * 1-minute bars in time order, the arithmetic the live session uses, so they are bit-identical
   * to what an eager fold at the roll kept.
   */
  columns(k: number): BarColumns {
    if (k === 0) return this.m1;
    this.#derived ??= this.#fold();
    return this.#derived[k - 1]!;
  }

  #fold(): DerivedTimeframe[] {
    const hours = this.#hours;
    const caps = [1, 2, 3, 4].map((k) =>
      Math.max(1, DerivedTimeframe.bucketCount(TIMEFRAME_WIDTHS[k]!, hours)),
    );
    const { root, bases } = carve(caps);
    const m1 = this.m1;
    return [1, 2, 3, 4].map((k) => {
      const d = new DerivedTimeframe(TIMEFRAME_WIDTHS[k]!, caps[k - 1]!, root, bases[k - 1]);
      d.foldRange(m1, 0, m1.length, hours);
      return d;
    });
  }
}
