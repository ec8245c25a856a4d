/**
 * A read-only {@link BarStore} view that applies corporate actions to another store's bars:
 * prices and volumes scaled by each bar's session factors (split- or fully adjusted, relative
 * to a reference session whose bars keep their raw prices), and permanent tickers resolved
 * through map files (a renamed security replays as one series under the name asked for).
 * What the backtest coordinator scans and gap repair refills from, so the replay loop itself
 * knows nothing of corporate actions.
 */
import type { TradingCalendar } from "../../calendar/trading-calendar.js";
import type { Bar } from "../../domain/bar.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import { addDays } from "../../domain/time.js";
import { allocateChunk, checkScanOptions, trimChunk } from "../bar-chunk.js";
import type {
  BarChunk,
  BarStore,
  CountBarsOptions,
  Coverage,
  ScanOptions,
  SymbolInfo,
} from "../bar-store.js";
import { checkCountOptions, countBarsByScan } from "../count-bars.js";
import { normalizeSymbol } from "../symbol-info.js";
import { type AdjustMode, checkAdjustMode, scalesOf } from "./adjust-mode.js";
import { Reader, type Segment, scaleOnly, sortGroup } from "./adjusted-scan.js";
import { type CorporateActionStore, corporateActionsOf } from "./corporate-action-store.js";
import { type FactorRow, factorsOn, IDENTITY_FACTORS } from "./factor-file.js";
import { type MapRow, tickerOn } from "./map-file.js";

/** Options of {@link AdjustedBarStore}. */
export interface AdjustedBarStoreOptions {
  /** The store of raw bars. */
  readonly barStore: BarStore;
  /** Factor and map rows (default: `corporateActionsOf(barStore)`; none: nothing to adjust). */
  readonly corporateActions?: CorporateActionStore;
  /** The calendar that tells which session a bar belongs to. */
  readonly calendar: TradingCalendar;
  /** `raw`, `split` (default) or `total`. */
  readonly adjust?: AdjustMode;
  /**
   * The reference session, `YYYY-MM-DD`: its bars keep their raw prices and every other
   * session's are scaled relative to it (a backtest's last session). Default: the factor
   * files' end, so prices are adjusted as of today, as LEAN's are.
   */
  readonly asOf?: string;
}

/** What the view resolved for a name asked for. */
interface Plan {
  readonly name: string;
  readonly factors: readonly FactorRow[];
  readonly map: readonly MapRow[] | undefined;
  readonly segments: readonly Segment[];
  /** Whether every segment reads the name itself, unscaled. */
  readonly identity: boolean;
  /** The stored tickers its segments read. */
  readonly tickers: readonly string[];
}

/**
 * The view. Reads (`scan`, `readBars`, `coverage`, `symbols`, `symbolInfo`) answer as if the
 * store held adjusted bars under permanent tickers; writes throw (write the raw store). It reads
 * the factor and map rows once (make a new view after importing more, as each replay does).
 *
 * @example
 * ```ts
 * const view = new AdjustedBarStore({ barStore, calendar: xnysCalendar, adjust: "split", asOf: "2024-06-28" });
 * const bars = await view.readBars("ABC", from, to); // continuous across ABC's split
 * ```
 */
export class AdjustedBarStore implements BarStore {
  /** The mode the view applies. */
  readonly adjust: AdjustMode;
  /** The reference session, if one was given. */
  readonly asOf: string | undefined;
  readonly #store: BarStore;
  readonly #corporate: CorporateActionStore | undefined;
  readonly #calendar: TradingCalendar;
  readonly #plans = new Map<string, Promise<Plan>>();
  readonly #ready = new Map<string, Plan>();
  #permticks: Promise<Map<string, string[]>> | undefined;
  #withFactors: Promise<Set<string>> | undefined;
  #scanned: readonly string[] = [];

  constructor(options: AdjustedBarStoreOptions) {
    this.adjust = checkAdjustMode(options.adjust);
    this.asOf = options.asOf;
    this.#store = options.barStore;
    this.#corporate = options.corporateActions ?? corporateActionsOf(options.barStore);
    this.#calendar = options.calendar;
  }

  /** The names the latest `scan` read (upper case, sorted): a replay's symbols. */
  get scannedSymbols(): readonly string[] {
    return this.#scanned;
  }

  /** The store of raw bars under the view. */
  get rawStore(): BarStore {
    return this.#store;
  }

