/**
 * Index of the first entry of the ascending `times` that is `>= t`, searching `[lo, hi)`;
 * `hi` when every entry is smaller. The one binary search the columnar stores share.
 */
export function lowerBound(times: ArrayLike<number>, t: number, lo = 0, hi = times.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
