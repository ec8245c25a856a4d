/**
 * What the publisher and the replica agree on: the stream, its subjects, the connection.
 */
import { type JetStreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import { InvalidArgumentError } from "../domain/errors.js";
import { NatsUnavailableError } from "./bus-errors.js";

/** The stream that holds the bars (pinned in DESIGN.md). */
export const DEFAULT_STREAM = "SESSIONDATA_BARS";
/** Subjects are `<prefix>.1m.<SYMBOL>` and `<prefix>.slice` (pinned: `bars`). */
export const DEFAULT_SUBJECT_PREFIX = "bars";
/** How long the stream keeps a message by default: a day covers a session and its replicas. */
export const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Where the bus lives; shared by publisher and replica. */
export interface BusLocation {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /** Stream name (default {@link DEFAULT_STREAM}); tests use their own. */
  readonly stream?: string;
  /** Subject prefix (default {@link DEFAULT_SUBJECT_PREFIX}); tests use their own. */
  readonly subjectPrefix?: string;
}

/** The resolved names of a {@link BusLocation}. */
export interface BusNames {
  readonly servers: string[];
  readonly stream: string;
  readonly prefix: string;
  /** `<prefix>.slice` */
  readonly sliceSubject: string;
  /** `<prefix>.1m.>` */
  readonly barSubjects: string;
}

const TOKEN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Checks and resolves a location's names. */
export function busNames(location: BusLocation): BusNames {
  const servers = typeof location.servers === "string" ? [location.servers] : [...location.servers];
  if (servers.length === 0 || servers.some((s) => typeof s !== "string" || s.length === 0)) {
    throw new InvalidArgumentError(
      `servers must name at least one NATS URL, got ${JSON.stringify(location.servers)}`,
    );
  }
  const stream = location.stream ?? DEFAULT_STREAM;
  if (!/^[A-Za-z0-9_-]+$/.test(stream)) {
    throw new InvalidArgumentError(
      `stream name ${JSON.stringify(stream)} must match [A-Za-z0-9_-]+`,
    );
  }
  const prefix = location.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  if (!TOKEN.test(prefix)) {
    throw new InvalidArgumentError(
      `subject prefix ${JSON.stringify(prefix)} must be dot-separated tokens of [A-Za-z0-9_-]`,
    );
  }
  return {
    servers,
    stream,
    prefix,
    sliceSubject: `${prefix}.slice`,
    barSubjects: `${prefix}.1m.>`,
  };
}

/**
 * The subject of a symbol's bars. Characters outside `[A-Za-z0-9_-]` (a dot included: it would
 * split the token) become `_`; the payload carries the exact symbol, the subject only filters.
 */
export function barSubject(prefix: string, symbol: string): string {
  return `${prefix}.1m.${symbol.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * Connects to NATS, reconnecting forever after a loss (the bus must survive a server restart);
 * a first connection that fails is a {@link NatsUnavailableError} naming the URL.
 */
export async function connectBus(
  servers: readonly string[],
  name: string,
  timeoutMs = 2_000,
): Promise<NatsConnection> {
  try {
    return await connect({
      servers: [...servers],
      name,
      timeout: timeoutMs,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 50,
      pingInterval: 5_000,
    });
  } catch (error) {
    throw new NatsUnavailableError(
      servers.join(", "),
      error instanceof Error ? error.message : String(error),
      { cause: error },
    );
  }
}

/**
 * Creates the bars stream, or updates its subjects and age limit (limits retention, file
 * storage; a two-minute duplicate window lets the publisher retry with the same message id).
 */
export async function ensureStream(
  jsm: JetStreamManager,
  names: BusNames,
  maxAgeMs: number,
): Promise<void> {
  const config = {
    name: names.stream,
    subjects: [names.barSubjects, names.sliceSubject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(maxAgeMs),
    duplicate_window: nanos(Math.min(120_000, maxAgeMs)),
  };
  try {
    await jsm.streams.info(names.stream);
  } catch {
    await jsm.streams.add(config);
    return;
  }
  await jsm.streams.update(names.stream, config);
}
