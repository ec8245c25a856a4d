import type { TradingCalendar } from "../calendar/public.js";
import { calendarByName, xnysCalendar } from "../calendar/public.js";
import type { BarStore } from "../history/bar-store.js";

/** What {@link storedCalendar} found in the `symbols` table. */
export interface StoredCalendar {
  /** The calendar every stored symbol shares, or `undefined` when they differ or none is stored. */
  readonly calendar: TradingCalendar | undefined;
  /** The distinct stored calendar names, sorted (symbols without a row count as XNYS). */
  readonly names: readonly string[];
}

/**
 * The calendar the stored symbols (all, or `symbols`) were imported with, for a command that
 * runs on one calendar (`serve`). Symbols without a `symbols` row count as XNYS, the default.
 *
 * @example
 * ```ts
 * (await storedCalendar(store)).calendar?.name; // "24/7" for a store of Binance klines
 * ```
 */
export async function storedCalendar(
  store: Pick<BarStore, "listSymbolInfo" | "symbols">,
  symbols?: readonly string[],
): Promise<StoredCalendar> {
  const infos = new Map((await store.listSymbolInfo()).map((i) => [i.symbol, i.calendar]));
  const names = new Set<string>();
  for (const symbol of symbols ?? (await store.symbols())) names.add(infos.get(symbol) ?? "XNYS");
  const sorted = [...names].sort();
  return {
    calendar: sorted.length === 1 ? calendarByName(sorted[0]!) : undefined,
    names: sorted,
  };
}

/**
 * The one calendar a single-calendar command (`serve`) runs on: `--calendar` when given, else
 * the one its stored symbols share, else XNYS with a warning on stderr when they differ.
 */
export async function commandCalendar(
  store: Pick<BarStore, "listSymbolInfo" | "symbols">,
  flag: string | undefined,
): Promise<TradingCalendar> {
  if (flag !== undefined) return calendarByName(flag);
  const stored = await storedCalendar(store);
  if (stored.calendar !== undefined) return stored.calendar;
  if (stored.names.length > 1) {
    process.stderr.write(
      `sessiondata: the symbols trade on several calendars (${stored.names.join(", ")}); using XNYS (pass --calendar)\n`,
    );
  }
  return xnysCalendar;
}
