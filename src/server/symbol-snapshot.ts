import type { SessionData } from "../store/public.js";

/**
 * One line of the symbol list: the latest 1m bar and the session's figures. What
 * `GET /api/symbols` lists and what the `bars` channel sends per changed symbol. Numbers that do
 * not exist yet (no regular-session bar) are `null`.
 */
export interface SymbolSnapshot {
  readonly symbol: string;
  /** The latest 1m bar's open time, epoch ms. */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** The regular session's first price. */
  readonly sessionOpen: number | null;
  /** `close - sessionOpen`. */
  readonly change: number | null;
  /** `change / sessionOpen * 100`. */
  readonly changePct: number | null;
  /** Bar quality so far, 0–100. */
  readonly quality: number | null;
  readonly barCount: number;
  readonly missing: number;
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The snapshot of `symbol`, or `undefined` while it has no bar in the current session. */
export function symbolSnapshot(sd: SessionData, symbol: string): SymbolSnapshot | undefined {
  const bar = sd.getLatestBar(symbol);
  if (bar === undefined) return undefined;
  const m = sd.getSessionMetrics(symbol);
  const open = m === undefined ? Number.NaN : m.open;
  const change = bar.close - open;
  return {
    symbol,
    time: bar.time,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume,
    sessionOpen: orNull(open),
    change: orNull(change),
    changePct: orNull((change / open) * 100),
    quality: m === undefined ? null : orNull(m.barQuality),
    barCount: sd.getBarCount(symbol),
    missing: m?.missingBarCount ?? 0,
  };
}
