import type { ProvenanceCounts } from "../domain/provenance.js";
import type { BarColumns } from "./bar-columns.js";

/**
 * A symbol's figures for one session, over its regular-session bars only (pre- and post-market
 * bars are stored and readable but kept out of these).
 *
 * Prices and times are `NaN` before the first regular bar; `vwap` is `NaN` while the volume is 0.
 * `expectedBarCount` counts the 1-minute bars the calendar expects in the regular session so far
 * (up to the store's clock; the whole session once it is in history), `barQuality` =
 * `barCount / expectedBarCount * 100` (100 when nothing is expected yet), `missingBarCount` =
 * expected minus present. `filledBarCount`/`unfillableBarCount` are the repair counters upkeep
 * reports through `setRepairCounts`. `provenance` counts the same bars by where the bar now held
 * at each minute came from, so its four counts sum to `barCount`.
 */
export interface SessionMetrics {
  readonly symbol: string;
  readonly sessionDate: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Σ(typical price × volume) / Σ volume, typical price = (high + low + close) / 3. */
  readonly vwap: number;
  readonly barCount: number;
  readonly expectedBarCount: number;
  /** 0–100. */
  readonly barQuality: number;
  readonly missingBarCount: number;
  readonly filledBarCount: number;
  readonly unfillableBarCount: number;
  /** Regular-session bars by provenance (`live`, `replay`, `refilled`, `corrected`). */
  readonly provenance: ProvenanceCounts;
  readonly firstBarTime: number;
  readonly lastBarTime: number;
}

/**
 * Running sums of a session's regular bars. Appends fold in O(1); a late or replacing bar
 * triggers {@link MetricsAccumulator.recompute}, which folds the regular bars again in time
 * order, so the floating-point sums are bit-identical to in-order arrival.
 */
export class MetricsAccumulator {
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
  volume = 0;
  /** Σ typical × volume. */
  pv = 0;
  count = 0;
  first = Number.NaN;
  last = Number.NaN;

  reset(): void {
    this.open = this.high = this.low = this.close = Number.NaN;
    this.first = this.last = Number.NaN;
    this.volume = this.pv = 0;
    this.count = 0;
  }

  /** Folds in a regular bar later than every regular bar folded so far. */
  append(t: number, o: number, h: number, l: number, c: number, v: number): void {
    if (this.count === 0) {
      this.open = o;
      this.high = h;
      this.low = l;
      this.first = t;
    } else {
      if (h > this.high) this.high = h;
      if (l < this.low) this.low = l;
    }
    this.close = c;
    this.last = t;
    this.volume += v;
    this.pv += ((h + l + c) / 3) * v;
    this.count++;
  }

  /** Refolds the bars of `m1` with times in `[open, close)`. */
  recompute(m1: BarColumns, open: number, close: number): void {
    this.reset();
    const end = m1.lowerBound(close);
    const buf = m1.buf;
    const cap = m1.capacity;
    for (let i = m1.lowerBound(open), at = m1.base + i; i < end; i++, at++) {
      this.append(
        buf[at]!,
        buf[at + cap]!,
        buf[at + 2 * cap]!,
        buf[at + 3 * cap]!,
        buf[at + 4 * cap]!,
        buf[at + 5 * cap]!,
      );
    }
  }

  /** The metrics object for these sums. */
  toMetrics(
    symbol: string,
    sessionDate: string,
    expected: number,
    filled: number,
    unfillable: number,
    provenance: ProvenanceCounts,
  ): SessionMetrics {
    const barCount = this.count;
    return {
      symbol,
      sessionDate,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      vwap: this.volume > 0 ? this.pv / this.volume : Number.NaN,
      barCount,
      expectedBarCount: expected,
      barQuality: expected > 0 ? Math.min(100, (barCount / expected) * 100) : 100,
      missingBarCount: Math.max(0, expected - barCount),
      filledBarCount: filled,
      unfillableBarCount: unfillable,
      provenance,
      firstBarTime: this.first,
      lastBarTime: this.last,
    };
  }
}
