/**
 * Opening a DuckDB database file the way the store needs it: refusing a missing file when asked
 * not to create one, naming the process that holds its lock, noticing a WAL left by a crash, and
 * keeping checkpoints under the store's control.
 */
import { existsSync, statSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { SessiondataError } from "../../domain/errors.js";
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

/** How {@link openInstance} opens a file. */
export interface InstanceOptions {
  readonly readOnly: boolean;
  readonly create: boolean;
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
  if (!memory && (options.readOnly || !options.create) && !existsSync(path)) {
    throw new NoDatabaseError(path);
  }
  const config: Record<string, string> = options.readOnly
    ? { access_mode: "READ_ONLY" }
    : { checkpoint_threshold: CHECKPOINT_THRESHOLD };
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
