import { inBreak, type TradingCalendar } from "../../calendar/trading-calendar.js";
import { xnysCalendar } from "../../calendar/xnys.js";
import { MINUTE_MS } from "../../domain/bar.js";
import { ExistingBarsError, InvalidArgumentError } from "../../domain/errors.js";
import { isDateString } from "../../domain/time.js";
import type { BarStore } from "../bar-store.js";
import { checkSymbol, openBulkWriter } from "../bulk-writer.js";
import { hashSeed, Random } from "./random.js";
import { SAMPLE_START_PRICES, sampleTickers } from "./sample-tickers.js";

/** What {@link generateSampleBars} makes. */
export interface SampleOptions {
  /** Symbol names, or how many (real-looking tickers first, then generated ones). */
  readonly symbols: readonly string[] | number;
  /** First and last session date, `YYYY-MM-DD`, both inclusive. */
  readonly from: string;
  readonly to: string;
  /** Same seed, same bars, byte for byte (default 1). */
  readonly seed?: number;
  /** Whose sessions to fill (default XNYS: holidays skipped, early closes honoured). */
  readonly calendar?: TradingCalendar;
  /** The share of bars left out at random, for gap-repair demos: 0 (default) to below 1. */
  readonly missingRate?: number;
  /** Also fill the calendar's extended hours (pre- and post-market), thinly traded. */
  readonly extended?: boolean;
  /** Called after each symbol with the symbols done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Write over symbols that already hold bars (their bars at the same minutes are replaced, the
   * others stay). Without it such symbols are refused with an `ExistingBarsError`.
   */
  readonly overwrite?: boolean;
  /** How the store is named in a refusal (default "the store"); the CLI passes the path. */
  readonly storeName?: string;
}

/** What {@link generateSampleBars} wrote. */
export interface SampleResult {
  readonly symbols: string[];
  readonly bars: number;
  /** Bars left out by `missingRate`. */
  readonly missing: number;
}

const MINUTES_PER_YEAR = 252 * 390;

/** The U-shaped intraday volume curve: 4× the midday rate at the open and the close. */
function volumeShape(x: number): number {
  const d = 2 * x - 1;
  return 1 + 3 * d * d;
}

const cents = (x: number): number => Math.round(x * 100) / 100;

/**
 * Writes a deterministic random walk of 1-minute bars for each symbol into the store, in one
 * transaction: geometric Brownian motion per symbol (its own start price, drift and volatility),
 * prices in cents, an overnight gap at each session's open, and a U-shaped intraday volume
 * curve. Bars fall only inside the calendar's sessions (regular hours, or extended with
 * `extended`). The same options give the same bars byte for byte; a symbol's bars do not depend
 * on which other symbols are generated with it. Symbols are upper-cased. A store that already
 * holds bars of one of them is refused (`ExistingBarsError`, naming each with its count) unless
 * `overwrite` is set.
 *
 * @example
 * ```ts
 * const store = await DuckDbBarStore.open(":memory:");
 * const { symbols, bars } = await generateSampleBars(store, {
 *   symbols: 20, from: "2024-01-02", to: "2024-01-31", seed: 1, calendar: xnysCalendar,
 * });
 * ```
 */
