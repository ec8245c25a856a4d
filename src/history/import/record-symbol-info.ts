import { calendarByName } from "../../calendar/calendar-names.js";
import { detectCalendar } from "../../calendar/detect.js";
import { xnysCalendar } from "../../calendar/xnys.js";
import type { BarStore } from "../bar-store.js";
import type { ImportFormat } from "./import-options.js";
import type { SymbolRows } from "./import-sink.js";

/**
 * Records each imported symbol's row in the store's `symbols` table once its file is committed:
 * the calendar (`calendar` when given, else detected from the symbol and format, else XNYS; a
 * calendar stored by an earlier import stays unless `calendar` is given), its time zone, and the
 * price decimals (the most seen over this file and earlier imports, so a later file with rounder
 * prices never lowers the precision).
 */
export async function recordSymbolInfo(
  store: BarStore,
  rows: readonly SymbolRows[],
  format: ImportFormat,
  calendar: string | undefined,
): Promise<void> {
  const chosen = calendar === undefined ? undefined : calendarByName(calendar);
  for (const s of rows) {
    const before = await store.symbolInfo(s.symbol);
    const cal =
      chosen ??
      (before === undefined
        ? (detectCalendar(s.symbol, { format }) ?? xnysCalendar)
        : calendarByName(before.calendar));
    await store.setSymbolInfo({
      symbol: s.symbol,
      calendar: cal.name,
      timeZone: cal.timeZone,
      priceDecimals: Math.max(s.priceDecimals, before?.priceDecimals ?? 0),
    });
  }
}
