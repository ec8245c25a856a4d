/**
 * The rules an imported row must keep beyond a valid bar: a plausible time, positive prices,
 * values no running sum can overflow on. One place states them and words their refusals, so
 * every reader (the text parser today, DuckDB's `read_csv` later) refuses the same rows with the
 * same file, line, field and value.
 */
import { type Bar, barProblem, MINUTE_MS } from "../../domain/bar.js";

/** The largest price (absolute) an import accepts: beyond it a value is no real price. */
export const MAX_PRICE = 1e12;
/**
 * The largest volume of one bar an import accepts. Higher than {@link MAX_PRICE}: memecoins
 * trade around 1e12 units in a busy minute. With both limits a session's running sums
 * (price × volume over 1,440 bars) stay below 1e30, far from the 1.8e308 a double holds.
 */
export const MAX_VOLUME = 1e15;
/** Bars before this instant (1971-01-01T00:00Z) are refused: such times come from a wrong unit or format. */
export const EARLIEST_TIME = Date.UTC(1971, 0, 1);
/** The longest line the text readers accept unless told otherwise: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

const DAY_MS = 86_400_000;

/** The options of {@link RowRules}; they mirror `sessiondata import`'s flags. */
export interface RowRuleOptions {
  /** Accept zero and negative prices (spreads, contracts that trade below zero). */
  readonly allowNonpositivePrices?: boolean;
  /** Accept bar times before 1971 and after tomorrow. */
  readonly allowAnyTime?: boolean;
  /** The current instant, epoch ms ("tomorrow" is relative to it); default `Date.now()`. */
  readonly now?: number;
}

/** A rule a row breaks: the field to blame and the reason, quoting the value. */
export interface RowProblem {
  readonly field: string;
  readonly reason: string;
}

/** An instant as a message shows it: ISO 8601 to the minute when it has one, else the number. */
export function shownTime(time: number): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  const iso = date.toISOString();
  return iso.endsWith(":00.000Z") ? `${iso.slice(0, -8)}Z` : iso;
}

const PRICES = ["open", "high", "low", "close"] as const;

/** Checks imported rows against the import rules; one instance per import. */
export class RowRules {
  readonly #allowNonpositive: boolean;
  readonly #allowAnyTime: boolean;
  /** Exclusive: the end of tomorrow (UTC) relative to `now`. */
  readonly #latest: number;
  /** The smallest price accepted: the least positive double, or −{@link MAX_PRICE}. */
  readonly #minPrice: number;
  /** The accepted times, `[#earliest, #before)`: the window, or everything with `allowAnyTime`. */
  readonly #earliest: number;
  readonly #before: number;
  readonly #scratch: { -readonly [K in keyof Bar]: number } = {
    time: 0,
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    volume: 0,
  };

  constructor(options: RowRuleOptions = {}) {
    this.#allowNonpositive = options.allowNonpositivePrices === true;
    this.#allowAnyTime = options.allowAnyTime === true;
    const now = options.now ?? Date.now();
    this.#latest = (Math.floor(now / DAY_MS) + 2) * DAY_MS;
    this.#minPrice = this.#allowNonpositive ? -MAX_PRICE : Number.MIN_VALUE;
    this.#earliest = this.#allowAnyTime ? Number.NEGATIVE_INFINITY : EARLIEST_TIME;
    this.#before = this.#allowAnyTime ? Number.POSITIVE_INFINITY : this.#latest;
  }

  /** The first instant after the accepted window (the end of tomorrow, UTC). */
  get latest(): number {
    return this.#latest;
  }

  /**
   * The rules as one SQL condition over the columns `time, open, high, low, close, volume` (all
   * DOUBLE), true exactly where {@link problem} finds none: DuckDB's import path checks staged
   * rows with it. NaN compares above every number in DuckDB, so it fails the upper bounds as it
   * fails every comparison here; `> 0` is `>= Number.MIN_VALUE` (no double lies between).
   */
  sqlCondition(): string {
    const price = (c: string) =>
      this.#allowNonpositive
        ? `${c} BETWEEN -${MAX_PRICE} AND ${MAX_PRICE}`
        : `${c} > 0 AND ${c} <= ${MAX_PRICE}`;
    const window = this.#allowAnyTime
      ? "isfinite(time)"
      : `time >= ${this.#earliest} AND time < ${this.#before}`;
    return [
      "time % 60000 = 0",
      window,
      price("open"),
      price("high"),
      price("low"),
      price("close"),
      `volume >= 0 AND volume <= ${MAX_VOLUME}`,
      "high >= open AND high >= close AND low <= open AND low <= close",
    ].join(" AND ");
  }

  /**
   * The first rule the row breaks, or `undefined`. `timeText` gives the time as the file wrote
   * it (called only for a refusal, so the hot path slices no string).
   */
  problem(
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    timeText: () => string,
  ): RowProblem | undefined {
    // One pass of comparisons for the valid row (NaN fails every one); the refusal is worded
    // only for a row that breaks a rule.
    const min = this.#minPrice;
    if (
      time % MINUTE_MS === 0 &&
      time >= this.#earliest &&
      time < this.#before &&
      open >= min &&
      open <= MAX_PRICE &&
      high >= min &&
      high <= MAX_PRICE &&
      low >= min &&
      low <= MAX_PRICE &&
      close >= min &&
      close <= MAX_PRICE &&
      volume >= 0 &&
      volume <= MAX_VOLUME &&
      high >= open &&
      high >= close &&
      low <= open &&
      low <= close
    ) {
      return undefined;
    }
    return this.#refusal(time, open, high, low, close, volume, timeText);
  }

  #refusal(
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    timeText: () => string,
  ): RowProblem | undefined {
    if (!Number.isFinite(time) || time % MINUTE_MS !== 0) {
      const as = Number.isFinite(time) ? ` (it reads as ${shownTime(time)})` : "";
      return {
        field: "time",
        reason: `${JSON.stringify(timeText())} is not on a whole minute${as}`,
      };
    }
    if (!this.#allowAnyTime && (time < EARLIEST_TIME || time >= this.#latest)) {
      const when =
        time < EARLIEST_TIME
          ? "before 1971"
          : `after tomorrow (${shownTime(this.#latest - DAY_MS).slice(0, 10)})`;
      return {
        field: "time",
        reason:
          `${JSON.stringify(timeText())} reads as ${shownTime(time)}, ${when}: a wrong unit, zone or ` +
          "--format? Pass --allow-any-time if the time is right",
      };
    }
    const b = this.#scratch;
    b.time = time;
    b.open = open;
    b.high = high;
    b.low = low;
    b.close = close;
    b.volume = volume;
    for (const field of PRICES) {
      const v = b[field];
      if (!Number.isFinite(v)) break;
      if (Math.abs(v) > MAX_PRICE) {
        return { field, reason: `${v} is beyond ±${MAX_PRICE}: no real price is that large` };
      }
      if (v <= 0 && !this.#allowNonpositive) {
        return {
          field,
          reason: `${v} is not positive; pass --allow-nonpositive-prices for spreads or contracts that trade at or below zero`,
        };
      }
    }
    if (volume > MAX_VOLUME) {
      return {
        field: "volume",
        reason: `${volume} is beyond ${MAX_VOLUME}: no real bar trades that much`,
      };
    }
    return barProblem(b);
  }
}
