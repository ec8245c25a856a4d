/**
 * The plain CSV of splits and dividends, `date,symbol,split_ratio,dividend[,reference_price]`
 * (a header line naming the columns, any order of rows), converted to LEAN factor rows the way
 * LEAN's `CorporateFactorProvider.Apply` computes them: from the newest event back, starting
 * from the row `20501231,1,1,0`, each ex-date E adds a row dated the session before E (the last
 * day the old factors apply) with
 *
 * - `splitFactor = next.splitFactor ÷ split_ratio` (split_ratio = new shares per old share:
 *   2 for a 2-for-1, 0.125 for a 1-for-8 reverse split; LEAN's split factor is its inverse, the
 *   new price per old price);
 * - `priceFactor = next.priceFactor × (C − dividend) ÷ C`, C the reference price: the raw close
 *   of the session before E (the `reference_price` column, else the stored bars' last regular
 *   close of that session);
 * - `referencePrice = C`.
 *
 * A split and a dividend on one ex-date make one row (the dividend is per share before the
 * split, as C is the pre-split close).
 */
import type { TradingCalendar } from "../../calendar/trading-calendar.js";
import { isDateString } from "../../domain/time.js";
import { normalizeSymbol } from "../symbol-info.js";
import { numberedLines, parseCompactDate } from "./corporate-dates.js";
import { CorporateActionFileError } from "./corporate-errors.js";
import type { FactorRow } from "./factor-file.js";

/** One row of the plain CSV: what happened to `symbol` on ex-date `date`. */
export interface CorporateActionRow {
  /** The ex-date (first session at the new basis), `YYYY-MM-DD`. */
  readonly date: string;
  readonly symbol: string;
  /** New shares per old share (1: no split). */
  readonly splitRatio: number;
  /** Cash per share (0: none). */
  readonly dividend: number;
  /** The raw close of the session before the ex-date, when the file gives it. */
  readonly referencePrice?: number;
  /** 1-based line in the file, for messages. */
  readonly line: number;
}

/** The date of LEAN's last factor row, whose factors (1, 1) apply from the newest event on. */
export const LAST_FACTOR_DATE = "2050-12-31";

const COLUMNS = ["date", "symbol", "split_ratio", "dividend"] as const;

/**
 * Parses the CSV (header required; columns by name, `reference_price` optional). Throws
 * {@link CorporateActionFileError} with file and line for a bad date, symbol or number, a split
 * ratio that is not positive, a negative dividend, or a (symbol, date) given twice.
 */
export function parseCorporateActionCsv(text: string, file: string): CorporateActionRow[] {
  const lines = numberedLines(text);
  const head = lines[0];
  if (head === undefined) return [];
  const names = head.text.split(",").map((c) => c.trim().toLowerCase());
  const index = (name: string) => names.indexOf(name);
  for (const column of COLUMNS) {
    if (index(column) < 0) {
      throw new CorporateActionFileError(
        file,
        head.line,
        undefined,
        `the header ${JSON.stringify(head.text)} lacks the column ${column} (expected date,symbol,split_ratio,dividend[,reference_price])`,
      );
    }
  }
  const refColumn = index("reference_price");
  const seen = new Set<string>();
  const rows: CorporateActionRow[] = [];
  for (const { line, text: row } of lines.slice(1)) {
    const fields = row.split(",").map((f) => f.trim());
    const rawDate = fields[index("date")] ?? "";
    const date = isDateString(rawDate) ? rawDate : parseCompactDate(rawDate);
    if (date === undefined) {
      throw new CorporateActionFileError(
        file,
        line,
        "date",
        `${JSON.stringify(rawDate)} is not a YYYY-MM-DD or yyyymmdd date`,
      );
    }
    let symbol: string;
    try {
      symbol = normalizeSymbol(fields[index("symbol")] ?? "");
    } catch (error) {
      throw new CorporateActionFileError(file, line, "symbol", (error as Error).message);
    }
    const splitText = fields[index("split_ratio")] ?? "";
    const splitRatio = splitText === "" ? 1 : Number(splitText);
    if (!(Number.isFinite(splitRatio) && splitRatio > 0)) {
      throw new CorporateActionFileError(
        file,
        line,
        "split_ratio",
        `must be a positive number (new shares per old share), got ${JSON.stringify(splitText)}`,
      );
    }
    const dividendText = fields[index("dividend")] ?? "";
    const dividend = dividendText === "" ? 0 : Number(dividendText);
    if (!(Number.isFinite(dividend) && dividend >= 0)) {
      throw new CorporateActionFileError(
        file,
        line,
        "dividend",
        `must be a number >= 0, got ${JSON.stringify(dividendText)}`,
      );
    }
    const refText = refColumn < 0 ? "" : (fields[refColumn] ?? "");
    let referencePrice: number | undefined;
    if (refText !== "") {
      referencePrice = Number(refText);
      if (!(Number.isFinite(referencePrice) && referencePrice > 0)) {
        throw new CorporateActionFileError(
          file,
          line,
          "reference_price",
          `must be a positive number, got ${JSON.stringify(refText)}`,
        );
      }
    }
    const key = `${symbol} ${date}`;
    if (seen.has(key)) {
      throw new CorporateActionFileError(
        file,
        line,
        undefined,
        `${symbol} on ${date} appears twice: give its split and dividend on one row`,
      );
    }
    seen.add(key);
    rows.push({
      date,
      symbol,
      splitRatio,
      dividend,
      line,
      ...(referencePrice === undefined ? {} : { referencePrice }),
    });
  }
  return rows;
}

