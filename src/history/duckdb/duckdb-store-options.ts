/**
 * The options of `DuckDbBarStore.open`: access mode, scan windows, checkpoints and DuckDB's own
 * memory limit and threads (their checks and environment fallbacks are in duckdb-open.ts).
 */

/** Options of `DuckDbBarStore.open`. */
export interface DuckDbBarStoreOptions {
  /**
   * Open with DuckDB's read-only access mode: any number of processes can read one file while
   * none writes it. Writes throw `ReadOnlyStoreError`. A missing file is `NoDatabaseError`.
   */
  readonly readOnly?: boolean;
  /** Create the file when it is absent (default true); false throws `NoDatabaseError` instead. */
  readonly create?: boolean;
  /**
   * About how many rows one sorted window of a `scan` holds at most (default 250,000, never
   * less than one UTC day of the scanned symbols). A scan's first window is its first UTC day,
   * and the next ones grow from a quarter of this size, so replay starts after a small sort.
   * Larger windows sort less often; smaller ones bound memory tighter.
   */
  readonly scanWindowRows?: number;
  /**
   * The WAL size in bytes past which the store checkpoints after a write (default 16 MiB,
   * DuckDB's own automatic threshold, which the store replaces by its own checkpoints). A lower
   * bound checkpoints more often: the crash test uses it to kill a writer around checkpoints
   * with a small database.
   */
  readonly checkpointWalBytes?: number;
  /**
   * DuckDB's `memory_limit` for this database: a size such as `"256MB"`, `"1GB"` or `"512MiB"`
   * (default `"256MB"` for a file; `":memory:"` keeps DuckDB's own default, 80 % of RAM, since
   * its bars live in that memory). It bounds DuckDB's buffer pool (cached blocks of the file, sort
   * and hash buffers), not JavaScript's heap; a sort larger than the limit spills to
   * `PATH.tmp/`. A bad size throws `InvalidArgumentError`.
   */
  readonly memoryLimit?: string;
  /**
   * DuckDB's worker threads for this database (default 2; DuckDB's own is one per core). Each
   * thread holds its own scan and sort buffers. Not a whole number from 1 to 1,024:
   * `InvalidArgumentError`.
   */
  readonly threads?: number;
}
