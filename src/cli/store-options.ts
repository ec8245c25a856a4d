/**
 * How every command opens the historical store, in one place: the flags (`--db PATH`,
 * `--read-only`), the default path, what a missing database means for each command, and the
 * errors a user sees (no database, a file in use by another process, a store a crash left
 * needing repair, which is announced on stderr).
 *
 * Adding another store (PostgreSQL's `--pg URL` / `SESSIONDATA_PG_URL`): declare its flag beside
 * {@link DB_OPTION}, give {@link StoreFlags} its field, and branch at the top of
 * {@link openCommandStore} before the DuckDB path; the commands need no change, since they only
 * see a {@link CommandStore}.
 */
import { existsSync } from "node:fs";
import { InvalidArgumentError } from "../domain/errors.js";
import type { BarStore } from "../history/bar-store.js";
import {
  checkMemoryLimit,
  checkThreads,
  DUCKDB_MEMORY_LIMIT_ENV,
  DUCKDB_THREADS_ENV,
} from "../history/duckdb/duckdb-open.js";
import {
  DuckDbBarStore,
  defaultDbPath,
  openPostgresFromUrl,
  PG_URL_ENV,
  resolvePgUrl,
} from "../history/public.js";
import { NoDatabaseError } from "../history/store-errors.js";

/** The store flags a command's options carry, as commander parses them. */
export interface StoreFlags {
  /** `--db PATH`: the DuckDB file (default `$SESSIONDATA_DB`, else `./sessiondata.duckdb`). */
  readonly db?: string;
  /** `--read-only`: DuckDB's read-only access mode, so several processes can read one file. */
  readonly readOnly?: boolean;
  /** `--pg URL`: the PostgreSQL store instead of the DuckDB file (default `$SESSIONDATA_PG_URL`). */
  readonly pg?: string;
  /** `--duckdb-memory-limit SIZE`: DuckDB's `memory_limit` (default `$SESSIONDATA_DUCKDB_MEMORY_LIMIT`, else 256MB). */
  readonly duckdbMemoryLimit?: string;
  /** `--duckdb-threads N`: DuckDB's worker threads (default `$SESSIONDATA_DUCKDB_THREADS`, else 2). */
  readonly duckdbThreads?: string;
}

/** What a command does with the store, which decides what a missing database means. */
export type StoreUse =
  /** Reads only (`info`, `quality`, `serve`): a missing database is an error. */
  | "read"
  /** Writes bars (`import`, `generate`): a missing database is created. */
  | "write"
  /**
   * `backtest`: reads, but the no-flag default (no `--db`, the default path) may be created
   * and filled with the fixed sample when it holds no bars, so `npm start` works out of the box.
   */
  | "read-or-sample";

/** A store opened for a command. */
export interface CommandStore {
  /** The store: a DuckDB file today. */
  readonly store: BarStore;
  /** The DuckDB store when the store is one (for DuckDB-only listings such as `info`'s). */
  readonly duckdb: DuckDbBarStore | undefined;
  /** Where the store is, as messages show it (the DuckDB path). */
  readonly location: string;
  /** Whether it was opened read-only. */
  readonly readOnly: boolean;
  /**
   * Whether the command may generate the sample into it when it holds no bars: only for
   * `read-or-sample` on the default path (no `--db`) and not read-only.
   */
  readonly sampleAllowed: boolean;
  /** Closes the store (checkpointing what was written). */
  close(): Promise<void>;
}

/** The DuckDB file a command opens: `--db`, else `SESSIONDATA_DB`, else `./sessiondata.duckdb`. */
export function storePath(flags: StoreFlags): string {
  return flags.db !== undefined && flags.db.trim() !== "" ? flags.db : defaultDbPath();
}

/** `--db PATH`, for `.option(...DB_OPTION)`: one wording in every command's `--help`. */
export const DB_OPTION = [
  "--db <path>",
  "DuckDB file (default: $SESSIONDATA_DB or ./sessiondata.duckdb)",
] as const;

/** `--pg URL`, for `.option(...PG_OPTION)` beside {@link DB_OPTION}. */
export const PG_OPTION = [
  "--pg <url>",
  `PostgreSQL store instead of the DuckDB file: postgres://USER@HOST:PORT/DB[?schema=NAME] (default: $${PG_URL_ENV})`,
] as const;

/** `--read-only`, for `.option(...READ_ONLY_OPTION)` on the commands that only read. */
export const READ_ONLY_OPTION = [
  "--read-only",
  "open the database read-only (DuckDB's READ_ONLY mode): several processes can read one file",
] as const;

/** `--duckdb-memory-limit SIZE`, for `.option(...DUCKDB_MEMORY_LIMIT_OPTION)` beside {@link DB_OPTION}. */
export const DUCKDB_MEMORY_LIMIT_OPTION = [
  "--duckdb-memory-limit <size>",
  `DuckDB's memory limit, e.g. 256MB or 1GB (default: $${DUCKDB_MEMORY_LIMIT_ENV} or 256MB)`,
] as const;

/** `--duckdb-threads N`, for `.option(...DUCKDB_THREADS_OPTION)` beside {@link DB_OPTION}. */
export const DUCKDB_THREADS_OPTION = [
  "--duckdb-threads <n>",
  `DuckDB's worker threads (default: $${DUCKDB_THREADS_ENV} or 2)`,
] as const;

