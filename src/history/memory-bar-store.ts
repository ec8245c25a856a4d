import { type Bar, validateBar } from "../domain/bar.js";
import { SessiondataError } from "../domain/errors.js";
import { lowerBound } from "../domain/search.js";
import { allocateChunk, checkScanOptions, checkTimeRange, trimChunk } from "./bar-chunk.js";
import type {
  BarChunk,
  BarStore,
  CountBarsOptions,
  Coverage,
  ScanOptions,
  SymbolInfo,
  WriteOptions,
} from "./bar-store.js";
import {
  type CorporateActionStore,
  MemoryCorporateActionStore,
} from "./corporate/corporate-action-store.js";
import { checkCountOptions } from "./count-bars.js";
import { bySymbol, checkSymbolInfo, normalizeSymbol, provenanceCodeOf } from "./symbol-info.js";

/** One symbol's bars, kept sorted by time with no duplicate times; `code[i]` is bar i's provenance. */
interface Series {
  time: number[];
  bars: Bar[];
  code: number[];
}

/**
 * A {@link BarStore} held in the process's memory: for tests, demos and small backtests. Nothing
 * survives the process. Bars are copied in and out, so callers can never alter what it holds.
 *
 * @example
 * ```ts
 * const store = new MemoryBarStore();
 * await store.writeBars("AAPL", [{ time: 1_700_000_040_000, open: 1, high: 2, low: 1, close: 2, volume: 5 }]);
 * const bars = await store.readBars("AAPL", 0, Number.POSITIVE_INFINITY);
 * ```
 */
export class MemoryBarStore implements BarStore {
  readonly #series = new Map<string, Series>();
  readonly #info = new Map<string, SymbolInfo>();
  readonly #corporate = new MemoryCorporateActionStore();
  #closed = false;

  /** The corporate actions (factor and map rows) kept beside the bars: see `corporateActionsOf`. */
  corporateActions(): CorporateActionStore {
    return this.#corporate;
  }

  #open(): void {
    if (this.#closed) throw new SessiondataError("the MemoryBarStore is closed");
  }

  async writeBars(name: string, bars: readonly Bar[], options?: WriteOptions): Promise<void> {
    this.#open();
    const symbol = normalizeSymbol(name);
    const code = provenanceCodeOf(options);
    // Validate and copy everything before touching the series: a refusal leaves it as it was.
    const incoming: Bar[] = new Array(bars.length);
    for (let i = 0; i < bars.length; i++) {
      const b = bars[i]!;
      validateBar(symbol, b);
      incoming[i] = {
        time: b.time,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
      };
    }
    if (incoming.length === 0) return;
    // A stable sort keeps the later of two bars with one time, so the last one given wins.
    incoming.sort((a, b) => a.time - b.time);
    const old = this.#series.get(symbol) ?? { time: [], bars: [], code: [] };
    const time: number[] = [];
    const merged: Bar[] = [];
    const codes: number[] = [];
    let i = 0;
    let j = 0;
    while (i < old.bars.length || j < incoming.length) {
      const a = old.bars[i];
      const b = incoming[j];
      let next: Bar;
      let nextCode = code;
      if (b === undefined || (a !== undefined && a.time < b.time)) {
        next = a!;
        nextCode = old.code[i]!;
        i++;
      } else {
        if (a !== undefined && a.time === b.time) i++;
        next = b;
        j++;
        // Later duplicates in the batch replace earlier ones.
        while (j < incoming.length && incoming[j]!.time === next.time) next = incoming[j++]!;
      }
      time.push(next.time);
      merged.push(next);
      codes.push(nextCode);
    }
    this.#series.set(symbol, { time, bars: merged, code: codes });
  }

  async symbolInfo(symbol: string): Promise<SymbolInfo | undefined> {
    this.#open();
    const info = this.#info.get(normalizeSymbol(symbol));
    return info === undefined ? undefined : { ...info };
  }

  async listSymbolInfo(): Promise<SymbolInfo[]> {
    this.#open();
    return [...this.#info.values()].map((info) => ({ ...info })).sort(bySymbol);
  }

  async setSymbolInfo(info: SymbolInfo): Promise<void> {
    this.#open();
    const checked = checkSymbolInfo(info);
    this.#info.set(checked.symbol, checked);
  }

  async readBars(symbol: string, from: number, to: number): Promise<Bar[]> {
    this.#open();
    checkTimeRange("readBars", from, to);
    const s = this.#series.get(normalizeSymbol(symbol));
    if (s === undefined || !(from < to)) return [];
    const lo = lowerBound(s.time, from);
    const hi = lowerBound(s.time, to, lo);
    return s.bars.slice(lo, hi).map((b) => ({ ...b }));
  }

  async *scan(options: ScanOptions): AsyncIterable<BarChunk> {
    this.#open();
    const size = checkScanOptions(options);
    const { from, to } = options;
    const names = [
      ...new Set(options.symbols?.map((s) => normalizeSymbol(s)) ?? this.#series.keys()),
    ].sort();
    // Cursors per symbol; the chunk is filled by repeatedly taking the (time, symbol)-smallest head.
    const cursors: { symbol: string; s: Series; at: number; end: number }[] = [];
    for (const symbol of names) {
      const s = this.#series.get(symbol);
      if (s === undefined || !(from < to)) continue;
      const at = lowerBound(s.time, from);
      const end = lowerBound(s.time, to, at);
      if (at < end) cursors.push({ symbol, s, at, end });
    }
    while (cursors.length > 0) {
      const chunk = allocateChunk(size);
      let n = 0;
      while (n < size && cursors.length > 0) {
        // Symbols are few next to bars; a linear pick over sorted names keeps ties ordered by symbol.
        let best = 0;
        let bestTime = cursors[0]!.s.time[cursors[0]!.at]!;
        for (let k = 1; k < cursors.length; k++) {
          const c = cursors[k]!;
          const t = c.s.time[c.at]!;
          if (t < bestTime) {
            best = k;
            bestTime = t;
          }
        }
        const c = cursors[best]!;
        const b = c.s.bars[c.at]!;
        chunk.symbol[n] = c.symbol;
        chunk.time[n] = b.time;
        chunk.open[n] = b.open;
        chunk.high[n] = b.high;
        chunk.low[n] = b.low;
        chunk.close[n] = b.close;
        chunk.volume[n] = b.volume;
        chunk.provenance[n] = c.s.code[c.at]!;
        n++;
        if (++c.at === c.end) cursors.splice(best, 1);
      }
      yield trimChunk(chunk, n);
      this.#open();
    }
  }

  /** Two binary searches per (symbol, range). */
  async countBars(options: CountBarsOptions): Promise<number[][]> {
    this.#open();
    const symbols = checkCountOptions(options);
    return symbols.map((symbol) => {
      const time = this.#series.get(symbol)?.time;
      return options.ranges.map((r) =>
        time === undefined ? 0 : lowerBound(time, r.to) - lowerBound(time, r.from),
      );
    });
  }

  async symbols(): Promise<string[]> {
    this.#open();
    return [...this.#series.keys()].sort();
  }

  async coverage(symbol: string): Promise<Coverage | undefined> {
    this.#open();
    const s = this.#series.get(normalizeSymbol(symbol));
    if (s === undefined || s.time.length === 0) return undefined;
    return { first: s.time[0]!, last: s.time[s.time.length - 1]!, count: s.time.length };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#series.clear();
    this.#info.clear();
  }
}