  /**
   * Loads the factor and map rows of `symbols` (scans do it by themselves), so that
   * {@link factorsOn} answers for them.
   */
  async prepare(symbols: readonly string[]): Promise<void> {
    await Promise.all(symbols.map((s) => this.#plan(normalizeSymbol(s))));
  }

  /**
   * The factor row in effect for `symbol` on session `date` (the file's own numbers, not
   * relative to `asOf`), or `undefined` before `prepare` (or a scan) loaded the symbol.
   */
  factorsOn(symbol: string, date: string): FactorRow | undefined {
    const plan = this.#ready.get(symbol);
    return plan === undefined ? undefined : factorsOn(plan.factors, date);
  }

  /** What raw prices of `symbol`'s session `date` are multiplied by in this view (1 in raw mode). */
  priceScaleOn(symbol: string, date: string): number | undefined {
    const plan = this.#ready.get(symbol);
    if (plan === undefined) return undefined;
    return scalesOf(this.adjust, factorsOn(plan.factors, date), this.#reference(plan.factors))
      .price;
  }

  #reference(factors: readonly FactorRow[]): FactorRow {
    return this.asOf === undefined ? IDENTITY_FACTORS : factorsOn(factors, this.asOf);
  }

  #plan(name: string): Promise<Plan> {
    let plan = this.#plans.get(name);
    if (plan === undefined) {
      plan = this.#build(name).then((p) => {
        this.#ready.set(name, p);
        return p;
      });
      this.#plans.set(name, plan);
    }
    return plan;
  }

  async #build(name: string): Promise<Plan> {
    const corporate = this.#corporate;
    // Two queries tell which names have rows at all, so a replay of many symbols without
    // corporate actions asks nothing per symbol.
    const withFactors = await this.#factorSymbols();
    const maps = await this.#mapTickers();
    const factors =
      corporate !== undefined && withFactors.has(name) ? await corporate.factorRows(name) : [];
    const mapRows = corporate !== undefined && maps.has(name) ? await corporate.mapRows(name) : [];
    // A map file that only ever names the symbol itself changes nothing.
    const map = mapRows.some((r) => r.ticker !== name) ? mapRows : undefined;
    const dates = [
      ...new Set([...factors.map((r) => r.date), ...(map ?? []).map((r) => r.date)]),
    ].sort();
    const ref = this.#reference(factors);
    const segments: Segment[] = [];
    const segment = (date: string, end: number, f: FactorRow, ticker: string | undefined) => {
      const { price, volume } = scalesOf(this.adjust, f, ref);
      segments.push({ end, ticker, price, volume, date });
    };
    for (const date of dates) {
      segment(
        date,
        this.#endOf(date),
        factorsOn(factors, date),
        map === undefined ? name : tickerOn(map, date),
      );
    }
    segment(
      "9999-12-31",
      Number.POSITIVE_INFINITY,
      IDENTITY_FACTORS,
      map === undefined ? name : undefined,
    );
    const identity = segments.every((s) => s.ticker === name && s.price === 1 && s.volume === 1);
    const tickers = [
      ...new Set(segments.map((s) => s.ticker).filter((t) => t !== undefined)),
    ].sort();
    return { name, factors, map, segments, identity, tickers };
  }

  /** The first instant after session `date` (the next session's pre-open). */
  #endOf(date: string): number {
    try {
      const next = this.#calendar.nextSession(date);
      return this.#calendar.session(next)!.preOpen;
    } catch {
      // Beyond the calendar's years (LEAN's 2050-12-31 on a calendar computed to 2099 is fine;
      // 1900 is not): the UTC day's end, which no bar of those years can contradict.
      return Date.parse(`${addDays(date, 1)}T00:00:00Z`);
    }
  }

  /**
   * Chunks ordered by (time, symbol) of the names asked for, adjusted. Unscaled names whose
   * bars are all their own pass the raw store's chunks through untouched.
   */
  scan(options: ScanOptions): AsyncIterable<BarChunk> {
    return this.#scan(options, true);
  }

  async *#scan(options: ScanOptions, record: boolean): AsyncIterable<BarChunk> {
    const size = checkScanOptions(options);
    const names = [
      ...new Set((options.symbols ?? (await this.symbols())).map(normalizeSymbol)),
    ].sort();
    const plans = await Promise.all(names.map((n) => this.#plan(n)));
    // Gap repair's reads of one symbol mid-replay must not change what the replay scans.
    if (record) this.#scanned = names;
    if (plans.every((p) => p.identity)) {
      yield* this.#store.scan({ ...options, symbols: names });
      return;
    }
    // Who reads each stored ticker: usually one name, itself (a chain when several do).
    const readers = new Map<string, Reader>();
    let pairs = 0;
    let renamed = false;
    for (const plan of plans) {
      for (const ticker of plan.tickers) {
        const reader = new Reader(plan.name, plan.segments, readers.get(ticker));
        readers.set(ticker, reader);
        pairs++;
        if (ticker !== plan.name) renamed = true;
      }
    }
    const raw = this.#store.scan({ ...options, symbols: [...readers.keys()].sort() });
    if (!renamed) {
      yield* scaleOnly(raw, readers);
      return;
    }
    const capacity = size + pairs;
    let out = allocateChunk(capacity);
    let n = 0;
    let groupStart = 0;
    let groupTime = Number.NaN;
    for await (const chunk of raw) {
      const { length, symbol, time, open, high, low, close, volume, provenance } = chunk;
      for (let i = 0; i < length; i++) {
        const t = time[i]!;
        if (t !== groupTime) {
          if (renamed && n - groupStart > 1) sortGroup(out, groupStart, n);
          if (n >= size) {
            yield trimChunk(out, n);
            out = allocateChunk(capacity);
            n = 0;
          }
          groupStart = n;
          groupTime = t;
        }
        const stored = symbol[i]!;
        for (let r = readers.get(stored); r !== undefined; r = r.next) {
          if (t >= r.end) r.seek(t);
          if (r.ticker !== stored) continue;
          const p = r.price;
          out.symbol[n] = r.name;
          out.time[n] = t;
          out.open[n] = open[i]! * p;
          out.high[n] = high[i]! * p;
          out.low[n] = low[i]! * p;
          out.close[n] = close[i]! * p;
          out.volume[n] = volume[i]! * r.volume;
          out.provenance[n] = provenance[i]!;
          n++;
        }
      }
    }
    if (renamed && n - groupStart > 1) sortGroup(out, groupStart, n);
    if (n > 0) yield trimChunk(out, n);
  }

  async readBars(symbol: string, from: number, to: number): Promise<Bar[]> {
    const bars: Bar[] = [];
    for await (const c of this.#scan({ symbols: [symbol], from, to }, false)) {
      for (let i = 0; i < c.length; i++) {
        bars.push({
          time: c.time[i]!,
          open: c.open[i]!,
          high: c.high[i]!,
          low: c.low[i]!,
          close: c.close[i]!,
          volume: c.volume[i]!,
        });
      }
    }
    return bars;
  }

  /**
   * The raw store's symbols and every permanent ticker whose map file names a stored ticker
   * (so `NEWCO` is known over a range when only `OLDCO` bars are stored), sorted.
   */
  async symbols(): Promise<string[]> {
    const stored = await this.#store.symbols();
    const have = new Set(stored);
    for (const [permtick, tickers] of await this.#mapTickers()) {
      if (tickers.some((t) => have.has(t))) have.add(permtick);
    }
    return [...have].sort();
  }

  #factorSymbols(): Promise<Set<string>> {
    this.#withFactors ??= (this.#corporate?.factorSymbols() ?? Promise.resolve([])).then(
      (list) => new Set(list),
    );
    return this.#withFactors;
  }

  #mapTickers(): Promise<Map<string, string[]>> {
    this.#permticks ??= this.#corporate?.mapTickers() ?? Promise.resolve(new Map());
    return this.#permticks;
  }

  /** The span of every stored ticker the name reads, merged. */
  /**
   * Scaling leaves counts alone: names that read only their own ticker are counted by the raw
   * store (in its database); a renamed security's segments are counted through this view.
   */
  async countBars(options: CountBarsOptions): Promise<number[][]> {
    const symbols = checkCountOptions(options);
    const plans = await Promise.all(symbols.map((s) => this.#plan(s)));
    if (
      plans.every((p) => p.tickers.length === 1 && p.tickers[0] === p.name && p.map === undefined)
    ) {
      return this.#store.countBars(options);
    }
    return countBarsByScan(this, options);
  }

  async coverage(symbol: string): Promise<Coverage | undefined> {
    const plan = await this.#plan(normalizeSymbol(symbol));
    let merged: Coverage | undefined;
    for (const ticker of plan.tickers) {
      const c = await this.#store.coverage(ticker);
      if (c === undefined) continue;
      merged =
        merged === undefined
          ? c
          : {
              first: Math.min(merged.first, c.first),
              last: Math.max(merged.last, c.last),
              count: merged.count + c.count,
            };
    }
    return merged;
  }

  /** The name's own info, else that of the latest stored ticker it reads. */
  async symbolInfo(symbol: string): Promise<SymbolInfo | undefined> {
    const name = normalizeSymbol(symbol);
    const own = await this.#store.symbolInfo(name);
    if (own !== undefined) return own;
    const plan = await this.#plan(name);
    for (const seg of [...plan.segments].reverse()) {
      if (seg.ticker === undefined) continue;
      const info = await this.#store.symbolInfo(seg.ticker);
      if (info !== undefined) return { ...info, symbol: name };
    }
    return undefined;
  }

  listSymbolInfo(): Promise<SymbolInfo[]> {
    return this.#store.listSymbolInfo();
  }

  async writeBars(): Promise<void> {
    throw new InvalidArgumentError(
      "an AdjustedBarStore is a read-only view: write raw bars to its rawStore",
    );
  }

  async setSymbolInfo(): Promise<void> {
    throw new InvalidArgumentError(
      "an AdjustedBarStore is a read-only view: set symbol info on its rawStore",
    );
  }

  /** Closes nothing: the raw store belongs to whoever opened it. */
  async close(): Promise<void> {}
}
