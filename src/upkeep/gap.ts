import { MINUTE_MS } from "../domain/bar.js";
import { lowerBound } from "../domain/search.js";

/**
 * A run of consecutive missing 1-minute bars of one symbol.
 *
 * `start` is the open time of the first missing bar (inclusive), `end` the open time just after
 * the last one (exclusive), both UTC epoch ms; `count` = (end - start) / 60,000 missing minutes.
 */
export interface Gap {
  readonly symbol: string;
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/**
 * The end of the expected window `[open, end)`: the open time just after the last minute whose bar
 * opens before `until` (and before `close`). Minutes are counted from `open`, which is whole.
 */
export function windowEnd(open: number, close: number, until: number): number {
  const limit = Math.min(close, until);
  if (!(limit > open)) return open;
  return open + Math.ceil((limit - open) / MINUTE_MS) * MINUTE_MS;
}

/**
 * The parts of the expected window `[from, to)` outside a session's break
 * `[breakStart, breakEnd)` (a lunch): the window itself when the session has none or the break
 * lies outside it, else the part before the break and the part after. Whole minutes stay whole.
 */
export function outsideBreak(
  from: number,
  to: number,
  session: { readonly breakStart?: number; readonly breakEnd?: number },
): [number, number][] {
  const { breakStart, breakEnd } = session;
  if (breakStart === undefined || breakEnd === undefined || to <= breakStart || from >= breakEnd) {
    return [[from, to]];
  }
  const out: [number, number][] = [];
  if (breakStart > from) out.push([from, breakStart]);
  if (to > breakEnd) out.push([breakEnd, to]);
  return out;
}

/** {@link findGaps} over each window (see {@link outsideBreak}), in time order. */
export function findGapsIn(
  symbol: string,
  times: ArrayLike<number>,
  windows: readonly (readonly [number, number])[],
  length = times.length,
): Gap[] {
  if (windows.length === 1) return findGaps(symbol, times, windows[0]![0], windows[0]![1], length);
  const out: Gap[] = [];
  for (const [from, to] of windows) {
    for (const gap of findGaps(symbol, times, from, to, length)) out.push(gap);
  }
  return out;
}

/**
 * The missing minutes of `[from, to)` in a sorted column of distinct whole-minute bar times,
 * grouped into {@link Gap}s in time order (adjacent missing minutes form one gap).
 *
 * Cost: two binary searches when nothing is missing; otherwise the window is bisected and only
 * halves whose bar count falls short of their minute count are searched further, so `g` gaps in
 * `n` bars cost O(g log n), never a walk of the whole column. `from` and `to` must be whole
 * minutes apart; `length` limits the column (typed-array views may be longer than their data).
 */
export function findGaps(
  symbol: string,
  times: ArrayLike<number>,
  from: number,
  to: number,
  length = times.length,
): Gap[] {
  const out: Gap[] = [];
  if (!(to > from)) return out;
  const lo = lowerBound(times, from, 0, length);
  const hi = lowerBound(times, to, lo, length);
  if (hi - lo === (to - from) / MINUTE_MS) return out;
  // Gaps are found left to right, so a new one either extends the last or starts after it.
  let openStart = Number.NaN;
  let openEnd = Number.NaN;
  const emit = (start: number, end: number): void => {
    if (end === start) return;
    if (start === openEnd) {
      openEnd = end;
      return;
    }
    if (!Number.isNaN(openStart)) {
      out.push({
        symbol,
        start: openStart,
        end: openEnd,
        count: (openEnd - openStart) / MINUTE_MS,
      });
    }
    openStart = start;
    openEnd = end;
  };
  const bisect = (a: number, b: number, ia: number, ib: number): void => {
    const minutes = (b - a) / MINUTE_MS;
    const present = ib - ia;
    if (present === minutes) return;
    if (present === 0) {
      emit(a, b);
      return;
    }
    const mid = a + Math.floor(minutes / 2) * MINUTE_MS;
    const im = lowerBound(times, mid, ia, ib);
    bisect(a, mid, ia, im);
    bisect(mid, b, im, ib);
  };
  bisect(from, to, lo, hi);
  emit(Number.NaN, Number.NaN);
  return out;
}
