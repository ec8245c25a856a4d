/**
 * LEAN map files (`equity/usa/map_files/<permtick>.csv`): rows `yyyymmdd,ticker[,exchange,…]`,
 * the ticker a security traded under up to and including each date. One security, one permanent
 * ticker (the file's name), many historical tickers over time.
 */
import { normalizeSymbol } from "../symbol-info.js";
import {
  compactDate,
  firstRowOnOrAfter,
  numberedLines,
  parseCompactDate,
} from "./corporate-dates.js";
import { CorporateActionFileError } from "./corporate-errors.js";

/** One row of a map file. */
export interface MapRow {
  /** The last date the security traded as `ticker`, `YYYY-MM-DD`. */
  readonly date: string;
  /** The ticker, upper case. */
  readonly ticker: string;
  /** The primary exchange code as the file gives it (LEAN: `Q` Nasdaq, `N` NYSE, …), if any. */
  readonly exchange?: string;
}

/**
 * Parses a map file's text. Throws {@link CorporateActionFileError} naming `file` and the line for
 * a malformed row, an empty ticker, or a date not after the previous row's (dates going
 * backwards, or one date twice). Extra columns after the exchange (LEAN's futures mapping modes)
 * are ignored.
 *
 * @example
 * ```ts
 * const rows = parseMapFile("20100104,oldco,Q\n20240229,oldco,Q\n20501231,newco,Q\n", "newco.csv");
 * tickerOn(rows, "2024-02-01"); // "OLDCO"
 * tickerOn(rows, "2024-03-01"); // "NEWCO"
 * ```
 */
export function parseMapFile(text: string, file: string): MapRow[] {
  const rows: MapRow[] = [];
  const lines = numberedLines(text);
  for (let k = 0; k < lines.length; k++) {
    const { line, text: row } = lines[k]!;
    if (k === 0 && !/^\d/.test(row)) continue;
    const fields = row.split(",").map((f) => f.trim());
    const date = parseCompactDate(fields[0] ?? "");
    if (date === undefined) {
      throw new CorporateActionFileError(
        file,
        line,
        "date",
        `${JSON.stringify(fields[0])} is not a yyyymmdd date (expected yyyymmdd,ticker[,exchange])`,
      );
    }
    const raw = fields[1] ?? "";
    if (raw === "" || /\s/.test(raw)) {
      throw new CorporateActionFileError(
        file,
        line,
        "ticker",
        `is missing or blank in ${JSON.stringify(row)}`,
      );
    }
    const previous = rows[rows.length - 1];
    if (previous !== undefined && date <= previous.date) {
      throw new CorporateActionFileError(
        file,
        line,
        "date",
        `${fields[0]} is not after the previous row's ${compactDate(previous.date)}: map dates must go forwards`,
      );
    }
    const exchange = fields[2];
    rows.push({
      date,
      ticker: normalizeSymbol(raw),
      ...(exchange === undefined || exchange === "" ? {} : { exchange }),
    });
  }
  return rows;
}

/**
 * The ticker the security traded under on `date`: the first row dated `>= date`; the first
 * row's before the file begins; `undefined` after its last row (delisted).
 */
export function tickerOn(rows: readonly MapRow[], date: string): string | undefined {
  const i = firstRowOnOrAfter(rows, date);
  return i < rows.length ? rows[i]!.ticker : undefined;
}

/** Writes rows in LEAN's format: `yyyymmdd,ticker[,exchange]` lines, tickers lower case. */
export function formatMapFile(rows: readonly MapRow[]): string {
  return rows
    .map(
      (r) =>
        `${compactDate(r.date)},${r.ticker.toLowerCase()}${r.exchange === undefined ? "" : `,${r.exchange}`}\n`,
    )
    .join("");
}
