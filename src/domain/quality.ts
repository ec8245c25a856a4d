/**
 * A quality figure: present ÷ expected × 100, and 100 when nothing is expected. The one
 * formula behind `quality`, the backtest's upkeep totals and report rows, and the API's cells
 * (which minutes are expected is `expectedWindows`' business, in upkeep).
 */
export function qualityPercent(present: number, expected: number): number {
  return expected === 0 ? 100 : (present / expected) * 100;
}
