/**
 * Reading a PostgreSQL URL the way the store needs it: the driver's connection settings, the
 * `host:port` that errors name (never the password), and the sessiondata schema, which a URL
 * may carry as `?schema=NAME` so one flag (`--pg`) says everything.
 */
import { InvalidArgumentError } from "../../domain/errors.js";

/** The schema a store uses when neither the options nor the URL name one. */
export const DEFAULT_PG_SCHEMA = "sessiondata";

/** What {@link parsePgUrl} finds in a URL. */
export interface PgTarget {
  /** The URL for the driver, without sessiondata's own `schema` parameter. */
  readonly connectionString: string;
  /** `host:port`, for messages. */
  readonly host: string;
  /** The role the URL logs in as (the driver's default, `$PGUSER` or the OS user, when absent). */
  readonly user: string;
  /** The database the URL names. */
  readonly database: string;
  /** The URL's `?schema=`, when it has one. */
  readonly schema: string | undefined;
  /** The URL with any password replaced by `***`, for messages and `--json` output. */
  readonly display: string;
}

/** Schema names the store accepts: a plain SQL identifier, so it needs no quoting surprises. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Throws unless `schema` is a plain identifier (letters, digits, `_`, at most 63 bytes). */
export function checkSchemaName(schema: string): string {
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema)) {
    throw new InvalidArgumentError(
      `PostgreSQL schema ${JSON.stringify(schema)} is not a plain identifier (letters, digits and _, not starting with a digit, at most 63)`,
    );
  }
  return schema;
}

/**
 * Splits a `postgres://` (or `postgresql://`) URL into what the store needs. Throws
 * `InvalidArgumentError` for anything else, quoting it without its password.
 *
 * @example
 * ```ts
 * parsePgUrl("postgres://me:secret@db.desk:5433/history?schema=desk").host; // "db.desk:5433"
 * ```
 */
export function parsePgUrl(url: string, env: NodeJS.ProcessEnv = process.env): PgTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(
      `${JSON.stringify(redact(url))} is not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE)`,
    );
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new InvalidArgumentError(
      `${JSON.stringify(redact(url))} is not a PostgreSQL URL: it must start with postgres:// (postgres://USER@HOST:PORT/DATABASE)`,
    );
  }
  const schema = parsed.searchParams.get("schema") ?? undefined;
  if (schema !== undefined) checkSchemaName(schema);
  parsed.searchParams.delete("schema");
  const hostname = parsed.hostname || env.PGHOST || "localhost";
  const port = parsed.port || env.PGPORT || "5432";
  const user = decodeURIComponent(parsed.username) || env.PGUSER || env.USER || "postgres";
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || env.PGDATABASE || user;
  return {
    connectionString: parsed.toString(),
    host: `${hostname}:${port}`,
    user,
    database,
    schema,
    display: redact(url),
  };
}

/** The URL with its password (if any) replaced by `***`. */
export function redact(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]*):[^@/]*@/, "$1:***@");
}
