import type { Session, TradingCalendar } from "../calendar/trading-calendar.js";
import { InvalidArgumentError, InvalidDateError } from "../domain/errors.js";
import { isDateString } from "../domain/time.js";
import type { BacktestOptions, ReplayHours } from "./backtest-types.js";
import type { ReplayUpkeep } from "./replay-upkeep.js";

/** The options of a backtest once checked, with defaults filled in. */
export interface CheckedBacktestOptions {
  /** The calendar's sessions from `from` to `to`, never empty. */
  readonly sessions: readonly string[];
  readonly hours: ReplayHours;
  readonly dropRate: number;
  readonly chunkSize: number | undefined;
  readonly upkeep: ReplayUpkeep | undefined;
}

/**
 * Checks a backtest's options up front, so a bad date, an empty range or a nonsensical number
 * fails at construction with a message quoting the value, never half-way through a replay.
 */
export function checkBacktestOptions(options: BacktestOptions): CheckedBacktestOptions {
  const { from, to, calendar } = options;
  if (!isDateString(from))
    throw new InvalidDateError(from, "(from) is not a valid YYYY-MM-DD date");
  if (!isDateString(to)) throw new InvalidDateError(to, "(to) is not a valid YYYY-MM-DD date");
  if (from > to) throw new InvalidArgumentError(`empty range: from ${from} is after to ${to}`);
  const sessions = calendar.sessionsBetween(from, to);
  if (sessions.length === 0) {
    throw new InvalidArgumentError(
      `empty range: no ${calendar.name} session between ${from} and ${to}`,
    );
  }
  const hours = options.hours ?? "regular";
  if (hours !== "regular" && hours !== "extended") {
    throw new InvalidArgumentError(
      `hours must be "regular" or "extended", got ${JSON.stringify(hours)}`,
    );
  }
  const dropRate = options.dropRate ?? 0;
  if (!(typeof dropRate === "number" && dropRate >= 0 && dropRate <= 1)) {
    throw new InvalidArgumentError(`dropRate must be a number in [0, 1], got ${String(dropRate)}`);
  }
  const chunkSize = options.chunkSize;
  if (chunkSize !== undefined && !(Number.isInteger(chunkSize) && chunkSize > 0)) {
    throw new InvalidArgumentError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
  const upkeep = options.upkeep;
  if (upkeep !== undefined && !(Number.isFinite(upkeep.interval) && upkeep.interval > 0)) {
    throw new InvalidArgumentError(
      `upkeep.interval must be a positive number of ms, got ${String(upkeep.interval)}`,
    );
  }
  if (options.symbols !== undefined && options.symbols.length === 0) {
    throw new InvalidArgumentError("symbols is empty: name at least one, or omit it for all");
  }
  return { sessions, hours, dropRate, chunkSize, upkeep };
}

/**
 * Refuses a replay into a session store already past its first session `first`. Said up front:
 * otherwise the first session's roll fails with a bare SessionMismatchError (a second backtest on
 * one system's store is the usual way to get here).
 */
export function checkSessionStoreAt(current: string | undefined, first: string): void {
  if (current !== undefined && current > first) {
    throw new InvalidArgumentError(
      `the session store is at session ${current}, after the replay's first session ${first}: clear it first (sessionData.clear()) or replay from ${current} on`,
    );
  }
}

/** One session of a replay: its replayed window and what the replay counted in it. */
export interface SessionRun {
  readonly index: number;
  readonly date: string;
  readonly session: Session;
  /** The replayed window `[from, to)`: regular or extended hours. */
  readonly from: number;
  readonly to: number;
  bars: number;
  slices: number;
}

/** The replayed window of every session of the range: `[open, close)` or `[preOpen, postClose)`. */
export function sessionWindows(
  calendar: TradingCalendar,
  sessions: readonly string[],
  hours: ReplayHours,
): SessionRun[] {
  const regular = hours === "regular";
  return sessions.map((date, index) => {
    const session = calendar.session(date)!;
    return {
      index,
      date,
      session,
      from: regular ? session.open : session.preOpen,
      to: regular ? session.close : session.postClose,
      bars: 0,
      slices: 0,
    };
  });
}

/**
 * The listener set of `event` in a table of them, for `on`/`off`: an unknown name (a typo, or
 * `"toString"`) is an {@link InvalidArgumentError} listing the events, not a TypeError.
 */
export function listenersOf<M extends object, K extends keyof M>(table: M, event: K): M[K] {
  if (!Object.hasOwn(table, event)) {
    throw new InvalidArgumentError(
      `unknown replay event ${JSON.stringify(event)}: use one of ${Object.keys(table).join(", ")}`,
    );
  }
  return table[event];
}
