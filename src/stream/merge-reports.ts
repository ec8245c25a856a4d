import { InvalidArgumentError } from "../domain/errors.js";
import { qualityPercent } from "../domain/quality.js";
import type { BacktestReport, SymbolReport } from "./backtest-types.js";

/** Upkeep figures that are not sums: recomputed from the merged counts, or the minimum. */
const NOT_SUMMED = new Set(["finalQuality", "minQuality", "unfillableGaps"]);
/** How many unfillable gaps a merged upkeep report lists (as `DataUpkeep.report()` does). */
const REPORTED_UNFILLABLE = 100;

function mergeUpkeep(
  parts: readonly Readonly<Record<string, unknown>>[],
): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const gaps: unknown[] = [];
  let minQuality = 100;
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (NOT_SUMMED.has(key)) continue;
      if (typeof value === "number") out[key] = ((out[key] as number | undefined) ?? 0) + value;
      else if (!(key in out)) out[key] = value;
    }
    if (typeof part.minQuality === "number") minQuality = Math.min(minQuality, part.minQuality);
    if (Array.isArray(part.unfillableGaps)) gaps.push(...part.unfillableGaps);
  }
  const expected = out.expectedBars;
  const present = out.presentBars;
  if (typeof expected === "number" && typeof present === "number") {
    out.finalQuality = qualityPercent(present, expected);
  }
  out.minQuality = minQuality;
  out.unfillableGaps = gaps.slice(0, REPORTED_UNFILLABLE);
  return out;
}

/**
 * One report from the reports of replays run one after another over disjoint symbol sets (a
 * backtest whose symbols trade on different calendars replays each calendar's symbols on their
 * own calendar): counts and wall time add up, symbols are merged in name order, and upkeep's
 * counters add up with `finalQuality` recomputed from the summed expected and present bars (the
 * one quality definition) and `minQuality` the least. One report is returned as it is.
 *
 * @example
 * ```ts
 * const report = mergeBacktestReports([await stocks.run(), await crypto.run()]);
 * ```
 */
export function mergeBacktestReports(reports: readonly BacktestReport[]): BacktestReport {
  if (reports.length === 0) throw new InvalidArgumentError("no backtest reports to merge");
  if (reports.length === 1) return reports[0]!;
  let sessions = 0;
  let slices = 0;
  let bars = 0;
  let wallMs = 0;
  let dropped: number | undefined;
  let stopped = false;
  const symbols: [string, SymbolReport][] = [];
  const upkeeps: Readonly<Record<string, unknown>>[] = [];
  for (const r of reports) {
    sessions += r.sessions;
    slices += r.slices;
    bars += r.bars;
    wallMs += r.wallMs;
    if (r.droppedBars !== undefined) dropped = (dropped ?? 0) + r.droppedBars;
    if (r.stopped === true) stopped = true;
    for (const entry of Object.entries(r.symbols)) symbols.push(entry);
    if (r.upkeep !== undefined) upkeeps.push(r.upkeep);
  }
  symbols.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    sessions,
    slices,
    bars,
    wallMs,
    barsPerSecond: wallMs > 0 ? bars / (wallMs / 1000) : 0,
    ...(dropped === undefined ? {} : { droppedBars: dropped }),
    ...(stopped ? { stopped: true } : {}),
    symbols: Object.fromEntries(symbols),
    ...(upkeeps.length === 0 ? {} : { upkeep: mergeUpkeep(upkeeps) }),
  };
}
