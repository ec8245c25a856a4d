/**
 * The quality view's memory: every gap upkeep reported, with its latest status. Upkeep's events
 * describe ranges as they are seen (a gap detected at 10:05 may be filled in two parts), so a
 * fill or a give-up trims the detected ranges it covers and what is left stays `detected`.
 */
import type { UpkeepEvent } from "../upkeep/public.js";

/** Where a gap stands. */
export type GapStatus = "detected" | "filled" | "unfillable";

/** One gap of the quality view. `start` inclusive, `end` exclusive, epoch ms. */
export interface GapRecord {
  readonly symbol: string;
  readonly sessionDate: string;
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly status: GapStatus;
  /** Why a gap is unfillable. */
  readonly reason?: string;
  /** Source requests it took (filled or given up). */
  readonly attempts?: number;
}

/** Counts of gaps (ranges) and of minutes by status. */
export interface GapCounts {
  readonly detected: number;
  readonly filled: number;
  readonly unfillable: number;
  readonly minutes: {
    readonly detected: number;
    readonly filled: number;
    readonly unfillable: number;
  };
}

const MINUTE = 60_000;

/**
 * The gaps of the replayed sessions by symbol, bounded to the newest `limit` records (older ones
 * leave the list but stay in the counts).
 *
 * @example
 * ```ts
 * const log = new GapLog();
 * upkeep.subscribe((e) => log.apply(e));
 * log.forSymbol("AAPL"); // newest first
 * ```
 */
export class GapLog {
  readonly #bySymbol = new Map<string, GapRecord[]>();
  readonly #limit: number;
  #size = 0;
  #evicted = { detected: 0, filled: 0, unfillable: 0 };

  constructor(limit = 5000) {
    this.#limit = limit;
  }

