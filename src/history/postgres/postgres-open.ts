/**
 * Opening the PostgreSQL store from what a user types: `--pg URL`, else `SESSIONDATA_PG_URL`.
 * The one place the CLI (and `SystemManager`, when it learns PostgreSQL) turns a URL into a
 * store, so every command reads the flag and the variable alike.
 */
import { PostgresBarStore } from "./postgres-bar-store.js";

/** The environment variable naming the PostgreSQL store when no `--pg` is given. */
export const PG_URL_ENV = "SESSIONDATA_PG_URL";

/**
 * The PostgreSQL URL a command uses: `flag` when given and not blank, else `$SESSIONDATA_PG_URL`
 * when set and not blank, else `undefined` (the command uses its DuckDB file).
 */
export function resolvePgUrl(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (flag !== undefined && flag.trim() !== "") return flag.trim();
  const fromEnv = env[PG_URL_ENV];
  return fromEnv !== undefined && fromEnv.trim() !== "" ? fromEnv.trim() : undefined;
}

/**
 * Opens the store a PostgreSQL URL names (its schema from `?schema=`, default `sessiondata`).
 *
 * @example
 * ```ts
 * const store = await openPostgresFromUrl("postgres://me@db.desk/history?schema=desk", { readOnly: true });
 * ```
 */
export function openPostgresFromUrl(
  url: string,
  options: { readonly readOnly?: boolean; readonly create?: boolean } = {},
): Promise<PostgresBarStore> {
  return PostgresBarStore.open({ url, ...options });
}
