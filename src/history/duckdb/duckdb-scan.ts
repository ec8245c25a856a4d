import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult } from "@duckdb/node-api";
import { DAY_MS } from "../../domain/time.js";
import { allocateChunk, checkScanOptions, trimChunk } from "../bar-chunk.js";
import type { BarChunk, ScanOptions } from "../bar-store.js";
import { copyBytesFromVector, copyFromVector, VECTOR_SIZE } from "./duckdb-vectors.js";

/**
 * Rows one window query sorts at most: big enough to amortise a query, small enough to sort
 * fast and to keep DuckDB's share of memory small (two windows are alive at a time, ~84 bytes a
 * row in DuckDB's sort). Measured on 500 symbols × 21 sessions: 500,000 rows held 84 MB of sort
 * buffers, 250,000 about 42 MB for the same bars per CPU second; one-day windows (~195,000 rows
 * there) hold less again but cost ~20 % more CPU, since every window query filters the whole
 * table (the file is laid out by symbol, so a time range prunes no row group).
 */
export const DEFAULT_WINDOW_ROWS = 250_000;
const LIMIT = 2n ** 62n;

/**
 * A time bound as a BIGINT literal: rounded up (bars sit on whole milliseconds, so `time >= t`
 * and `time < t` mean the same for `t` and `ceil(t)`), infinities clamped to the type's range.
 */
export function timeBound(t: number): string {
  if (Number.isNaN(t)) return "0";
  if (t === Number.POSITIVE_INFINITY) return LIMIT.toString();
  if (t === Number.NEGATIVE_INFINITY) return (-LIMIT).toString();
  const v = BigInt(Math.ceil(t));
  return (v > LIMIT ? LIMIT : v < -LIMIT ? -LIMIT : v).toString();
}

/** How a scan gets and returns its own connections (a streaming result owns its connection). */
export interface ScanConnections {
  connect(): Promise<DuckDBConnection>;
  disconnect(connection: DuckDBConnection): void;
}

/**
 * Cuts `[from, to)` into windows of about `windowRows` rows from a per-day histogram, so
 * each window is sorted on its own: the first chunk arrives after one window's sort, not the
 * whole range's, and DuckDB never holds more than a window.
 */
async function planWindows(
  connection: DuckDBConnection,
  where: string,
  from: string,
  to: string,
  windowRows: number,
): Promise<[string, string][]> {
  // Windows grow from a quarter of the size: JavaScript starts on a small window sooner, and
  // DuckDB sorts each next (bigger) one while it drains.
  let target = Math.max(1, Math.floor(windowRows / 4));
  const reader = await connection.runAndReadAll(
    `SELECT CAST(floor(time / ${DAY_MS}) AS DOUBLE) AS d, CAST(count(*) AS DOUBLE)
     FROM bars WHERE ${where} GROUP BY d ORDER BY d`,
  );
  const windows: [string, string][] = [];
  let start = from;
  let rows = 0;
  const days = reader.getRows();
  for (let i = 0; i < days.length; i++) {
    rows += Number(days[i]![1]);
    const last = i === days.length - 1;
    if (rows >= target || last) {
      const end = last ? to : String((Number(days[i]![0]) + 1) * DAY_MS);
      windows.push([start, end]);
      start = end;
      rows = 0;
      target = Math.min(windowRows, target * 2);
    }
  }
  return windows;
}

/**
 * The DuckDB side of `scan`: the sort is on two numbers (time, and the symbol id or name rank)
 * and the symbol column reaches JavaScript as indexes into one array of names, never as strings
 * to decode. Windows are sorted by DuckDB, the next one while JavaScript drains the current.
 */
