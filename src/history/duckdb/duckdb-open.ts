/**
 * Opening a DuckDB database file the way the store needs it: refusing a missing file when asked
 * not to create one, naming the process that holds its lock, noticing a WAL left by a crash, and
 * keeping checkpoints under the store's control.
 */
import { existsSync, statSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { InvalidArgumentError, SessiondataError } from "../../domain/errors.js";
import { NoDatabaseError, StoreLockedError } from "../store-errors.js";

/**
 * DuckDB's automatic checkpoint threshold for the store's connections: high enough never to be
 * reached, so a checkpoint runs only where the store asks for one (after its marker is durable).
 */
export const CHECKPOINT_THRESHOLD = "1TB";

/** The files DuckDB keeps beside a database while a WAL is pending. */
export function walFiles(path: string): string[] {
  return [`${path}.wal`, `${path}.wal.checkpoint`, `${path}.wal.recovery`];
}

/** Whether a WAL (or DuckDB's checkpoint or recovery WAL) is left beside the database file. */
export function walLeftOver(path: string): boolean {
  return walFiles(path).some((file) => {
    try {
      return statSync(file).size > 0;
    } catch {
      return false;
    }
  });
}

/** The WAL's size in bytes (0 when there is none). */
export function walBytes(path: string): number {
  try {
    return statSync(`${path}.wal`).size;
  } catch {
    return 0;
  }
}

/** The pid in DuckDB's lock message ("Conflicting lock is held in /usr/bin/node (PID 123)"). */
export function lockHolderPid(message: string): number | undefined {
  const match = /\(PID (\d+)\)/i.exec(message);
  return match === null ? undefined : Number(match[1]);
}

/**
 * DuckDB's memory limit for a file's instance unless told otherwise. DuckDB's own default is
 * 80 % of the machine's RAM, which lets its buffer pool keep every block a scan touched (the
 * whole file, for a long replay) and lets a bulk write buffer as much as it likes. Measured
 * (README, "Performance → memory"): a replay of 500 symbols × 21 sessions needs ~100 MB of it
 * (two sorted windows plus the blocks in use), and generating those 4.1 M bars is as fast at
 * 256MB as with DuckDB's default but 1.3–1.6× slower at 128MB and 2.5× at 64MB (the write
 * buffers spill). So 256MB: writes keep their speed and a long scan's cache is capped.
 */
export const DEFAULT_MEMORY_LIMIT = "256MB";
/**
 * DuckDB's worker threads unless told otherwise. Its default is one per core; each thread keeps
 * its own scan and sort buffers, and the store's scans overlap one sort with JavaScript's work,
 * so two are enough to keep a replay fed.
 */
export const DEFAULT_THREADS = 2;

/** The environment variable with the memory limit a store uses when its options give none. */
export const DUCKDB_MEMORY_LIMIT_ENV = "SESSIONDATA_DUCKDB_MEMORY_LIMIT";
/** The environment variable with the thread count a store uses when its options give none. */
export const DUCKDB_THREADS_ENV = "SESSIONDATA_DUCKDB_THREADS";

/** A variable of `env`, or `undefined` when unset or blank. */
function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * The memory limit and thread count an instance gets: the options' when given, else the
 * environment's ({@link DUCKDB_MEMORY_LIMIT_ENV}, {@link DUCKDB_THREADS_ENV}, each checked and
 * named in its error), else the defaults. An in-memory database keeps DuckDB's own memory limit
 * unless one is given explicitly: its bars live in that memory, and a cap would make a big one
 * spill to `./.tmp` or fail.
 */
