import type { BacktestReport, SymbolReport } from "../stream/public.js";

/** Renders rows as a plain-text table: a header, a rule, columns padded, numbers right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  // A column is right-aligned when every cell in it reads as a number (or is empty/absent).
  const numeric = header.map((_, c) => rows.every((r) => /^(-?[\d,./]+%?|-|)$/.test(r[c] ?? "")));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A number for a table cell: `-` when absent or not finite, else fixed decimals with separators. */
export function formatNumber(value: unknown, decimals = 2): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "-";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/**
 * An indicator's value for a cell: a number, or `name=value` pairs for multi-line indicators, at
 * `decimals` (2 by default; a symbol's price decimals when more, so ADABTC's SMA is not 0.00).
 */
export function formatIndicator(value: unknown, decimals = 2): string {
  if (typeof value === "number") return formatNumber(value, decimals);
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${formatNumber(v, decimals)}`)
      .join(" ");
  }
  return "-";
}

/** A price for a cell at the symbol's precision: `0.00003124` for ADABTC, `1.59234` for GBPUSD. */
export function formatPrice(value: unknown, decimals = 2): string {
  return formatNumber(value, decimals);
}

/** An instant for a cell: `YYYY-MM-DD HH:MM` UTC, `-` when absent. */
export function formatUtcMinute(time: number | null | undefined): string {
  if (typeof time !== "number" || !Number.isFinite(time)) return "-";
  return new Date(time).toISOString().slice(0, 16).replace("T", " ");
}

/** How {@link formatBacktestReport} prints. */
export interface BacktestFormatOptions {
  /**
   * Each symbol's price decimals (the `symbols` table's `priceDecimals`); prices print at them,
   * 2 for a symbol absent. The JSON report keeps full doubles.
   */
  readonly priceDecimals?: Readonly<Record<string, number>>;
}

function indicatorNames(symbols: readonly SymbolReport[]): string[] {
  const names = new Set<string>();
  for (const s of symbols) for (const name of Object.keys(s.indicators)) names.add(name);
  return [...names];
}

/**
 * The human-readable backtest report: a table with each symbol's last session with bars
 * (metrics, bar quality, the time of its last bar and of its indicators, indicators, trend), then
 * the totals. Prices print at each symbol's `priceDecimals`.
 */
export function formatBacktestReport(
  report: BacktestReport,
  options: BacktestFormatOptions = {},
): string {
  const entries = Object.entries(report.symbols);
  const names = indicatorNames(entries.map(([, s]) => s));
  const header = [
    "symbol",
    "session",
    "close",
    "volume",
    "vwap",
    "bars",
    "quality",
    "last bar (UTC)",
    "indicators at",
    ...names,
    "trend",
  ];
  const rows = entries.map(([symbol, s]) => {
    const m = s.metrics;
    const decimals = options.priceDecimals?.[symbol] ?? 2;
    return [
      symbol,
      m?.sessionDate ?? "-",
      formatPrice(m?.close, decimals),
      formatNumber(m?.volume, 0),
      formatPrice(m?.vwap, decimals),
      m === null ? "-" : `${m.barCount}/${m.expectedBarCount}`,
      m === null ? "-" : `${formatNumber(m.barQuality, 1)}%`,
      formatUtcMinute(s.lastBarTime),
      formatUtcMinute(s.indicatorsTime),
      ...names.map((n) => formatIndicator(s.indicators[n], Math.max(2, decimals))),
      typeof s.trend === "string" ? s.trend : "-",
    ];
  });
  const totals = [
    `sessions ${report.sessions}`,
    `slices ${formatNumber(report.slices, 0)}`,
    `bars ${formatNumber(report.bars, 0)}`,
    `wall ${formatNumber(report.wallMs / 1000, 2)} s`,
    `${formatNumber(report.barsPerSecond, 0)} bars/s`,
  ];
  const lines = [formatTable(header, rows), "", totals.join(" | ")];
  if (report.droppedBars !== undefined) lines.push(`dropped bars ${report.droppedBars}`);
  if (report.upkeep !== undefined) lines.push(formatUpkeep(report.upkeep));
  if (report.stopped) lines.push("stopped before the end of the range");
  return lines.join("\n");
}

/** One line on gap repair: what a trader wants to know first, then the request counters. */
function formatUpkeep(upkeep: Record<string, unknown>): string {
  const n = (key: string): string => {
    const v = upkeep[key];
    return typeof v === "number" ? formatNumber(v, Number.isInteger(v) ? 0 : 2) : "-";
  };
  return (
    `gap repair: ${n("gapsDetected")} gaps detected${typeof upkeep.missingSessions === "number" && upkeep.missingSessions > 0 ? ` and ${n("missingSessions")} missing sessions` : ""}, ${n("barsMissing")} bars missing, ` +
    `${n("barsFilled")} filled, ${n("barsUnfillable")} unfillable | quality final ${n("finalQuality")}%, ` +
    `min ${n("minQuality")}% | requests ${n("requests")}, retries ${n("retries")}, failed ${n("failedRequests")}`
  );
}