export async function generateSampleBars(
  store: BarStore,
  options: SampleOptions,
): Promise<SampleResult> {
  const { symbols, sessionDates } = checkSampleOptions(options);
  if (options.overwrite !== true) {
    const held = await symbolsWithBars(store, symbols);
    if (held.length > 0) throw new ExistingBarsError(options.storeName ?? "the store", held);
  }
  const seed = options.seed ?? 1;
  const calendar = options.calendar ?? xnysCalendar;
  const missingRate = options.missingRate ?? 0;
  const sessions = sessionDates.map((date) => calendar.session(date)!);
  const minutes = sessions.reduce(
    (n, s) => n + (options.extended ? s.postClose - s.preOpen : s.close - s.open) / MINUTE_MS,
    0,
  );
  const cols = {
    time: new Float64Array(minutes),
    open: new Float64Array(minutes),
    high: new Float64Array(minutes),
    low: new Float64Array(minutes),
    close: new Float64Array(minutes),
    volume: new Float64Array(minutes),
  };
  const writer = await openBulkWriter(store);
  let bars = 0;
  let missing = 0;
  try {
    // Written in name order, so a fresh store gives the symbols ids in name order (its scans
    // then sort by id without a join). Each symbol's bars depend on its name only.
    const byName = [...symbols].sort();
    for (const [k, symbol] of byName.entries()) {
      const rng = new Random(hashSeed(seed, symbol));
      // A separate stream decides the holes, so the prices do not depend on missingRate.
      const holes = new Random(hashSeed(seed + 1, symbol));
      const sigma = 0.15 + 0.45 * rng.next();
      const drift = 0.1 * (rng.next() - 0.5);
      // Drawn for every symbol, so a known ticker's start price leaves the stream unchanged.
      const randomStart = Math.exp(Math.log(10) + rng.next() * Math.log(50));
      let price = SAMPLE_START_PRICES[symbol] ?? randomStart;
      const perMinute = (2e5 + rng.next() * 2e6) / 390;
      const s = sigma / Math.sqrt(MINUTES_PER_YEAR);
      const mu = drift / MINUTES_PER_YEAR - (s * s) / 2;
      let n = 0;
      for (const session of sessions) {
        price = Math.max(0.01, price * Math.exp(s * Math.sqrt(30) * rng.normal()));
        const start = options.extended ? session.preOpen : session.open;
        const end = options.extended ? session.postClose : session.close;
        const length = session.close - session.open;
        for (let t = start; t < end; t += MINUTE_MS) {
          // A lunch break (XTKS, XHKG) trades nothing.
          if (inBreak(session, t)) continue;
          const open = cents(price);
          price = Math.max(0.01, price * Math.exp(mu + s * rng.normal()));
          const close = cents(price);
          const wick = s * 0.6;
          const high = Math.max(
            cents(Math.max(open, close) * Math.exp(wick * Math.abs(rng.normal()))),
            open,
            close,
          );
          const low = Math.max(
            0.01,
            Math.min(
              cents(Math.min(open, close) * Math.exp(-wick * Math.abs(rng.normal()))),
              open,
              close,
            ),
          );
          const regular = t >= session.open && t < session.close;
          const shape = regular ? volumeShape((t - session.open) / length) : 0.05;
          const volume = Math.round(perMinute * shape * Math.exp(0.5 * rng.normal()));
          if (missingRate > 0 && holes.next() < missingRate) {
            missing++;
            continue;
          }
          cols.time[n] = t;
          cols.open[n] = open;
          cols.high[n] = high;
          cols.low[n] = Math.min(low, open, close);
          cols.close[n] = close;
          cols.volume[n] = volume;
          n++;
        }
      }
      writer.append(symbol, cols, n);
      bars += n;
      options.onProgress?.(k + 1, symbols.length);
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  // Like an import: the symbols table says which calendar the bars were made on, so every
  // command replays and measures them on it without --calendar. Prices are in cents.
  for (const symbol of symbols) {
    await store.setSymbolInfo({
      symbol,
      calendar: calendar.name,
      timeZone: calendar.timeZone,
      priceDecimals: 2,
    });
  }
  return { symbols, bars, missing };
}

/**
 * Checks {@link generateSampleBars}' options without writing anything (the CLI calls it before it
 * opens or creates a database): dates, their order and the calendar's range, seed, missing rate,
 * symbols. Throws `InvalidArgumentError` or `InvalidDateError`; resolves the symbol names and
 * the session dates to fill.
 */
export function checkSampleOptions(options: SampleOptions): {
  symbols: string[];
  sessionDates: string[];
} {
  const { from, to } = options;
  const seed = options.seed ?? 1;
  const calendar = options.calendar ?? xnysCalendar;
  const missingRate = options.missingRate ?? 0;
  if (!isDateString(from))
    throw new InvalidArgumentError(`from ${JSON.stringify(from)} is not a YYYY-MM-DD date`);
  if (!isDateString(to))
    throw new InvalidArgumentError(`to ${JSON.stringify(to)} is not a YYYY-MM-DD date`);
  if (from > to) throw new InvalidArgumentError(`from ${from} is after to ${to}`);
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`seed ${seed} is not an integer`);
  if (!(missingRate >= 0 && missingRate < 1)) {
    throw new InvalidArgumentError(`missingRate ${missingRate} is not in [0, 1)`);
  }
  if (typeof options.symbols !== "number") for (const s of options.symbols) checkSymbol(s);
  const symbols =
    typeof options.symbols === "number"
      ? countedSymbols(options.symbols)
      : options.symbols.map((s) => s.toUpperCase());
  if (symbols.length === 0) throw new InvalidArgumentError("no symbols to generate");
  const twice = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (twice !== undefined) {
    throw new InvalidArgumentError(`symbol ${twice} is named twice (symbols are case-insensitive)`);
  }

  return { symbols, sessionDates: calendar.sessionsBetween(from, to) };
}

function countedSymbols(count: number): string[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > 100_000) {
    throw new InvalidArgumentError(`symbol count ${count} is not between 1 and 100000`);
  }
  return sampleTickers(count);
}

/**
 * Which of `symbols` already hold bars in the store, with their counts (sorted by symbol): what
 * a sample would be written over.
 */
export async function symbolsWithBars(
  store: BarStore,
  symbols: readonly string[],
): Promise<{ symbol: string; bars: number }[]> {
  const stored = new Set((await store.symbols()).map((s) => s.toUpperCase()));
  const held: { symbol: string; bars: number }[] = [];
  for (const symbol of [...symbols].sort()) {
    if (!stored.has(symbol.toUpperCase())) continue;
    const coverage = await store.coverage(symbol);
    if (coverage !== undefined) held.push({ symbol, bars: coverage.count });
  }
  return held;
}
