/**
 * The errors a historical store throws about the database itself (as opposed to bad bars):
 * missing, locked, read-only, from another version, or left damaged by a crash. Every adapter
 * (DuckDB, PostgreSQL) throws these, so the CLI reports them alike.
 */
import { SessiondataError } from "../domain/errors.js";

/** The database to open does not exist and the caller asked not to create one. */
export class NoDatabaseError extends SessiondataError {
  /** The path (or URL) that was asked for. */
  readonly path: string;
  constructor(path: string) {
    super(
      `no database at ${path}; create one with \`sessiondata import\` or \`sessiondata generate\``,
    );
    this.path = path;
  }
}

/**
 * Another process holds the database file's lock (DuckDB allows one writer, or any number of
 * readers, per file). `pid` is the holder's process id when DuckDB names it.
 */
export class StoreLockedError extends SessiondataError {
  readonly path: string;
  readonly pid: number | undefined;
  constructor(path: string, pid: number | undefined, readOnly: boolean, options?: ErrorOptions) {
    const who = `another sessiondata process${pid === undefined ? "" : ` (pid ${pid})`}`;
    super(
      readOnly
        ? `${path} is being written by ${who}; readers can share the file only while no process writes to it`
        : `${path} is in use by ${who}; pass --read-only to read it`,
      options,
    );
    this.path = path;
    this.pid = pid;
  }
}

/** A write to a store opened read-only (`--read-only`). Nothing was written. */
export class ReadOnlyStoreError extends SessiondataError {
  readonly path: string;
  constructor(path: string, what: string) {
    super(`${path} is open read-only: cannot ${what}; open it without --read-only to write`);
    this.path = path;
  }
}

/** The database's schema version is one this sessiondata cannot use as it is. */
export class StoreVersionError extends SessiondataError {
  readonly path: string;
  /** The version found in the database, as stored. */
  readonly found: string;
  constructor(path: string, found: string, message: string) {
    super(message);
    this.path = path;
    this.found = found;
  }
}

/**
 * The database holds what an interrupted write left (duplicate or uncommitted bars) and cannot
 * be repaired now (it was opened read-only). Opening it once for writing repairs it.
 */
export class StoreIntegrityError extends SessiondataError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}