export async function* scanDuckDb(
  connections: ScanConnections,
  names: ReadonlyMap<number, string>,
  options: ScanOptions,
  windowRows = DEFAULT_WINDOW_ROWS,
): AsyncGenerator<BarChunk> {
  const size = checkScanOptions(options);
  if (!(options.from < options.to)) return;
  const wanted = options.symbols === undefined ? undefined : new Set(options.symbols);
  const selected = [...names].filter(([, name]) => wanted === undefined || wanted.has(name));
  if (selected.length === 0) return;
  selected.sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sorted = selected.map(([, name]) => name);
  const from = timeBound(options.from);
  const to = timeBound(options.to);
  const sids = selected.map(([sid]) => sid);
  const where = (lo: string, hi: string) =>
    `time >= ${lo} AND time < ${hi} AND sid IN (${sids.join(", ")})`;
  // When symbol ids rise with the names (the usual case: generated samples, folder imports and
  // single symbols get their ids in name order), sorting by id is sorting by name and the query
  // needs no join; otherwise a VALUES join turns ids into name ranks for the sort.
  const idOrder = sids.every((sid, i) => i === 0 || sid > sids[i - 1]!);
  let label: string[];
  let query: (lo: string, hi: string) => string;
  if (idOrder) {
    label = [];
    for (const [sid, name] of selected) label[sid] = name;
    query = (lo, hi) =>
      `SELECT CAST(sid AS DOUBLE), CAST(time AS DOUBLE), open, high, low, close, volume, provenance
       FROM bars
       WHERE time >= ${lo} AND time < ${hi} AND sid IN (${sids.join(", ")}) ORDER BY time, sid`;
  } else {
    label = sorted;
    const ranks = selected.map(([sid], rank) => `(${sid}, ${rank})`).join(", ");
    query = (lo, hi) =>
      `SELECT CAST(r.rk AS DOUBLE), CAST(b.time AS DOUBLE), b.open, b.high, b.low, b.close, b.volume,
         b.provenance FROM bars b JOIN (VALUES ${ranks}) AS r(sid, rk) ON b.sid = r.sid
       WHERE b.time >= ${lo} AND b.time < ${hi} ORDER BY b.time, r.rk`;
  }

  // Two connections take turns: while JavaScript drains one window, DuckDB sorts the next.
  // Within a window, the next 2,048-row DuckDB chunk is fetched while the consumer works on the
  // current one: chunks go out at most 2,048 rows long, so every fetch (a round trip to DuckDB's
  // threads) overlaps the consumer's work instead of being waited for. Streaming, not
  // materializing: DuckDB's memory is freed only when V8 collects its wrappers, which keeps
  // no window-sized result alive longer than needed.
  const step = Math.min(size, VECTOR_SIZE);
  const pair: DuckDBConnection[] = [];
  let pending: Promise<DuckDBResult> | undefined;
  let next: Promise<DuckDBDataChunk | null> | undefined;
  try {
    pair.push(await connections.connect(), await connections.connect());
    // The first UTC day is the first window, sorted while the other connection plans the rest
    // from its histogram (a pass over the whole range): the first chunk waits for one day's sort.
    const dayEnd = (Math.floor(options.from / DAY_MS) + 1) * DAY_MS;
    const split = Number.isFinite(options.from) && dayEnd < options.to;
    const rest = split ? timeBound(dayEnd) : from;
    if (split) {
      pending = pair[0]!.stream(query(from, rest));
      pending.catch(() => undefined);
    }
    const planned = await planWindows(pair[1]!, where(rest, to), rest, to, windowRows);
    const windows: [string, string][] = split ? [[from, rest], ...planned] : planned;
    if (windows.length === 0) return;
    pending ??= pair[0]!.stream(query(...windows[0]!));
    let rank = new Float64Array(VECTOR_SIZE);
    let out = allocateChunk(step);
    let n = 0;
    for (let w = 0; w < windows.length; w++) {
      const result: DuckDBResult = await pending!;
      pending = undefined;
      if (w + 1 < windows.length) {
        pending = pair[(w + 1) % 2]!.stream(query(...windows[w + 1]!));
        // A rejection is observed when awaited; this keeps it from counting as unhandled if the
        // consumer stops first.
        pending.catch(() => undefined);
      }
      next = result.fetchChunk();
      for (;;) {
        const chunk = await next;
        next = undefined;
        if (chunk === null || chunk.rowCount === 0) break;
        next = result.fetchChunk();
        next.catch(() => undefined);
        const m = chunk.rowCount;
        if (rank.length < m) rank = new Float64Array(m);
        const vectors = [0, 1, 2, 3, 4, 5, 6, 7].map((c) => chunk.getColumnVector(c));
        let off = 0;
        while (off < m) {
          const take = Math.min(m - off, step - n);
          copyFromVector(vectors[0]!, off, rank, 0, take);
          for (let i = 0; i < take; i++) out.symbol[n + i] = label[rank[i]!]!;
          copyFromVector(vectors[1]!, off, out.time, n, take);
          copyFromVector(vectors[2]!, off, out.open, n, take);
          copyFromVector(vectors[3]!, off, out.high, n, take);
          copyFromVector(vectors[4]!, off, out.low, n, take);
          copyFromVector(vectors[5]!, off, out.close, n, take);
          copyFromVector(vectors[6]!, off, out.volume, n, take);
          copyBytesFromVector(vectors[7]!, off, out.provenance, n, take);
          n += take;
          off += take;
          if (n === step) {
            yield trimChunk(out, n);
            out = allocateChunk(step);
            n = 0;
          }
        }
      }
    }
    if (n > 0) yield trimChunk(out, n);
  } finally {
    // Closing a connection while DuckDB still runs a query or a fetch on it crashes the process:
    // interrupt the prefetches and let them settle first.
    if (pending !== undefined || next !== undefined) {
      for (const c of pair) c.interrupt();
      await pending?.catch(() => undefined);
      await next?.catch(() => undefined);
    }
    for (const c of pair) connections.disconnect(c);
  }
}
