/**
 * The crash test's data and its two writers: the parent builds the "old" database with
 * {@link writeVersion}(store, 1), a child process (duckdb-crash-child.test-helpers.ts) re-imports
 * the same (symbol, time) pairs with version 2's values and is killed at some moment, and
 * {@link inspect} says what the reopened store holds, symbol by symbol.
 *
 * The writes are chosen to cross every path of the store's crash protocol: small writes that
 * stay in the WAL until it passes the (lowered) bound, then a checkpoint; a write above a row
 * group (122,880 rows), which DuckDB writes into the file before its commit (the case whose torn
 * WAL replays uncommitted rows) and which the store checkpoints at once; and a last small write
 * that only the close checkpoints.
 */
import type { DuckDbBarStore } from "./duckdb-bar-store.js";

/** One write of the plan: a symbol and its number of bars, each its own transaction. */
export interface PlannedWrite {
  readonly symbol: string;
  readonly bars: number;
}

/** The writes, in the order the child commits them. */
export const CRASH_PLAN: readonly PlannedWrite[] = [
  { symbol: "SMALL1", bars: 20_000 },
  { symbol: "SMALL2", bars: 20_000 },
  { symbol: "BIG", bars: 130_000 },
  { symbol: "SMALL3", bars: 20_000 },
];

/** The WAL bound the child's store checkpoints at (lowered from 16 MiB so the data stays small). */
export const CRASH_WAL_BOUND = 2 * 1024 * 1024;

const T0 = Date.UTC(2021, 0, 4);
const MINUTE = 60_000;

/** A bar's values in a version: every field differs between versions 1 and 2. */
function fill(
  version: number,
  n: number,
): {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
} {
  const c = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const base = expectedClose(version, i);
    c.time[i] = T0 + i * MINUTE;
    c.open[i] = base - 0.25;
    c.high[i] = base + 1;
    c.low[i] = base - 1;
    c.close[i] = base;
    c.volume[i] = version * 1000 + (i % 13);
  }
  return c;
}

/** The close of bar `i` in `version` (the other fields follow from it). */
export function expectedClose(version: number, i: number): number {
  return version * 100 + (i % 50) / 4;
}

/**
 * Writes every planned symbol's bars in `version`, one bulk-writer transaction per symbol, in
 * plan order; `say` is called before and after each commit ("begin BIG", "done BIG").
 */
export async function writeVersion(
  store: DuckDbBarStore,
  version: number,
  say: (line: string) => void = () => undefined,
): Promise<void> {
  for (const { symbol, bars } of CRASH_PLAN) {
    const columns = fill(version, bars);
    const writer = await store.bulkWriter();
    writer.append(symbol, columns, bars);
    say(`begin ${symbol}`);
    await writer.commit();
    say(`done ${symbol}`);
  }
}

/** What one symbol holds after a crash. */
export interface SymbolState {
  readonly symbol: string;
  /** 1 or 2 when every bar is exactly that version's; otherwise a description of what is wrong. */
  readonly version: 1 | 2 | string;
}

/**
 * Reads every planned symbol back and classifies it: exactly version 1, exactly version 2, or
 * (a failure) a description of the first difference: a wrong count, a repeated or missing
 * minute, a bar of mixed versions.
 */
export async function inspect(store: DuckDbBarStore): Promise<SymbolState[]> {
  const out: SymbolState[] = [];
  for (const { symbol, bars } of CRASH_PLAN) {
    const read = await store.readBars(symbol, T0, T0 + (bars + 1) * MINUTE);
    const count = (await store.coverage(symbol))?.count ?? 0;
    if (read.length !== bars || count !== bars) {
      out.push({ symbol, version: `${read.length} bars read, ${count} counted, ${bars} expected` });
      continue;
    }
    const version = read[0]!.volume >= 2000 ? 2 : 1;
    let problem: string | undefined;
    for (let i = 0; i < bars && problem === undefined; i++) {
      const b = read[i]!;
      const close = expectedClose(version, i);
      if (
        b.time !== T0 + i * MINUTE ||
        b.close !== close ||
        b.open !== close - 0.25 ||
        b.high !== close + 1 ||
        b.low !== close - 1 ||
        b.volume !== version * 1000 + (i % 13)
      ) {
        problem = `bar ${i} (${new Date(b.time).toISOString()}) is not version ${version}'s: ${JSON.stringify(b)}`;
      }
    }
    out.push({ symbol, version: problem ?? version });
  }
  return out;
}
