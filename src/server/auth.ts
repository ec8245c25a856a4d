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

/** The host name of a `Host` header (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `::1`). */
function hostName(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (bracketed !== null) return bracketed[1]!.toLowerCase();
  return hostHeader.replace(/:\d+$/, "").toLowerCase();
}

/**
 * Whether a request's `Host` header names this machine. A server without a token listens on
 * loopback only, but a web page can still reach it through a DNS name that resolves to 127.0.0.1
 * (DNS rebinding) and then read its answers as same-origin; such a request carries the page's
 * host name, which this refuses. No header (not a browser; `app.request` in tests) passes.
 */
export function hostIsLoopback(hostHeader: string | undefined | null): boolean {
  if (hostHeader === undefined || hostHeader === null || hostHeader === "") return true;
  return isLoopback(hostName(hostHeader));
}

/**
 * Whether a WebSocket upgrade comes from the server's own pages. Browsers send `Origin` on every
 * WebSocket and, unlike `fetch`, apply no CORS check to it, so any web site could otherwise open
 * `/ws` on this machine and read the feed. A request without `Origin` (a program) passes.
 */
export function originMatchesHost(
  origin: string | undefined | null,
  hostHeader: string | undefined | null,
): boolean {
  if (origin === undefined || origin === null) return true;
  if (hostHeader === undefined || hostHeader === null) return false;
  try {
    return new URL(origin).host.toLowerCase() === hostHeader.toLowerCase();
  } catch {
    return false;
  }
}
