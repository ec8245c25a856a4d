/**
 * Number and timestamp parsing for the importers, straight from a line of text by character
 * codes: no substring per field on the common paths, because a 10-million-row file has 60
 * million fields.
 */
import { ZoneOffsets } from "../../calendar/zoned-time.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import { daysFromCivil } from "../../domain/time.js";

const MINUTE = 60_000;
const HALF_DAY = 12 * 3_600_000;
/** Exact powers of ten as doubles (10^22 is the largest that is exact). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A plain decimal, optionally with an exponent: what the slow path of {@link parseNumber} lets
 * `Number()` read. `Number()` alone would also take `0x1A`, `0b1`, `0o7` and `Infinity`.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function slowNumber(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : Number.NaN;
}

/**
 * The number written in `text[s, e)`, or NaN. Decimal fractions with at most 15 significant
 * digits take the exact fast path (an integer mantissa over a power of ten: both exact doubles,
 * so the quotient is correctly rounded, the same double `Number()` gives); other plain decimals
 * (exponents, more digits) go through `Number()`; hex, binary, octal and `Infinity` are NaN.
 */
export function parseNumber(text: string, s: number, e: number): number {
  while (s < e && text.charCodeAt(s) === 32) s++;
  while (e > s && text.charCodeAt(e - 1) === 32) e--;
  if (s === e) return Number.NaN;
  let i = s;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let sawDigit = false;
  let dot = false;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      sawDigit = true;
      if (mantissa === 0 && c === 48) {
        if (dot) scale++;
        continue;
      }
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) scale++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return slowNumber(text.slice(s, e));
    }
  }
  if (!sawDigit) return Number.NaN;
  if (digits > 15 || scale > 22) return slowNumber(text.slice(s, e));
  const v = scale === 0 ? mantissa : mantissa / POW10[scale]!;
  return negative ? -v : v;
}

/** Throws unless `tz` names an IANA time zone this Node knows. */
export function checkTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw new InvalidArgumentError(`unknown time zone ${JSON.stringify(tz)}: use an IANA name`);
  }
}

/**
 * Converts wall-clock times of one IANA zone to UTC instants. Offsets come from `Intl` and are
 * cached per quarter hour of UTC, the finest step at which any zone changes its offset.
 */
export class WallClock {
  readonly #zone: ZoneOffsets;
  readonly #cache = new Map<number, number>();

  constructor(timeZone: string) {
    checkTimeZone(timeZone);
    this.#zone = new ZoneOffsets(timeZone);
  }

  #offset(time: number): number {
    const key = Math.floor(time / (15 * MINUTE));
    let v = this.#cache.get(key);
    if (v === undefined) {
      v = this.#zone.offsetAt(time);
      this.#cache.set(key, v);
    }
    return v;
  }

  /**
   * The instant of a wall-clock time given as if it were UTC (`Date.UTC` of its fields). In the
   * hour a clock goes back, the earlier instant; in the hour it skips, the offset before the jump.
   */
  toUtc(wall: number): number {
    // Offsets half a day either side: equal unless a switch is near (zones switch at most
    // once a day), which is nearly every row, at two cached look-ups.
    const a = this.#offset(wall - HALF_DAY);
    const b = this.#offset(wall + HALF_DAY);
    const early = wall - a * MINUTE;
    if (a === b) return early;
    const late = wall - b * MINUTE;
    const earlyHolds = this.#offset(early) === a;
    const lateHolds = this.#offset(late) === b;
    // Both hold in the repeated hour: the earlier instant. Neither holds in the skipped hour:
    // the offset before the jump (02:30 on a New York spring-forward day is 03:30 EDT).
    if (earlyHolds && lateHolds) return Math.min(early, late);
    if (lateHolds && !earlyHolds) return late;
    return early;
  }
}

