import type { DuckDBConnection } from "@duckdb/node-api";
import { StoreIntegrityError } from "../store-errors.js";
import {
  type CheckScope,
  checkIntegrity,
  detectProblems,
  INTEGRITY_OK,
  type StoreIntegrity,
} from "./duckdb-integrity.js";
import { setMetaSql } from "./duckdb-schema.js";

/** The `meta.unverified` marker: nothing, every symbol, or the names written since the last checkpoint. */
export type Unverified = undefined | "all" | Set<string>;

function parseUnverified(value: string | undefined): Unverified {
  if (value === undefined || value === "") return undefined;
  if (value === "*") return "all";
  try {
    const names = JSON.parse(value) as unknown;
    if (Array.isArray(names)) return new Set(names.map(String));
  } catch {
    // An unreadable marker is treated as the widest one.
  }
  return "all";
}

/**
 * A DuckDB file's crash marker (`meta.unverified`) and the checkpoints that clear it: a write
 * first commits which symbols a crash could leave needing the integrity check, and a successful
 * checkpoint clears that again. Files only: memory dies with the process.
 */
export class UnverifiedMarker {
  readonly #connection: DuckDBConnection;
  readonly #file: boolean;
  readonly #readOnly: boolean;
  #value: Unverified;

  constructor(connection: DuckDBConnection, file: boolean, readOnly: boolean) {
    this.#connection = connection;
    this.#file = file;
    this.#readOnly = readOnly;
  }

  /** What the marker says now. */
  get value(): Unverified {
    return this.#value;
  }

  /** Takes the marker as stored in `meta` (read at open). */
  restore(stored: string | undefined): void {
    this.#value = parseUnverified(stored);
  }

  /**
   * Commits (before a write, in its own transaction) that the named symbols may hold what a
   * crash leaves, unless the marker already says so.
   */
  async mark(scope: CheckScope): Promise<void> {
    if (!this.#file) return;
    const had = this.#value;
    if (had === "all") return;
    let next: Unverified;
    if (scope === "all") next = "all";
    else {
      if (had !== undefined && [...scope].every((s) => had.has(s))) return;
      next = new Set([...(had ?? []), ...scope]);
    }
    const value = next === "all" ? "*" : JSON.stringify([...next].sort());
    await this.#connection.run(setMetaSql("unverified", value));
    this.#value = next;
  }

  /** Checkpoints and then clears the marker; a failed checkpoint leaves it for the next one. */
  async checkpoint(): Promise<void> {
    if (!this.#file || this.#readOnly) return;
    try {
      await this.#connection.run("CHECKPOINT");
    } catch {
      return;
    }
    if (this.#value !== undefined) {
      await this.#connection.run(setMetaSql("unverified", ""));
      this.#value = undefined;
    }
  }

  /**
   * The check at open of what a crash (or an old version's defect) may have left in `scope`:
   * read-only, it throws `StoreIntegrityError` when anything needs repair; else it marks the
   * scope, repairs, checkpoints and emits a process warning with what it found.
   */
  async verify(
    path: string,
    scope: CheckScope,
    lastWrite: number,
    reason: string,
  ): Promise<StoreIntegrity> {
    if (this.#readOnly) {
      const found = await detectProblems(this.#connection, scope, lastWrite);
      if (found.uncommitted + found.duplicates > 0) {
        throw new StoreIntegrityError(
          path,
          `${path} holds ${found.uncommitted.toLocaleString("en-US")} uncommitted and ${found.duplicates.toLocaleString("en-US")} repeated bars left by ${reason}; open it once without --read-only to repair it`,
        );
      }
      return { ...INTEGRITY_OK, checked: true, reason };
    }
    // The marker goes first, so a crash during the check leads to another check.
    await this.mark(scope);
    const integrity = await checkIntegrity(this.#connection, scope, lastWrite, reason);
    await this.checkpoint();
    const message = integrity.message;
    if (message !== undefined) {
      process.emitWarning(`${path}: ${message}`, {
        code:
          integrity.state === "damaged"
            ? "SESSIONDATA_STORE_DAMAGED"
            : "SESSIONDATA_STORE_REPAIRED",
      });
    }
    return integrity;
  }
}
