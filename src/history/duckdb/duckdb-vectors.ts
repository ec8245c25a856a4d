/**
 * Fast copies between DuckDB data chunks and typed arrays. The node-api vectors of fixed-width
 * types wrap the chunk's memory in a typed array (`items`) that the typings keep private; using
 * it turns a per-value `getItem`/`setItem` loop into one `TypedArray.set`. Every helper checks
 * the field's shape and falls back to the public per-item API, so a change inside the package
 * costs speed, never correctness.
 */
import { DOUBLE, DuckDBDataChunk, type DuckDBVector, INTEGER, UTINYINT } from "@duckdb/node-api";

type NumericArray = Float64Array | Int32Array | Uint8Array;

function itemsOf(vector: DuckDBVector, kind: "f64" | "i32" | "u8"): NumericArray | undefined {
  const items = (vector as unknown as { items?: unknown }).items;
  if (kind === "f64" && items instanceof Float64Array) return items;
  if (kind === "i32" && items instanceof Int32Array) return items;
  if (kind === "u8" && items instanceof Uint8Array) return items;
  return undefined;
}

/**
 * Copies `n` non-null numbers of a DOUBLE or INTEGER result vector into `out` at `at`.
 * The columns read this way are declared NOT NULL, so validity is not consulted on the fast path.
 */
export function copyFromVector(
  vector: DuckDBVector,
  from: number,
  out: Float64Array,
  at: number,
  n: number,
): void {
  const items = itemsOf(vector, "f64") ?? itemsOf(vector, "i32");
  if (items !== undefined && items.length >= from + n) {
    out.set(items.subarray(from, from + n), at);
    return;
  }
  for (let i = 0; i < n; i++) out[at + i] = Number(vector.getItem(from + i));
}

/**
 * Copies `n` non-null codes of a UTINYINT result vector (the provenance column) into `out` at
 * `at`.
 */
export function copyBytesFromVector(
  vector: DuckDBVector,
  from: number,
  out: Uint8Array,
  at: number,
  n: number,
): void {
  const items = itemsOf(vector, "u8");
  if (items !== undefined && items.length >= from + n) {
    out.set(items.subarray(from, from + n), at);
    return;
  }
  for (let i = 0; i < n; i++) out[at + i] = Number(vector.getItem(from + i));
}

/**
 * One staging row layout: `sid INTEGER`, six DOUBLE columns (time, open … volume), then the
 * provenance code as UTINYINT.
 */
export const STAGE_TYPES = [INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, UTINYINT];

/** Rows in a full data chunk (DuckDB's vector size). */
export const VECTOR_SIZE = 2048;

/**
 * Fills data chunks for the staging table. Full chunks reuse one chunk and its vectors (the
 * Appender copies a chunk's rows when it is appended, so the chunk is free again at once):
 * building a fresh chunk per 2,048 rows costs about as much as appending it.
 */
export class StageChunks {
  #full: DuckDBDataChunk | undefined;

  /**
   * A chunk holding rows `[from, from + n)` of `columns` (n ≤ 2,048) for symbol id `sid`, with
   * the provenance codes of `codes` (all 0 when absent).
   */
  fill(
    sid: number,
    columns: readonly Float64Array[],
    codes: Uint8Array | undefined,
    from: number,
    n: number,
  ): DuckDBDataChunk {
    if (n !== VECTOR_SIZE) return stageChunk(sid, columns, codes, from, n);
    this.#full ??= DuckDBDataChunk.create(STAGE_TYPES, VECTOR_SIZE);
    return writeStageChunk(this.#full, sid, columns, codes, from, n);
  }
}

/**
 * Builds a data chunk of `n` rows (at most the vector size, 2,048) for the staging table: the
 * symbol id repeated, the six value columns read from `columns` starting at `from`, then the
 * provenance codes (0 when `codes` is absent).
 */
export function stageChunk(
  sid: number,
  columns: readonly Float64Array[],
  codes: Uint8Array | undefined,
  from: number,
  n: number,
): DuckDBDataChunk {
  return writeStageChunk(DuckDBDataChunk.create(STAGE_TYPES, n), sid, columns, codes, from, n);
}

function writeStageChunk(
  chunk: DuckDBDataChunk,
  sid: number,
  columns: readonly Float64Array[],
  codes: Uint8Array | undefined,
  from: number,
  n: number,
): DuckDBDataChunk {
  const ids = chunk.getColumnVector(0);
  const idItems = itemsOf(ids, "i32");
  if (idItems !== undefined && idItems.length === n) idItems.fill(sid);
  else for (let i = 0; i < n; i++) ids.setItem(i, sid);
  ids.flush();
  for (let c = 0; c < 6; c++) {
    const vector = chunk.getColumnVector(c + 1);
    const src = columns[c]!;
    const items = itemsOf(vector, "f64");
    if (items !== undefined && items.length === n) items.set(src.subarray(from, from + n));
    else for (let i = 0; i < n; i++) vector.setItem(i, src[from + i]!);
    vector.flush();
  }
  const prov = chunk.getColumnVector(7);
  const bytes = itemsOf(prov, "u8");
  if (bytes !== undefined && bytes.length === n) {
    if (codes === undefined) bytes.fill(0);
    else bytes.set(codes.subarray(from, from + n));
  } else for (let i = 0; i < n; i++) prov.setItem(i, codes === undefined ? 0 : codes[from + i]!);
  prov.flush();
  return chunk;
}
