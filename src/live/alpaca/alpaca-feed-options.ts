import { InvalidArgumentError } from "../../domain/errors.js";
import { systemClock, type WallClock } from "../../domain/wall-clock.js";
import { checkReconnect, type ReconnectBackoff } from "../reconnect-backoff.js";
import { streamUrl } from "./alpaca-format.js";

/** Alpaca's stock feeds: `iex` (free plan), `sip` (all exchanges), `delayed_sip`, `test`. */
export type AlpacaFeedName = "iex" | "sip" | "delayed_sip" | "test";

/** Options of {@link AlpacaBarFeed}. */
export interface AlpacaBarFeedOptions {
  /**
   * Stream base (default `wss://stream.data.alpaca.markets`); `/v2/{feed}` is appended unless
   * the URL already has a path (`wss://stream.data.sandbox.alpaca.markets/v2/iex`).
   */
  readonly wsUrl?: string;
  /** REST base for the backfill (default `https://data.alpaca.markets`). */
  readonly restUrl?: string;
  /** API key id; default `process.env.APCA_API_KEY_ID`. Never logged nor put in a message. */
  readonly keyId?: string;
  /** API secret; default `process.env.APCA_API_SECRET_KEY`. Never logged nor put in a message. */
  readonly secretKey?: string;
  /** Default `iex`, the feed of Alpaca's free plan. */
  readonly feed?: AlpacaFeedName;
  /** The clock heartbeats, backoff and "closed minute" run on (default the system's). */
  readonly clock?: WallClock;
  /** Silence (no message, ping or pong) after which the connection is stalled; 30,000 ms. */
  readonly heartbeatTimeoutMs?: number;
  /** How often the feed pings the server (default a third of the heartbeat timeout). */
  readonly pingIntervalMs?: number;
  /** Reconnect backoff (default 1 s doubling to 30 s, equal jitter). */
  readonly reconnect?: Partial<ReconnectBackoff>;
  /**
   * The shortest wait before reconnecting after a 406 (connection limit exceeded), ms; default
   * 60,000. Alpaca allows one connection per feed and key, and after a network failure it may
   * still count the dead one for a while: retrying sooner only collects more 406s.
   */
  readonly connectionLimitRetryMs?: number;
  /**
   * Consecutive 406 answers after which the feed gives up and closes (default 10): by then the
   * slot is held by another live client (another process with the same key), not a ghost.
   */
  readonly maxConnectionLimitRetries?: number;
  /** Jitter source in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
  /** How long the handshake, auth or a subscribe may take before the attempt fails; 10,000 ms. */
  readonly requestTimeoutMs?: number;
  /** Requests per backfill page before it gives up (default 6). */
  readonly backfillAttempts?: number;
  /** The feed's name in statuses, errors and reports (default `"alpaca"`). */
  readonly name?: string;
}

/** {@link AlpacaBarFeedOptions} with every default filled in and checked. */
export interface AlpacaFeedSettings {
  readonly name: string;
  readonly clock: WallClock;
  readonly feed: AlpacaFeedName;
  /** The full stream URL (`…/v2/iex`). */
  readonly url: string;
  readonly restUrl: string;
  readonly keyId: string;
  readonly secretKey: string;
  readonly heartbeatMs: number;
  readonly pingMs: number;
  readonly policy: ReconnectBackoff;
  readonly limitFloorMs: number;
  readonly maxLimitRetries: number;
  readonly random: () => number;
  readonly requestTimeoutMs: number;
  readonly backfillAttempts: number | undefined;
}

/**
 * Fills in the defaults (keys from `APCA_API_KEY_ID` / `APCA_API_SECRET_KEY`) and checks them;
 * throws `InvalidArgumentError` naming the option, never quoting a key or secret.
 */
export function resolveAlpacaOptions(options: AlpacaBarFeedOptions): AlpacaFeedSettings {
  const feed = options.feed ?? "iex";
  if (!["iex", "sip", "delayed_sip", "test"].includes(feed)) {
    throw new InvalidArgumentError(
      `feed must be iex, sip, delayed_sip or test, got ${JSON.stringify(feed)}`,
    );
  }
  const base = options.wsUrl ?? "wss://stream.data.alpaca.markets";
  const url = new URL(base).pathname.replace(/\/+$/, "") === "" ? streamUrl(base, feed) : base;
  const keyId = options.keyId ?? process.env.APCA_API_KEY_ID;
  const secretKey = options.secretKey ?? process.env.APCA_API_SECRET_KEY;
  if (keyId === undefined || keyId === "" || secretKey === undefined || secretKey === "") {
    throw new InvalidArgumentError(
      `Alpaca needs an API key: pass keyId and secretKey or set APCA_API_KEY_ID and APCA_API_SECRET_KEY (${keyId ? "secret" : "key id"} missing)`,
    );
  }
  const heartbeatMs = options.heartbeatTimeoutMs ?? 30_000;
  const pingMs = options.pingIntervalMs ?? Math.max(1, Math.floor(heartbeatMs / 3));
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const limitFloorMs = options.connectionLimitRetryMs ?? 60_000;
  const maxLimitRetries = options.maxConnectionLimitRetries ?? 10;
  for (const [what, value] of [
    ["heartbeatTimeoutMs", heartbeatMs],
    ["pingIntervalMs", pingMs],
    ["requestTimeoutMs", requestTimeoutMs],
  ] as const) {
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new InvalidArgumentError(`${what} must be a finite number > 0, got ${value}`);
    }
  }
  if (!(pingMs < heartbeatMs)) {
    throw new InvalidArgumentError(
      `pingIntervalMs (${pingMs}) must be below heartbeatTimeoutMs (${heartbeatMs}): a quiet but healthy stream would count as stalled`,
    );
  }
  if (!(limitFloorMs >= 0) || !Number.isInteger(maxLimitRetries) || maxLimitRetries < 0) {
    throw new InvalidArgumentError(
      `connectionLimitRetryMs must be >= 0 and maxConnectionLimitRetries an integer >= 0, got ${limitFloorMs} and ${maxLimitRetries}`,
    );
  }
  return {
    name: options.name ?? "alpaca",
    clock: options.clock ?? systemClock,
    feed,
    url,
    restUrl: options.restUrl ?? "https://data.alpaca.markets",
    keyId,
    secretKey,
    heartbeatMs,
    pingMs,
    policy: checkReconnect(options.reconnect),
    limitFloorMs,
    maxLimitRetries,
    random: options.random ?? Math.random,
    requestTimeoutMs,
    backfillAttempts: options.backfillAttempts,
  };
}