  /** Folds in one upkeep event; `qualityChanged` carries no gap and is ignored. */
  apply(event: UpkeepEvent): void {
    if (event.type === "qualityChanged") return;
    const { gap, sessionDate } = event;
    const base = { symbol: gap.symbol, sessionDate, start: gap.start, end: gap.end };
    if (event.type === "gapDetected") {
      // The gap "as seen now" may include minutes already resolved in earlier runs.
      this.#trim(gap.symbol, sessionDate, gap.start, gap.end);
      for (const [start, end] of this.#unresolved(gap.symbol, sessionDate, gap.start, gap.end)) {
        this.#add({ ...base, start, end, count: (end - start) / MINUTE, status: "detected" });
      }
      return;
    }
    this.#trim(gap.symbol, sessionDate, gap.start, gap.end);
    this.#add(
      event.type === "gapFilled"
        ? { ...base, count: gap.count, status: "filled", attempts: event.attempts }
        : {
            ...base,
            count: gap.count,
            status: "unfillable",
            reason: event.reason,
            attempts: event.attempts,
          },
    );
  }

  /** The symbol's gaps, newest first. */
  forSymbol(symbol: string): GapRecord[] {
    return [...(this.#bySymbol.get(symbol) ?? [])].sort(newestFirst);
  }

  /** Every gap, newest first (ties by symbol). */
  all(): GapRecord[] {
    const out: GapRecord[] = [];
    for (const list of this.#bySymbol.values()) out.push(...list);
    return out.sort(newestFirst);
  }

  /** Ranges and minutes by status, evicted records included in the range counts. */
  counts(): GapCounts {
    const c = { ...this.#evicted };
    const minutes = { detected: 0, filled: 0, unfillable: 0 };
    for (const list of this.#bySymbol.values()) {
      for (const g of list) {
        c[g.status]++;
        minutes[g.status] += g.count;
      }
    }
    return { ...c, minutes };
  }

  /** Forgets everything (a new replay). */
  clear(): void {
    this.#bySymbol.clear();
    this.#size = 0;
    this.#evicted = { detected: 0, filled: 0, unfillable: 0 };
  }

  /** `[start, end)` minus the symbol's filled and unfillable ranges of that session. */
  #unresolved(symbol: string, sessionDate: string, start: number, end: number): [number, number][] {
    let pieces: [number, number][] = [[start, end]];
    for (const g of this.#bySymbol.get(symbol) ?? []) {
      if (g.sessionDate !== sessionDate || g.status === "detected") continue;
      const next: [number, number][] = [];
      for (const [a, b] of pieces) {
        if (g.end <= a || b <= g.start) next.push([a, b]);
        else {
          if (a < g.start) next.push([a, g.start]);
          if (g.end < b) next.push([g.end, b]);
        }
      }
      pieces = next;
    }
    return pieces;
  }

  #add(record: GapRecord): void {
    let list = this.#bySymbol.get(record.symbol);
    if (list === undefined) this.#bySymbol.set(record.symbol, (list = []));
    // Upkeep runs every minute, so a long gap arrives minute by minute: adjacent records of one
    // status (and reason) read as one gap.
    for (let i = list.length - 1; i >= 0; i--) {
      const g = list[i]!;
      if (
        g.sessionDate !== record.sessionDate ||
        g.status !== record.status ||
        g.reason !== record.reason ||
        (g.end !== record.start && g.start !== record.end)
      ) {
        continue;
      }
      const start = Math.min(g.start, record.start);
      const end = Math.max(g.end, record.end);
      const attempts =
        g.attempts === undefined && record.attempts === undefined
          ? undefined
          : Math.max(g.attempts ?? 0, record.attempts ?? 0);
      list[i] = {
        ...g,
        start,
        end,
        count: (end - start) / MINUTE,
        ...(attempts === undefined ? {} : { attempts }),
      };
      return;
    }
    list.push(record);
    this.#size++;
    if (this.#size > this.#limit) this.#evictOldest();
  }

  /**
   * Cuts `[start, end)` out of the symbol's detected records of that session: a grown gap
   * replaces its smaller self, and a fill or give-up resolves the minutes it covers (upkeep never
   * resolves a minute twice, so resolved records never overlap).
   */
  #trim(symbol: string, sessionDate: string, start: number, end: number): void {
    const list = this.#bySymbol.get(symbol);
    if (list === undefined) return;
    const kept: GapRecord[] = [];
    for (const g of list) {
      const overlaps = g.sessionDate === sessionDate && g.start < end && start < g.end;
      if (!overlaps || g.status !== "detected") {
        kept.push(g);
        continue;
      }
      if (g.start < start) kept.push(part(g, g.start, start));
      if (end < g.end) kept.push(part(g, end, g.end));
    }
    this.#size += kept.length - list.length;
    this.#bySymbol.set(symbol, kept);
  }

  /**
   * Drops the oldest session's records (the quality view is about the latest sessions); within a
   * single session over the limit, the oldest record. Rare, so a linear pass is fine.
   */
  #evictOldest(): void {
    let oldestDate: string | undefined;
    let newestDate: string | undefined;
    for (const list of this.#bySymbol.values()) {
      for (const g of list) {
        if (oldestDate === undefined || g.sessionDate < oldestDate) oldestDate = g.sessionDate;
        if (newestDate === undefined || g.sessionDate > newestDate) newestDate = g.sessionDate;
      }
    }
    if (oldestDate === undefined) return;
    if (oldestDate !== newestDate) {
      for (const [symbol, list] of this.#bySymbol) {
        const kept = list.filter((g) => g.sessionDate !== oldestDate);
        for (const g of list) if (g.sessionDate === oldestDate) this.#evicted[g.status]++;
        this.#size -= list.length - kept.length;
        this.#bySymbol.set(symbol, kept);
      }
      return;
    }
    let oldest: { list: GapRecord[]; index: number; start: number } | undefined;
    for (const list of this.#bySymbol.values()) {
      for (let i = 0; i < list.length; i++) {
        const g = list[i]!;
        if (oldest === undefined || g.start < oldest.start)
          oldest = { list, index: i, start: g.start };
      }
    }
    const [gone] = oldest!.list.splice(oldest!.index, 1);
    this.#evicted[gone!.status]++;
    this.#size--;
  }
}

function part(g: GapRecord, start: number, end: number): GapRecord {
  return { ...g, start, end, count: (end - start) / MINUTE };
}

function newestFirst(a: GapRecord, b: GapRecord): number {
  return b.start - a.start || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);
}
