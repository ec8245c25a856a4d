/**
 * What DuckDB says about itself, for the store's diagnostics: the settings it runs with and what
 * its buffer manager holds (the README's memory breakdown and `npm run bench -- memory` use them).
 */
import type { DuckDBConnection } from "@duckdb/node-api";

/** The memory limit and threads DuckDB runs a database with, in DuckDB's words. */
export interface DuckDbSettings {
  /** `current_setting('memory_limit')`, e.g. `"244.1 MiB"` for `"256MB"`. */
  readonly memoryLimit: string;
  readonly threads: number;
}

/** What DuckDB's buffer manager holds (`duckdb_memory()`). */
export interface DuckDbMemory {
  /** Bytes in memory, all tags. */
  readonly usedBytes: number;
  /** Bytes spilled to temporary files, all tags. */
  readonly temporaryBytes: number;
  /**
   * Bytes in memory by tag, the tags holding any: `BASE_TABLE` (cached blocks of the file),
   * `ORDER_BY` (a scan's sorted windows), `HASH_TABLE`, `ALLOCATOR`, …
   */
  readonly byTag: Readonly<Record<string, number>>;
}

/** Reads {@link DuckDbSettings} on `connection`. */
export async function readSettings(connection: DuckDBConnection): Promise<DuckDbSettings> {
  const reader = await connection.runAndReadAll(
    "SELECT CAST(current_setting('memory_limit') AS VARCHAR), CAST(current_setting('threads') AS VARCHAR)",
  );
  const [limit, threads] = reader.getRows()[0]!;
  return { memoryLimit: String(limit), threads: Number(threads) };
}

/** Reads {@link DuckDbMemory} on `connection`. */
export async function readMemory(connection: DuckDBConnection): Promise<DuckDbMemory> {
  const reader = await connection.runAndReadAll(
    "SELECT tag, CAST(memory_usage_bytes AS DOUBLE), CAST(temporary_storage_bytes AS DOUBLE) FROM duckdb_memory()",
  );
  let usedBytes = 0;
  let temporaryBytes = 0;
  const byTag: Record<string, number> = {};
  for (const [tag, used, temporary] of reader.getRows()) {
    usedBytes += Number(used);
    temporaryBytes += Number(temporary);
    if (Number(used) > 0) byTag[String(tag)] = Number(used);
  }
  return { usedBytes, temporaryBytes, byTag };
}
