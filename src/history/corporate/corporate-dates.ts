/**
 * The `yyyymmdd` dates of LEAN's auxiliary files, and the binary search every look-up by date
 * shares.
 */
import { isDateString } from "../../domain/time.js";

/** `20240607` as `"2024-06-07"`, or `undefined` when it is not a real 8-digit date. */
export function parseCompactDate(text: string): string | undefined {
  if (!/^\d{8}$/.test(text)) return undefined;
  const date = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  return isDateString(date) ? date : undefined;
}

/** `"2024-06-07"` as `20240607` text (what LEAN writes). */
export function compactDate(date: string): string {
  return date.replaceAll("-", "");
}

/**
 * The index of the first row whose `date` is `>= date` (rows ascending by date), or
 * `rows.length` when every row is earlier: LEAN's rule "a row's date is the last day its values
 * apply to".
 */
export function firstRowOnOrAfter(
  rows: readonly { readonly date: string }[],
  date: string,
): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.date < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Splits a file's text into lines, keeping 1-based numbers and dropping blank lines. */
export function numberedLines(text: string): { readonly line: number; readonly text: string }[] {
  const out: { line: number; text: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t !== "") out.push({ line: i + 1, text: t });
  }
  return out;
}
