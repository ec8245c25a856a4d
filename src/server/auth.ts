/**
 * Who may talk to the server. On a loopback address anyone on the machine may; anywhere else a
 * bearer token is required, on every API request and on the WebSocket upgrade.
 */
import { timingSafeEqual } from "node:crypto";
import { InvalidArgumentError } from "../domain/errors.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Throws {@link InvalidArgumentError} unless the (host, token) pair is safe to listen with:
 * a non-loopback host needs a token, and a token must be long enough to resist guessing.
 */
export function checkListenPolicy(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < 16) {
    throw new InvalidArgumentError(
      `--token must be at least 16 characters (got ${token.length}); use e.g. \`openssl rand -hex 24\``,
    );
  }
  if (!isLoopback(host) && token === undefined) {
    throw new InvalidArgumentError(
      `refusing to listen on ${host} without --token: any address but 127.0.0.1/::1 exposes the API to the network, so a bearer token is required`,
    );
  }
}

/** Compares a presented token with the expected one in constant time. */
export function tokenMatches(expected: string, presented: string | undefined | null): boolean {
  if (presented === undefined || presented === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or `undefined`. */
export function bearerOf(header: string | undefined | null): string | undefined {
  if (header === undefined || header === null) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m === null ? undefined : m[1];
}

/**
 * The token of a WebSocket upgrade request: the `Authorization` header (programs), or the
 * `access_token` query parameter (browsers cannot set headers on a WebSocket).
 */
export function upgradeToken(
  url: string | undefined,
  authorization: string | undefined,
): string | undefined {
  const fromHeader = bearerOf(authorization);
  if (fromHeader !== undefined) return fromHeader;
  if (url === undefined) return undefined;
  const q = url.indexOf("?");
  if (q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get("access_token") ?? undefined;
}
