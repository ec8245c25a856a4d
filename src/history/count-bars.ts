/**
 * The checks of `BarStore.countBars` shared by every adapter, and a count by scan for stores that
 * have no cheaper way (views, generators). Ranges are cut at UTC midnights for the databases:
 * each piece lies in one UTC day, so bars join their pieces on the day number (a hash join),
 * not by a range join, and a session across midnight (GLBX, 24/7) is still counted exactly.
 */
import { InvalidArgumentError } from "../domain/errors.js";
import type { BarStore, CountBarsOptions, TimeRange } from "./bar-store.js";
import { normalizeSymbol } from "./symbol-info.js";

const DAY_MS = 86_400_000;

/** Checks `options` and returns the symbols upper case. */
export function checkCountOptions(options: CountBarsOptions): string[] {
  let end = Number.NEGATIVE_INFINITY;
  for (const [k, r] of options.ranges.entries()) {
    if (!Number.isFinite(r.from) || !Number.isFinite(r.to) || !(r.from < r.to)) {
      throw new InvalidArgumentError(
        `countBars: ranges[${k}] must be finite with from < to, got ${r.from}..${r.to}`,
      );
    }
    if (r.from < end) {
      throw new InvalidArgumentError(
        `countBars: ranges must be ascending and disjoint; ranges[${k}] starts at ${r.from}, before the end of the one before it (${end})`,
      );
    }
    end = r.to;
  }
  return options.symbols.map(normalizeSymbol);
}

/** One piece of a range inside one UTC day: `k` is the range's index. */
export interface DayPiece {
  readonly day: number;
  readonly from: number;
  readonly to: number;
  readonly k: number;
}

/** The ranges cut at UTC midnights, in order. */
export function dayPieces(ranges: readonly TimeRange[]): DayPiece[] {
  const out: DayPiece[] = [];
  for (const [k, r] of ranges.entries()) {
    let from = r.from;
    while (from < r.to) {
      const day = Math.floor(from / DAY_MS);
      const to = Math.min(r.to, (day + 1) * DAY_MS);
      out.push({ day, from, to, k });
      from = to;
    }
  }
  return out;
}

/**
 * Counts by reading every bar of the ranges through `store.scan` (in bounded memory): for
 * stores whose bars are not in a database.
 */
export async function countBarsByScan(
  store: Pick<BarStore, "scan">,
  options: CountBarsOptions,
): Promise<number[][]> {
  const symbols = checkCountOptions(options);
  const ranges = options.ranges;
  const counts = symbols.map(() => new Array<number>(ranges.length).fill(0));
  if (ranges.length === 0 || symbols.length === 0) return counts;
  const row = new Map<string, number[]>();
  for (const [i, s] of symbols.entries()) row.set(s, counts[i]!);
  for (const [symbol, c] of row) {
    let k = 0;
    for await (const chunk of store.scan({
      symbols: [symbol],
      from: ranges[0]!.from,
      to: ranges.at(-1)!.to,
      chunkSize: 65_536,
    })) {
      for (let i = 0; i < chunk.length; i++) {
        const t = chunk.time[i]!;
        while (k < ranges.length && t >= ranges[k]!.to) k++;
        if (k === ranges.length) break;
        if (t >= ranges[k]!.from) c[k]!++;
      }
    }
  }
  // A symbol asked twice shares its row's numbers.
  return symbols.map((s) => [...row.get(s)!]);
}
