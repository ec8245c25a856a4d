import { basename, dirname } from "node:path";
import { ImportError } from "../../domain/errors.js";
import { parseDay } from "../../domain/time.js";
import { WallClock } from "./timestamps.js";

/** LEAN equity prices are integers in units of 1/10,000 dollar. */
export const LEAN_PRICE_SCALE = 10_000;
/** LEAN US equity data is stamped in New York time. */
export const LEAN_TIME_ZONE = "America/New_York";

const ENTRY_RE = /^(\d{8})_([^_]+)_minute_(trade|quote|openinterest)\.csv$/i;
const ZIP_RE = /^(\d{8})_(trade|quote|openinterest)\.zip$/i;

/** Whether a file or zip-entry name is a LEAN minute file. */
export function isLeanName(name: string): boolean {
  const base = basename(name);
  return ENTRY_RE.test(base) || ZIP_RE.test(base);
}

/** The trading date, ticker and kind a LEAN file name carries. */
export interface LeanName {
  readonly date: string;
  readonly ticker: string | undefined;
  readonly kind: string;
}

/**
 * Reads `YYYYMMDD_ticker_minute_trade.csv` (a zip entry or a loose file) or, failing that, the
 * zip's own `YYYYMMDD_trade.zip` with the ticker from the folder (`minute/<ticker>/…`).
 */
export function parseLeanName(file: string, entry: string | undefined): LeanName {
  const inner = entry === undefined ? undefined : ENTRY_RE.exec(basename(entry));
  const own = ENTRY_RE.exec(basename(file));
  const zip = ZIP_RE.exec(basename(file));
  const m = inner ?? own;
  const raw = m?.[1] ?? zip?.[1];
  if (raw === undefined) {
    throw new ImportError(file, 0, undefined, "has no YYYYMMDD date in its LEAN file name");
  }
  const date = `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`;
  try {
    parseDay(date);
  } catch {
    throw new ImportError(file, 0, undefined, `has an impossible date ${raw} in its name`);
  }
  const folder = basename(dirname(file));
  const ticker = m?.[2] ?? (zip !== null && folder !== "." ? folder : undefined);
  return { date, ticker: ticker?.toUpperCase(), kind: (m?.[3] ?? zip?.[2] ?? "").toLowerCase() };
}

/**
 * The time reader for one LEAN day: the field is milliseconds since local midnight, and the
 * bar's start is that wall-clock time in the exchange's zone (correct on DST-switch days too).
 */
export function leanTimeOf(
  date: string,
  timeZone: string,
): (text: string, s: number, e: number) => number {
  const clock = new WallClock(timeZone);
  const midnight = parseDay(date) * 86_400_000;
  return (text, s, e) => {
    let v = 0;
    if (s === e) return Number.NaN;
    for (let i = s; i < e; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return Number.NaN;
      v = v * 10 + c;
    }
    if (v >= 86_400_000) return Number.NaN;
    return clock.toUtc(midnight + v);
  };
}