/** Where a conversion finds the reference close of a symbol's session (raw price), if stored. */
export type ReferenceCloseLookup = (
  symbol: string,
  sessionDate: string,
) => Promise<number | undefined>;

/**
 * Converts parsed CSV rows to factor rows per symbol (see the module comment for LEAN's rule).
 * Throws {@link CorporateActionFileError} for an ex-date without a session before it, a dividend
 * without a reference price (none in the file, none stored), or a dividend not below it.
 */
export async function factorRowsFromActions(
  rows: readonly CorporateActionRow[],
  file: string,
  calendar: TradingCalendar,
  referenceClose: ReferenceCloseLookup,
): Promise<Map<string, FactorRow[]>> {
  const bySymbol = new Map<string, CorporateActionRow[]>();
  for (const row of rows) {
    const list = bySymbol.get(row.symbol) ?? [];
    list.push(row);
    bySymbol.set(row.symbol, list);
  }
  const out = new Map<string, FactorRow[]>();
  for (const symbol of [...bySymbol.keys()].sort()) {
    const events = bySymbol.get(symbol)!.sort((a, b) => (a.date < b.date ? 1 : -1));
    let next: FactorRow = {
      date: LAST_FACTOR_DATE,
      priceFactor: 1,
      splitFactor: 1,
      referencePrice: 0,
    };
    const built: FactorRow[] = [next];
    for (const event of events) {
      if (event.date > LAST_FACTOR_DATE) continue;
      const before = calendar.previousSession(event.date);
      let reference = event.referencePrice;
      if (reference === undefined && (event.dividend > 0 || event.splitRatio !== 1)) {
        reference = await referenceClose(symbol, before);
      }
      if (event.dividend > 0) {
        if (reference === undefined) {
          throw new CorporateActionFileError(
            file,
            event.line,
            "dividend",
            `of ${symbol} on ${event.date} needs the raw close of ${before} (the session before the ex-date): none is stored; import ${symbol}'s bars first, or add a reference_price column`,
          );
        }
        if (event.dividend >= reference) {
          throw new CorporateActionFileError(
            file,
            event.line,
            "dividend",
            `${event.dividend} of ${symbol} on ${event.date} is not below the reference close ${reference} of ${before}`,
          );
        }
      }
      const row: FactorRow = {
        date: before,
        priceFactor:
          next.priceFactor * (event.dividend > 0 ? (reference! - event.dividend) / reference! : 1),
        splitFactor: next.splitFactor / event.splitRatio,
        referencePrice: reference ?? 0,
      };
      // Two ex-dates with one session before them (LEAN overwrites the latest row the same way).
      if (built[built.length - 1]!.date === row.date) built[built.length - 1] = row;
      else built.push(row);
      next = row;
    }
    out.set(symbol, built.reverse());
  }
  return out;
}
