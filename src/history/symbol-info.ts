/**
 * Checks shared by every {@link BarStore} adapter: symbol names (stored upper case), symbol info
 * and provenance codes, so the DuckDB, in-memory and PostgreSQL stores refuse the same input with
 * the same words.
 */
import { findCalendar } from "../calendar/calendar-names.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { checkProvenance, PROVENANCE_CODES, PROVENANCES } from "../domain/provenance.js";
import type { SymbolInfo, WriteOptions } from "./bar-store.js";

/** The most price decimals a {@link SymbolInfo} records (an import caps what it infers here). */
export const MAX_PRICE_DECIMALS = 10;

/** The highest provenance code (`corrected`); 0 is "not recorded". */
const MAX_PROVENANCE_CODE = PROVENANCES.length;

/** Throws unless the symbol is a non-empty string without surrounding spaces. */
export function checkSymbol(symbol: string): void {
  if (typeof symbol !== "string" || symbol.length === 0 || symbol.trim() !== symbol) {
    throw new InvalidArgumentError(`symbol ${JSON.stringify(symbol)} is not a valid symbol`);
  }
}

/**
 * The symbol as stores keep it: checked ({@link checkSymbol}) and upper case, so `aapl`, `Aapl`
 * and `AAPL` name one symbol.
 *
 * @example
 * ```ts
 * normalizeSymbol("brk.b"); // "BRK.B"
 * ```
 */
export function normalizeSymbol(symbol: string): string {
  checkSymbol(symbol);
  return symbol.toUpperCase();
}

/** Whether `zone` is an IANA time zone this runtime knows. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The info as a store keeps it: symbol upper case, calendar by its canonical name (`xnys` and
 * `nyse` become `XNYS`). Throws `InvalidArgumentError` naming the symbol and the bad field.
 */
export function checkSymbolInfo(info: SymbolInfo): SymbolInfo {
  if (typeof info !== "object" || info === null) {
    throw new InvalidArgumentError(`symbol info must be an object, got ${JSON.stringify(info)}`);
  }
  const symbol = normalizeSymbol(info.symbol);
  const calendar = typeof info.calendar === "string" ? findCalendar(info.calendar) : undefined;
  if (calendar === undefined) {
    throw new InvalidArgumentError(
      `symbol info for ${symbol}: unknown calendar ${JSON.stringify(info.calendar)}`,
    );
  }
  if (typeof info.timeZone !== "string" || info.timeZone === "" || !isTimeZone(info.timeZone)) {
    throw new InvalidArgumentError(
      `symbol info for ${symbol}: time zone ${JSON.stringify(info.timeZone)} is not an IANA zone`,
    );
  }
  const decimals = info.priceDecimals;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_PRICE_DECIMALS) {
    throw new InvalidArgumentError(
      `symbol info for ${symbol}: priceDecimals must be an integer from 0 to ${MAX_PRICE_DECIMALS}, got ${JSON.stringify(decimals)}`,
    );
  }
  return { symbol, calendar: calendar.name, timeZone: info.timeZone, priceDecimals: decimals };
}

/** The provenance code a write stores for every bar (0 when the options name none). */
export function provenanceCodeOf(options: WriteOptions | undefined): number {
  const provenance = options?.provenance;
  return provenance === undefined ? 0 : PROVENANCE_CODES[checkProvenance(provenance)];
}

/**
 * Throws `InvalidArgumentError` for the first of the first `n` codes that is not a provenance
 * code (0 to 4), naming the symbol and the entry.
 */
export function checkProvenanceCodes(symbol: string, codes: Uint8Array, n: number): void {
  if (codes.length < n) {
    throw new InvalidArgumentError(
      `provenance for ${symbol} holds ${codes.length} codes for ${n} bars`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (codes[i]! > MAX_PROVENANCE_CODE) {
      throw new InvalidArgumentError(
        `provenance code ${codes[i]} of bar ${i} for ${symbol} is not one of 0 (not recorded), ${PROVENANCES.map((p) => `${PROVENANCE_CODES[p]} (${p})`).join(", ")}`,
      );
    }
  }
}

/** Orders by symbol, for `listSymbolInfo`. */
export function bySymbol(a: { symbol: string }, b: { symbol: string }): number {
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}