export function resolveTuning(
  options: { readonly memoryLimit?: string; readonly threads?: number },
  memory: boolean,
  env: NodeJS.ProcessEnv = process.env,
): { memoryLimit: string | undefined; threads: number } {
  const limitEnv = fromEnv(env, DUCKDB_MEMORY_LIMIT_ENV);
  const threadsEnv = fromEnv(env, DUCKDB_THREADS_ENV);
  const memoryLimit =
    options.memoryLimit !== undefined
      ? checkMemoryLimit(options.memoryLimit)
      : limitEnv !== undefined
        ? checkMemoryLimit(limitEnv, DUCKDB_MEMORY_LIMIT_ENV)
        : memory
          ? undefined
          : DEFAULT_MEMORY_LIMIT;
  const threads =
    options.threads !== undefined
      ? checkThreads(options.threads)
      : threadsEnv !== undefined
        ? checkThreads(threadsEnv, DUCKDB_THREADS_ENV)
        : DEFAULT_THREADS;
  return { memoryLimit, threads };
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)\s*$/i;

/**
 * Checks a DuckDB memory limit such as `256MB`, `1.5GB` or `512MiB` (a number and a unit among B,
 * KB, MB, GB, TB and KiB … TiB, case-insensitive) and returns it as DuckDB reads it. `what` names
 * the option in the error: `InvalidArgumentError` ("--duckdb-memory-limit: '12XB' is not a size
 * like 256MB"). A limit below 16MB is refused too: DuckDB cannot run the store's queries in less.
 */
export function checkMemoryLimit(value: unknown, what = "memoryLimit"): string {
  const match = typeof value === "string" ? SIZE.exec(value) : null;
  if (match === null) {
    throw new InvalidArgumentError(`${what}: '${String(value)}' is not a size like 256MB`);
  }
  const unit = match[2]!.toUpperCase().replace("IB", "iB");
  const factor: Record<string, number> = {
    B: 1,
    KB: 1e3,
    MB: 1e6,
    GB: 1e9,
    TB: 1e12,
    KiB: 2 ** 10,
    MiB: 2 ** 20,
    GiB: 2 ** 30,
    TiB: 2 ** 40,
  };
  if (Number(match[1]) * factor[unit]! < 16e6) {
    throw new InvalidArgumentError(`${what}: '${value}' is below the 16MB DuckDB needs to run`);
  }
  return `${match[1]}${unit}`;
}

/**
 * Checks a DuckDB thread count: a whole number from 1 to 1,024 (a string from a flag or the
 * environment is read as one). `what` names the option in the error.
 */
export function checkThreads(value: unknown, what = "threads"): number {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 1024) {
    throw new InvalidArgumentError(
      `${what}: '${String(value)}' is not a thread count (a whole number from 1 to 1024)`,
    );
  }
  return n;
}

/** How {@link openInstance} opens a file. */
export interface InstanceOptions {
  readonly readOnly: boolean;
  readonly create: boolean;
  /** DuckDB's `memory_limit` (see {@link resolveTuning} for the default). */
  readonly memoryLimit?: string;
  /** DuckDB's `threads` (see {@link resolveTuning} for the default). */
  readonly threads?: number;
}

/**
 * Creates the DuckDB instance for `path` (`":memory:"` allowed), translating DuckDB's errors into
 * the store's: `NoDatabaseError` for a missing file that may not be created (a read-only open
 * never creates), `StoreLockedError` for a file another process holds, and a `SessiondataError`
 * naming the file for anything else (not a database, no permission).
 */
export async function openInstance(
  path: string,
  options: InstanceOptions,
): Promise<DuckDBInstance> {
  const memory = path === ":memory:";
  // Checked before the file is looked at: a bad option is the caller's error whatever the file.
  const { memoryLimit, threads } = resolveTuning(options, memory);
  if (!memory && (options.readOnly || !options.create) && !existsSync(path)) {
    throw new NoDatabaseError(path);
  }
  const config: Record<string, string> = {
    ...(options.readOnly
      ? { access_mode: "READ_ONLY" }
      : { checkpoint_threshold: CHECKPOINT_THRESHOLD }),
    ...(memoryLimit === undefined ? {} : { memory_limit: memoryLimit }),
    threads: String(threads),
  };
  try {
    return await DuckDBInstance.create(path, config);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/could not set lock/i.test(reason)) {
      throw new StoreLockedError(path, lockHolderPid(reason), options.readOnly, { cause: error });
    }
    throw new SessiondataError(`cannot open the DuckDB database ${path}: ${reason}`, {
      cause: error,
    });
  }
}