function digitsAt(text: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses the timestamps of one file: epoch numbers (seconds, milliseconds, microseconds or
 * nanoseconds, told apart by size) and ISO 8601 date-times (`YYYY-MM-DD`, `T` or a space, then
 * `HH:MM[:SS[.fff…]]`, then `Z`, `±HH:MM`, `±HHMM`, `±HH`, ` UTC` or nothing). A time without an offset
 * is UTC, or wall-clock time in `timeZone` when one is given, never the host's zone.
 */
export class TimestampParser {
  readonly #clock: WallClock | undefined;

  constructor(timeZone?: string) {
    this.#clock = timeZone === undefined ? undefined : new WallClock(timeZone);
  }

  /** Epoch milliseconds of `text[s, e)`, or NaN when it is not a timestamp. */
  parse(text: string, s: number, e: number): number {
    while (s < e && text.charCodeAt(s) === 32) s++;
    while (e > s && text.charCodeAt(e - 1) === 32) e--;
    if (e - s >= 10 && isDateSeparator(text.charCodeAt(s + 4))) return this.#iso(text, s, e);
    const v = parseNumber(text, s, e);
    if (!Number.isFinite(v)) return Number.NaN;
    return epochToMs(v);
  }

  #iso(text: string, s: number, e: number): number {
    const year = digitsAt(text, s, 4);
    const month = digitsAt(text, s + 5, 2);
    const day = digitsAt(text, s + 8, 2);
    if (
      year < 0 ||
      month < 1 ||
      month > 12 ||
      day < 1 ||
      text.charCodeAt(s + 7) !== text.charCodeAt(s + 4)
    ) {
      return Number.NaN;
    }
    if (day > DAYS_IN_MONTH[month - 1]! || (month === 2 && day === 29 && !leap(year))) {
      return Number.NaN;
    }
    let i = s + 10;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let ms = 0;
    if (i < e && (text.charCodeAt(i) === 84 || text.charCodeAt(i) === 32)) {
      hour = digitsAt(text, i + 1, 2);
      minute = digitsAt(text, i + 4, 2);
      if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || text.charCodeAt(i + 3) !== 58) {
        return Number.NaN;
      }
      i += 6;
      if (i < e && text.charCodeAt(i) === 58) {
        second = digitsAt(text, i + 1, 2);
        if (second < 0 || second > 59) return Number.NaN;
        i += 3;
        if (i < e && (text.charCodeAt(i) === 46 || text.charCodeAt(i) === 44)) {
          i++;
          let scale = 100;
          const start = i;
          while (i < e) {
            const c = text.charCodeAt(i) - 48;
            if (c < 0 || c > 9) break;
            ms += c * scale;
            scale /= 10;
            i++;
          }
          if (i === start) return Number.NaN;
          ms = Math.round(ms);
        }
      }
    }
    // Integer civil-date arithmetic: several times cheaper than Date.UTC on the hot path.
    const wall =
      daysFromCivil(year, month, day) * 86_400_000 +
      ((hour * 60 + minute) * 60 + second) * 1000 +
      ms;
    if (i === e) return this.#clock === undefined ? wall : this.#clock.toUtc(wall);
    const c = text.charCodeAt(i);
    if ((c === 90 || c === 122) && i + 1 === e) return wall;
    // `2024-01-02 14:30:00 UTC`, as BigQuery and some databases export timestamps.
    if (c !== 43 && c !== 45) return isUtcSuffix(text, i, e) ? wall : Number.NaN;
    const oh = digitsAt(text, i + 1, 2);
    let om = 0;
    let rest = i + 3;
    if (rest < e && text.charCodeAt(rest) === 58) rest++;
    if (rest < e) {
      om = digitsAt(text, rest, 2);
      rest += 2;
    }
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || rest !== e) return Number.NaN;
    const offset = (oh * 60 + om) * MINUTE;
    return c === 43 ? wall - offset : wall + offset;
  }
}

/** Whether `text[i, e)` is `UTC` or `GMT`, with or without a space before it. */
function isUtcSuffix(text: string, i: number, e: number): boolean {
  const name = text.slice(text.charCodeAt(i) === 32 ? i + 1 : i, e).toUpperCase();
  return name === "UTC" || name === "GMT";
}

/** `-` (ISO), `.` (MetaTrader) or `/` between year, month and day, always in that order. */
function isDateSeparator(c: number): boolean {
  return c === 45 || c === 46 || c === 47;
}

function leap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * An epoch number in milliseconds, its unit told by size: below 1e11 seconds (to year 5138),
 * below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
 */
export function epochToMs(v: number): number {
  const a = Math.abs(v);
  if (a < 1e11) return Math.round(v * 1000);
  if (a < 1e14) return v;
  if (a < 1e17) return Math.round(v / 1000);
  return Math.round(v / 1e6);
}
