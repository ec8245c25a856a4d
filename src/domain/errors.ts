/**
 * Every error sessiondata throws on purpose extends {@link SessiondataError}, so callers can tell
 * a refusal of bad input apart from a bug. Messages quote the offending values.
 */
export class SessiondataError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

function isoOrRaw(time: unknown): string {
  if (typeof time === "number" && Number.isFinite(time)) {
    const date = new Date(time);
    if (!Number.isNaN(date.getTime())) return `${date.toISOString()} (${time})`;
  }
  return String(time);
}

/** A bar that breaks a validity rule. Nothing of it was stored. */
export class InvalidBarError extends SessiondataError {
  /** The symbol the bar was offered for. */
  readonly symbol: string;
  /** The bar's `time` as given (possibly not a number). */
  readonly time: unknown;
  /** The first field found wrong (`time`, `open`, `high`, `low`, `close`, `volume`, `timeframe`). */
  readonly field: string;
  /** The offending value. */
  readonly value: unknown;

  constructor(
    symbol: string,
    bar: ({ time?: unknown } & Record<string, unknown>) | object | null | undefined,
    field: string,
    reason: string,
  ) {
    const record = (bar ?? {}) as Record<string, unknown>;
    const time = record.time;
    super(`invalid bar for ${symbol} at ${isoOrRaw(time)}: ${field} ${reason}`);
    this.symbol = symbol;
    this.time = time;
    this.field = field;
    this.value = record[field];
  }
}

/** A timeframe name sessiondata does not know. */
export class InvalidTimeframeError extends InvalidBarError {
  constructor(value: unknown) {
    super("*", {}, "timeframe", `${JSON.stringify(value)} is not one of 1m, 5m, 15m, 30m, 1h`);
    this.message = `unknown timeframe ${JSON.stringify(value)}: expected one of 1m, 5m, 15m, 30m, 1h`;
  }
}

/**
 * A bar that belongs to a session before the current one (or to no session of the calendar).
 * The current session is never rewritten from an older one.
 */
export class SessionMismatchError extends SessiondataError {
  readonly symbol: string;
  readonly time: number;
  /** The session date the bar belongs to, or `undefined` when the calendar has none for it. */
  readonly barSession: string | undefined;
  /** The store's current session date. */
  readonly currentSession: string | undefined;

  constructor(
    symbol: string,
    time: number,
    barSession: string | undefined,
    currentSession: string | undefined,
    detail?: string,
  ) {
    const why =
      detail ??
      (barSession === undefined
        ? "falls in no session of the calendar"
        : `belongs to session ${barSession}, before the current session ${currentSession}`);
    super(`bar for ${symbol} at ${isoOrRaw(time)} ${why}`);
    this.symbol = symbol;
    this.time = time;
    this.barSession = barSession;
    this.currentSession = currentSession;
  }
}

/** A malformed or out-of-range date string (`YYYY-MM-DD` expected). */
export class InvalidDateError extends SessiondataError {
  readonly value: unknown;
  constructor(value: unknown, reason = "is not a valid YYYY-MM-DD date") {
    super(`date ${JSON.stringify(value)} ${reason}`);
    this.value = value;
  }
}

/**
 * A data source failed. `retryable` says whether asking again may succeed (a time-out, a
 * dropped connection) or cannot (bad credentials, an unknown symbol).
 */
export class SourceError extends SessiondataError {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
  }
}

/** A row of an imported file that cannot be read as a bar. Nothing of the file was written. */
export class ImportError extends SessiondataError {
  readonly file: string;
  /** 1-based line number in the file, or 0 where the problem is the file as a whole. */
  readonly line: number;
  readonly field: string | undefined;
  constructor(file: string, line: number, field: string | undefined, reason: string) {
    const where = line > 0 ? `${file}:${line}` : file;
    super(`${where}: ${field === undefined ? "" : `${field} `}${reason}`);
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

/** Options or arguments that make no sense (an empty range, a negative count, an unknown name). */
export class InvalidArgumentError extends SessiondataError {}

/**
 * A sample (`generateSampleBars`, `sessiondata generate`) would be written over symbols that
 * already hold bars, mixing made-up bars into their data. Nothing was written.
 */
export class ExistingBarsError extends SessiondataError {
  /** The symbols that hold bars, with how many. */
  readonly symbols: readonly { readonly symbol: string; readonly bars: number }[];

  constructor(
    where: string,
    symbols: readonly { readonly symbol: string; readonly bars: number }[],
  ) {
    const shown = symbols
      .slice(0, 5)
      .map((s) => `${s.symbol} (${s.bars.toLocaleString("en-US")} bar${s.bars === 1 ? "" : "s"})`)
      .join(", ");
    const more = symbols.length > 5 ? ` and ${symbols.length - 5} more` : "";
    super(
      `${where} already holds bars of ${shown}${more}: a sample would be mixed into them. Pass --force (overwrite: true) to write it anyway (its bars replace those at the same minutes), or use another --db`,
    );
    this.symbols = symbols;
  }
}
