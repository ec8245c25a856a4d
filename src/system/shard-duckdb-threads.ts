/**
 * A local shard worker's DuckDB thread budget. DuckDB sizes its thread pool to the machine's
 * cores; two workers on two cores would each start two scan threads and fight over the cores
 * (the scan runs beside the replay's own thread). A worker process is given its share instead.
 *
 * The store's open options have no thread setting in this branch, so the worker (a process of
 * its own, nothing else opens DuckDB in it) sets `threads` in the config of every instance it
 * creates; `SET threads` at open time is the same setting.
 */
import { DuckDBInstance } from "@duckdb/node-api";

let installed: number | undefined;
let original: typeof DuckDBInstance.create | undefined;

/**
 * Makes every DuckDB instance this process creates from now on use `threads` threads; returns
 * the function that puts DuckDB's default back (a test's clean-up; a worker never needs it).
 */
export function limitDuckDbThreads(threads: number): () => void {
  if (!Number.isInteger(threads) || threads < 1) return () => undefined;
  if (original === undefined) {
    const create = DuckDBInstance.create.bind(DuckDBInstance);
    original = DuckDBInstance.create;
    DuckDBInstance.create = (path?: string, options?: Record<string, string>) =>
      create(path, { ...options, threads: String(installed) });
  }
  installed = threads;
  return () => {
    if (original !== undefined) DuckDBInstance.create = original;
    original = installed = undefined;
  };
}

/** The threads each of `shards` local workers gets: the cores shared out, at least one. */
export function duckDbThreadsPerShard(shards: number, cores: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, shards)));
}
