import type { DuckDBConnection } from "@duckdb/node-api";
import type { Bar } from "../../domain/bar.js";
import type { Coverage } from "../bar-store.js";
import { barsOfColumns } from "../bulk-writer.js";
import { type SymbolSummary, symbolSummaryOf } from "../symbol-summary.js";
import { timeBound } from "./duckdb-scan.js";
import { copyFromVector } from "./duckdb-vectors.js";

/**
 * The bars of symbol id `sid` in `[from, to)`, in time order, read through DuckDB's chunked
 * columnar results (`DuckDbBarStore.readBars`, which holds the store's turn around it).
 */
export async function readDuckDbBars(
  connection: DuckDBConnection,
  sid: number,
  from: number,
  to: number,
): Promise<Bar[]> {
  const result = await connection.stream(
    `SELECT CAST(time AS DOUBLE), open, high, low, close, volume FROM bars
     WHERE sid = ${sid} AND time >= ${timeBound(from)} AND time < ${timeBound(to)} ORDER BY time`,
  );
  const parts: Bar[][] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    const column = (c: number): Float64Array => {
      const out = new Float64Array(n);
      copyFromVector(chunk.getColumnVector(c), 0, out, 0, n);
      return out;
    };
    parts.push(
      barsOfColumns(
        {
          time: column(0),
          open: column(1),
          high: column(2),
          low: column(3),
          close: column(4),
          volume: column(5),
        },
        n,
      ),
    );
  }
  return parts.flat();
}

/** The stored bars' first and last time and count of symbol id `sid`; undefined for none. */
export async function duckDbCoverage(
  connection: DuckDBConnection,
  sid: number,
): Promise<Coverage | undefined> {
  const reader = await connection.runAndReadAll(
    `SELECT CAST(min(time) AS DOUBLE), CAST(max(time) AS DOUBLE), CAST(count(*) AS DOUBLE)
     FROM bars WHERE sid = ${sid}`,
  );
  const [first, last, count] = reader.getRows()[0]!.map(Number) as [number, number, number];
  return count > 0 ? { first, last, count } : undefined;
}

/**
 * Every named symbol's coverage and bars by provenance in one query, sorted by symbol
 * (`DuckDbBarStore.summary`). `names` maps symbol ids to names; other ids are left out.
 */
export async function duckDbSummary(
  connection: DuckDBConnection,
  names: ReadonlyMap<number, string>,
): Promise<SymbolSummary[]> {
  const reader = await connection.runAndReadAll(
    `SELECT sid, CAST(min(time) AS DOUBLE), CAST(max(time) AS DOUBLE), CAST(count(*) AS DOUBLE),
       ${[0, 1, 2, 3, 4].map((c) => `CAST(count(*) FILTER (WHERE provenance = ${c}) AS DOUBLE)`).join(", ")}
     FROM bars GROUP BY sid`,
  );
  return reader
    .getRows()
    .filter(([sid]) => names.has(Number(sid)))
    .map(([sid, first, last, count, ...byCode]) =>
      symbolSummaryOf(names.get(Number(sid))!, first, last, count, byCode),
    )
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
