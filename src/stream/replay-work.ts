import { MINUTE_MS } from "../domain/bar.js";
import type { BarStore, Coverage } from "../history/bar-store.js";

/**
 * Each symbol's coverage (first and last bar, count), read once per replay for what needs it
 * (upkeep's stored ranges, the progress estimate); symbols without bars are left out. Insertion
 * order is `symbols`' order.
 */
export async function readCoverage(
  store: Pick<BarStore, "coverage">,
  symbols: readonly string[],
): Promise<Map<string, Coverage>> {
  const out = new Map<string, Coverage>();
  for (const symbol of symbols) {
    const c = await store.coverage(symbol);
    if (c !== undefined) out.set(symbol, c);
  }
  return out;
}

/** {@link estimateScanRows} over coverage already read. */
export function scanRowsIn(
  coverage: ReadonlyMap<string, Coverage>,
  from: number,
  to: number,
): number {
  let rows = 0;
  for (const c of coverage.values()) {
    if (c.count === 0) continue;
    const first = c.first;
    const end = c.last + MINUTE_MS;
    const inside = Math.min(end, to) - Math.max(first, from);
    if (inside <= 0) continue;
    rows += c.count * Math.min(1, inside / (end - first));
  }
  return rows;
}

/**
 * About how many rows a replay's scan of `[from, to)` reads: each symbol's stored count, scaled
 * by the share of its stored span inside the range (the rows are taken as spread evenly over the
 * span). It is what replay progress is measured against, so a 1990–2199 replay of data that ends
 * in 2024 advances with the bars replayed instead of sitting at 0.16 and jumping to 1. Exact when
 * the range covers every symbol's stored span; 0 when nothing is stored in it.
 */
export async function estimateScanRows(
  store: Pick<BarStore, "coverage">,
  symbols: readonly string[],
  from: number,
  to: number,
): Promise<number> {
  return scanRowsIn(await readCoverage(store, symbols), from, to);
}
