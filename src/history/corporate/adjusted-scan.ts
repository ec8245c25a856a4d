/**
 * The machinery of `AdjustedBarStore.scan`: segments of sessions with one scale and ticker, the
 * readers that walk them as times ascend, and the in-place ordering of a minute's bars when a
 * renamed security sorts elsewhere than its old ticker.
 */
import type { allocateChunk } from "../bar-chunk.js";
import type { BarChunk } from "../bar-store.js";

/** A run of sessions with one set of factors and one ticker: bars with `time < end`. */
export interface Segment {
  /** Exclusive end, epoch ms (the first instant of the next segment's first session). */
  readonly end: number;
  /** The stored ticker holding the security's bars, `undefined` once delisted. */
  readonly ticker: string | undefined;
  readonly price: number;
  readonly volume: number;
  /** The last date of the segment (its dates are those after the previous segment's). */
  readonly date: string;
}

/**
 * The scan without renames (the usual case): every raw bar is one adjusted bar, so the chunk's
 * symbols, times and provenance are passed on as they are and only the five numbers scaled.
 */
export async function* scaleOnly(
  raw: AsyncIterable<BarChunk>,
  readers: ReadonlyMap<string, Reader>,
): AsyncIterable<BarChunk> {
  for await (const chunk of raw) {
    const { length, symbol, time, open, high, low, close, volume } = chunk;
    const o = new Float64Array(length);
    const h = new Float64Array(length);
    const l = new Float64Array(length);
    const c = new Float64Array(length);
    const v = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      const t = time[i]!;
      const r = readers.get(symbol[i]!)!;
      if (t >= r.end) r.seek(t);
      const p = r.price;
      o[i] = open[i]! * p;
      h[i] = high[i]! * p;
      l[i] = low[i]! * p;
      c[i] = close[i]! * p;
      v[i] = volume[i]! * r.volume;
    }
    yield {
      length,
      symbol,
      time,
      open: o,
      high: h,
      low: l,
      close: c,
      volume: v,
      provenance: chunk.provenance,
    };
  }
}

/**
 * One name reading one stored ticker during a scan: the current segment's values kept in plain
 * fields, so the usual bar costs a comparison and a multiply (times ascend: segments only move on).
 */
export class Reader {
  end = Number.NEGATIVE_INFINITY;
  ticker: string | undefined = undefined;
  price = 1;
  volume = 1;
  #at = -1;

  constructor(
    readonly name: string,
    readonly segments: readonly Segment[],
    /** The next reader of the same stored ticker. */
    readonly next: Reader | undefined,
  ) {}

  /** Moves to the segment holding `t` (the last one's end is +∞). */
  seek(t: number): void {
    let at = this.#at;
    const segments = this.segments;
    do at++;
    while (t >= segments[at]!.end);
    this.#at = at;
    const seg = segments[at]!;
    this.end = seg.end;
    this.ticker = seg.ticker;
    this.price = seg.price;
    this.volume = seg.volume;
  }
}

/** Orders entries `[from, to)` of a chunk being built by symbol (one minute's bars; few). */
export function sortGroup(c: ReturnType<typeof allocateChunk>, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    for (let j = i; j > from && c.symbol[j - 1]! > c.symbol[j]!; j--) {
      swap(c, j - 1, j);
    }
  }
}

function swap(c: ReturnType<typeof allocateChunk>, a: number, b: number): void {
  const s = c.symbol[a]!;
  c.symbol[a] = c.symbol[b]!;
  c.symbol[b] = s;
  for (const col of [c.time, c.open, c.high, c.low, c.close, c.volume, c.provenance]) {
    const v = col[a]!;
    col[a] = col[b]!;
    col[b] = v;
  }
}
