import { resolve } from "node:path";

/** The database file name used when neither `--db` nor `SESSIONDATA_DB` names one. */
export const DEFAULT_DB_FILE = "sessiondata.duckdb";

/**
 * The DuckDB file a command or `SystemManager` opens by default: `SESSIONDATA_DB` when set and
 * not empty, else `sessiondata.duckdb` in the working directory (as an absolute path;
 * `":memory:"` passes through).
 *
 * @example
 * ```ts
 * const store = await DuckDbBarStore.open(defaultDbPath());
 * ```
 */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.SESSIONDATA_DB;
  const path = given !== undefined && given.trim() !== "" ? given : DEFAULT_DB_FILE;
  return path === ":memory:" ? path : resolve(path);
}
