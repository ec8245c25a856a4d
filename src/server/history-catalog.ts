/**
 * The bar store's symbols as the history routes and the dashboard's pickers see them: each with
 * its calendar (falling back to the server's for a symbol without a `symbols` row or with a
 * calendar this build does not know), precision and covered sessions.
 */
import { calendarByName } from "../calendar/public.js";
import type { TradingCalendar } from "../calendar/trading-calendar.js";
import type { BarStore, SymbolInfo } from "../history/bar-store.js";
import { corporateActionsOf } from "../history/corporate/corporate-action-store.js";

/** A stored symbol as the pickers list it. */
export interface CatalogEntry extends SymbolInfo {
  /** First and last session dates with bars, in the symbol's calendar. */
  readonly first: string | null;
  readonly last: string | null;
  readonly bars: number;
  /**
   * Whether the store holds corporate actions for it (a factor file, or a map file naming
   * another ticker): the dashboard offers `split` and `total` only then.
   */
  readonly actions: boolean;
}

const DEFAULT_DECIMALS = 2;

/** What a symbol without a `symbols` row is taken to be: on `fallback`, 2 decimals. */
export function defaultSymbolInfo(symbol: string, fallback: TradingCalendar): SymbolInfo {
  return {
    symbol,
    calendar: fallback.name,
    timeZone: fallback.timeZone,
    priceDecimals: DEFAULT_DECIMALS,
  };
}

/** The calendar `info` names, or `fallback` for one this build does not know. */
export function calendarOfInfo(info: SymbolInfo, fallback: TradingCalendar): TradingCalendar {
  try {
    return calendarByName(info.calendar);
  } catch {
    return fallback;
  }
}

/** The session date of instant `t` in `calendar`, or its UTC date outside every session. */
export function sessionDateOrUtc(calendar: TradingCalendar, t: number): string {
  return calendar.sessionDateOf(t) ?? new Date(t).toISOString().slice(0, 10);
}

/** Every stored symbol with its calendar, precision and covered sessions, sorted by name. */
export async function catalog(store: BarStore, fallback: TradingCalendar): Promise<CatalogEntry[]> {
  const [symbols, infos, withActions] = await Promise.all([
    store.symbols(),
    store.listSymbolInfo(),
    symbolsWithActions(store),
  ]);
  const byName = new Map(infos.map((i) => [i.symbol, i]));
  const out: CatalogEntry[] = [];
  for (const symbol of [...symbols].sort()) {
    const info = byName.get(symbol) ?? defaultSymbolInfo(symbol, fallback);
    const cal = calendarOfInfo(info, fallback);
    const cov = await store.coverage(symbol);
    out.push({
      ...info,
      first: cov === undefined ? null : sessionDateOrUtc(cal, cov.first),
      last: cov === undefined ? null : sessionDateOrUtc(cal, cov.last),
      bars: cov?.count ?? 0,
      actions: withActions.has(symbol),
    });
  }
  return out;
}

/** The symbols the store holds corporate actions for (none when it keeps no such tables). */
export async function symbolsWithActions(store: BarStore): Promise<Set<string>> {
  const corporate = corporateActionsOf(store);
  if (corporate === undefined) return new Set();
  const [factors, maps] = await Promise.all([corporate.factorSymbols(), corporate.mapTickers()]);
  const out = new Set(factors);
  for (const [permtick, tickers] of maps) {
    // A map file that only ever names the symbol itself changes nothing.
    if (tickers.some((t) => t !== permtick)) out.add(permtick);
  }
  return out;
}