/** DuckDB's tuning as the flags give it: only what was passed (the store falls back to the environment, then its defaults). */
export interface DuckDbTuning {
  readonly memoryLimit?: string;
  readonly threads?: number;
}

/**
 * Checks `--duckdb-memory-limit` and `--duckdb-threads`: `InvalidArgumentError` naming the flag
 * ("--duckdb-memory-limit: '12XB' is not a size like 256MB"). Absent flags stay absent.
 */
export function duckDbTuning(flags: StoreFlags): DuckDbTuning {
  return {
    ...(flags.duckdbMemoryLimit === undefined
      ? {}
      : { memoryLimit: checkMemoryLimit(flags.duckdbMemoryLimit, "--duckdb-memory-limit") }),
    ...(flags.duckdbThreads === undefined
      ? {}
      : { threads: checkThreads(flags.duckdbThreads, "--duckdb-threads") }),
  };
}

/**
 * For the commands whose store is opened deeper down (`live` through its `SystemManager`,
 * `shard-worker` per job): checks the flags and puts them in this process's environment,
 * where every DuckDB store it opens reads its defaults.
 */
export function exportDuckDbTuning(flags: StoreFlags): void {
  const tuning = duckDbTuning(flags);
  if (tuning.memoryLimit !== undefined) process.env[DUCKDB_MEMORY_LIMIT_ENV] = tuning.memoryLimit;
  if (tuning.threads !== undefined) process.env[DUCKDB_THREADS_ENV] = String(tuning.threads);
}

/**
 * Opens the store a command's flags name. A missing DuckDB file is created for `write`, and
 * for `read-or-sample` on the default path; otherwise it is `NoDatabaseError` ("no database at
 * PATH; create one with `sessiondata import` or `sessiondata generate`"). A file held by another
 * process is `StoreLockedError` ("PATH is in use by another sessiondata process (pid N); pass
 * --read-only to read it"). A repair at open (after a crash) is written to stderr as one line.
 *
 * @example
 * ```ts
 * const opened = await openCommandStore(options, "read");
 * try {
 *   console.log(await opened.store.symbols());
 * } finally {
 *   await opened.close();
 * }
 * ```
 */
export async function openCommandStore(flags: StoreFlags, use: StoreUse): Promise<CommandStore> {
  if (flags.pg !== undefined && flags.db !== undefined) {
    throw new InvalidArgumentError("--db and --pg name two stores: pass one of them");
  }
  // Checked whichever store is opened: a typo in a flag is an error, not silently unused.
  const tuning = duckDbTuning(flags);
  // An explicit --db wins over $SESSIONDATA_PG_URL, which is only a default.
  const pgUrl = flags.db === undefined ? resolvePgUrl(flags.pg) : undefined;
  if (pgUrl !== undefined) return openPgCommandStore(pgUrl, flags, use);
  const location = storePath(flags);
  const readOnly = use !== "write" && flags.readOnly === true;
  const sampleAllowed = use === "read-or-sample" && flags.db === undefined && !readOnly;
  const memory = location === ":memory:";
  if (!memory && use !== "write" && !sampleAllowed && !existsSync(location)) {
    throw new NoDatabaseError(location);
  }
  const store = await withRepairNotice(() =>
    DuckDbBarStore.open(location, {
      readOnly,
      create: use === "write" || sampleAllowed,
      ...tuning,
    }),
  );
  return {
    store,
    duckdb: store,
    location,
    readOnly,
    sampleAllowed,
    close: () => store.close(),
  };
}

/**
 * The PostgreSQL branch: the schema is created for `write` (a missing one is `NoDatabaseError`
 * otherwise), `--read-only` makes the server refuse writes too, and a backtest never fills a
 * shared store with the sample.
 */
async function openPgCommandStore(
  url: string,
  flags: StoreFlags,
  use: StoreUse,
): Promise<CommandStore> {
  const readOnly = use !== "write" && flags.readOnly === true;
  const store = await openPostgresFromUrl(url, { readOnly, create: use === "write" });
  return {
    store,
    duckdb: undefined,
    location: `${store.url} (schema ${store.schema})`,
    readOnly,
    sampleAllowed: false,
    close: () => store.close(),
  };
}

/**
 * Runs `open`, writing the store's repair warning (emitted while it opens) to stderr as one
 * `sessiondata: warning: …` line instead of Node's multi-line warning output.
 */
async function withRepairNotice<T>(open: () => Promise<T>): Promise<T> {
  const original = process.emitWarning;
  const ours = (warning: string | Error, ...rest: unknown[]): void => {
    const code = rest.find(
      (r): r is { code?: string } => typeof r === "object" && r !== null && "code" in r,
    )?.code;
    if (code === "SESSIONDATA_STORE_REPAIRED" || code === "SESSIONDATA_STORE_DAMAGED") {
      process.stderr.write(`sessiondata: warning: ${String(warning)}\n`);
      return;
    }
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  };
  process.emitWarning = ours as typeof process.emitWarning;
  try {
    return await open();
  } finally {
    process.emitWarning = original;
  }
}
