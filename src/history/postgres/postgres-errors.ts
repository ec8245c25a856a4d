/**
 * What goes wrong between sessiondata and a PostgreSQL server, as named errors that say which
 * server and what to do. The driver's own errors (`ECONNREFUSED`, SQLSTATE `28P01`, "Connection
 * terminated unexpectedly") are translated by {@link translatePgError} at every entry point, so
 * the CLI prints one line a user can act on and a library caller can branch on the class.
 */
import { SessiondataError } from "../../domain/errors.js";

/** Why a connection failed: see the subclasses of {@link PostgresConnectionError}. */
export type PostgresFailure = "unreachable" | "auth" | "no-database" | "lost";

/**
 * The base of every connection failure. `host` is `host:port` as the URL named it (never the
 * password); `retryable` says whether running the same thing again may succeed.
 */
export class PostgresConnectionError extends SessiondataError {
  /** The server, `host:port`. */
  readonly host: string;
  /** What kind of failure it was. */
  readonly failure: PostgresFailure;
  /** Whether the same call may succeed later (a restart, a network blip), not a fix to make. */
  readonly retryable: boolean;
  constructor(
    host: string,
    failure: PostgresFailure,
    retryable: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.host = host;
    this.failure = failure;
    this.retryable = retryable;
  }
}

/** Nothing answers at the address (refused, unknown host, time-out). */
export class PostgresUnreachableError extends PostgresConnectionError {
  constructor(host: string, reason: string, options?: ErrorOptions) {
    super(
      host,
      "unreachable",
      true,
      `cannot connect to PostgreSQL at ${host} (${reason}): start the server there, or point --pg / SESSIONDATA_PG_URL at one that runs`,
      options,
    );
  }
}

/** The server refused the login: a wrong password, an unknown role, or no `pg_hba.conf` entry. */
export class PostgresAuthError extends PostgresConnectionError {
  /** The role the URL logs in as. */
  readonly user: string;
  constructor(host: string, user: string, reason: string, options?: ErrorOptions) {
    super(
      host,
      "auth",
      false,
      `PostgreSQL at ${host} refused the login of role ${JSON.stringify(user)} (${reason}): check the user and password in the URL (postgres://USER:PASSWORD@${host}/DB) or PGPASSWORD, and the server's pg_hba.conf`,
      options,
    );
    this.user = user;
  }
}

/** The database named in the URL does not exist on the server. */
export class PostgresNoDatabaseError extends PostgresConnectionError {
  /** The database the URL names. */
  readonly database: string;
  constructor(host: string, database: string, options?: ErrorOptions) {
    super(
      host,
      "no-database",
      false,
      `PostgreSQL at ${host} has no database ${JSON.stringify(database)}: create it (createdb -h ${host.replace(/:\d+$/, "")} ${database}) or name another in the URL`,
      options,
    );
    this.database = database;
  }
}

/**
 * The connection broke while a call was running: the server restarted, an administrator ended
 * the backend, or the network dropped. A write that fails this way was rolled back by the server
 * (nothing of it is stored): running it again stores it exactly once.
 */
export class PostgresConnectionLostError extends PostgresConnectionError {
  /** What was running: "scan", "write of 1,200 bars of AAPL", … */
  readonly during: string;
  constructor(host: string, during: string, reason: string, options?: ErrorOptions) {
    const write = /^(write|import|bulk write|copy)/.test(during);
    super(
      host,
      "lost",
      true,
      `the connection to PostgreSQL at ${host} was lost during the ${during} (${reason}): ${
        write
          ? "nothing of that write was stored (the server rolled it back); run it again once the server is back"
          : "run it again once the server is back"
      }`,
      options,
    );
    this.during = during;
  }
}

/** The fields of a driver error this module looks at (the `pg` DatabaseError and Node's errors). */
interface DriverError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly errno?: unknown;
}

/** SQLSTATEs of a server ending the connection (admin_shutdown, crash_shutdown, cannot_connect_now). */
const LOST_STATES = new Set(["57P01", "57P02", "57P03", "08006", "08003", "08000"]);
/** Node's socket error codes for a server that is not there. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
]);

/** Where a translated error happened: the server, the role, the database, what was running. */
export interface ErrorContext {
  readonly host: string;
  readonly user: string;
  readonly database: string;
  /** What was running (for a lost connection): "scan", "write of 12 bars of AAPL", … */
  readonly during: string;
  /** Whether the connection had been established (a refusal then is a loss, not unreachability). */
  readonly connected?: boolean;
}

/**
 * The named error for a driver error, or the error itself when it is not about the connection
 * (a constraint, a syntax error: those are bugs or bad input and keep the server's message).
 */
export function translatePgError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof PostgresConnectionError) return error;
  if (error === null || typeof error !== "object") return error;
  const e = error as DriverError;
  const code = typeof e.code === "string" ? e.code : "";
  const message = typeof e.message === "string" ? e.message : String(error);
  const options = { cause: error };
  if (code === "28P01" || code === "28000") {
    return new PostgresAuthError(context.host, context.user, message, options);
  }
  if (code === "3D000") return new PostgresNoDatabaseError(context.host, context.database, options);
  if (UNREACHABLE_CODES.has(code) && context.connected !== true) {
    return new PostgresUnreachableError(context.host, `${code}: ${message}`, options);
  }
  if (
    LOST_STATES.has(code) ||
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    UNREACHABLE_CODES.has(code) ||
    /Connection terminated|connection ended|terminating connection|Client has encountered a connection error|not queryable/i.test(
      message,
    )
  ) {
    return new PostgresConnectionLostError(context.host, context.during, message, options);
  }
  if (/timeout expired|connection timeout/i.test(message)) {
    return new PostgresUnreachableError(context.host, message, options);
  }
  return error;
}
