/**
 * LEAN factor files (`equity/usa/factor_files/<permtick>.csv`): rows
 * `yyyymmdd,priceFactor,splitFactor,referencePrice`, ascending by date. The factors that apply to
 * trading date D are those of the first row whose date is `>= D` (a row's date is the last day
 * its factors apply to; dates after the last row get 1, 1). Adjusted price = raw × priceFactor ×
 * splitFactor; split-adjusted price = raw × splitFactor; adjusted volume = raw ÷ splitFactor.
 */

import {
  compactDate,
  firstRowOnOrAfter,
  numberedLines,
  parseCompactDate,
} from "./corporate-dates.js";
import { CorporateActionFileError } from "./corporate-errors.js";

/** One row of a factor file. */
export interface FactorRow {
  /** The last session date the row's factors apply to, `YYYY-MM-DD`. */
  readonly date: string;
  /** The cumulative dividend factor (1 after the last dividend). */
  readonly priceFactor: number;
  /** The cumulative split factor (1 after the last split; 0.5 before a 2-for-1). */
  readonly splitFactor: number;
  /** The raw close of `date`, from which the next dividend's factor was computed (0: none). */
  readonly referencePrice: number;
}

/** The factors of a date no row covers: nothing to adjust. */
export const IDENTITY_FACTORS: FactorRow = Object.freeze({
  date: "9999-12-31",
  priceFactor: 1,
  splitFactor: 1,
  referencePrice: 0,
});

/**
 * Parses a factor file's text. Throws {@link CorporateActionFileError} naming `file` and the line
 * for a malformed row, a date not after the previous row's, a factor that is not a positive
 * finite number or a negative reference price. A header line (not starting with a digit) is
 * allowed first.
 *
 * @example
 * ```ts
 * const rows = parseFactorFile("20240607,1,0.5,120.5\n20501231,1,1,0\n", "aapl.csv");
 * factorsOn(rows, "2024-06-07").splitFactor; // 0.5 (the last day before the 2-for-1 split)
 * factorsOn(rows, "2024-06-10").splitFactor; // 1
 * ```
 */
export function parseFactorFile(text: string, file: string): FactorRow[] {
  const rows: FactorRow[] = [];
  const lines = numberedLines(text);
  for (let k = 0; k < lines.length; k++) {
    const { line, text: row } = lines[k]!;
    if (k === 0 && !/^\d/.test(row)) continue;
    const fields = row.split(",").map((f) => f.trim());
    if (fields.length < 3) {
      throw new CorporateActionFileError(
        file,
        line,
        undefined,
        `expected yyyymmdd,priceFactor,splitFactor[,referencePrice], got ${JSON.stringify(row)}`,
      );
    }
    const date = parseCompactDate(fields[0]!);
    if (date === undefined) {
      throw new CorporateActionFileError(
        file,
        line,
        "date",
        `${JSON.stringify(fields[0])} is not a yyyymmdd date`,
      );
    }
    const priceFactor = positive(fields[1]!, file, line, "priceFactor");
    const splitFactor = positive(fields[2]!, file, line, "splitFactor");
    const referencePrice = fields.length > 3 && fields[3] !== "" ? Number(fields[3]) : 0;
    if (!(Number.isFinite(referencePrice) && referencePrice >= 0)) {
      throw new CorporateActionFileError(
        file,
        line,
        "referencePrice",
        `must be a number >= 0, got ${JSON.stringify(fields[3])}`,
      );
    }
    const previous = rows[rows.length - 1];
    if (previous !== undefined && date <= previous.date) {
      throw new CorporateActionFileError(
        file,
        line,
        "date",
        `${fields[0]} is not after the previous row's ${compactDate(previous.date)}: rows must be in ascending date order`,
      );
    }
    rows.push({ date, priceFactor, splitFactor, referencePrice });
  }
  return rows;
}

function positive(text: string, file: string, line: number, field: string): number {
  const value = Number(text);
  if (text === "" || !(Number.isFinite(value) && value > 0)) {
    throw new CorporateActionFileError(
      file,
      line,
      field,
      `must be a positive number, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * The factors that apply to session `date`: the first row dated `>= date`, or
 * {@link IDENTITY_FACTORS} after the last row (and for an empty file).
 */
export function factorsOn(rows: readonly FactorRow[], date: string): FactorRow {
  const i = firstRowOnOrAfter(rows, date);
  return i < rows.length ? rows[i]! : IDENTITY_FACTORS;
}

/** Writes rows in LEAN's format (for fixtures and `export`): `yyyymmdd,pf,sf,ref` lines. */
export function formatFactorFile(rows: readonly FactorRow[]): string {
  return rows
    .map(
      (r) =>
        `${compactDate(r.date)},${String(r.priceFactor)},${String(r.splitFactor)},${String(r.referencePrice)}\n`,
    )
    .join("");
}
