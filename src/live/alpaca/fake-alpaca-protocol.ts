/**
 * The fake's side of Alpaca's stream protocol, for one connection: `auth` (402 for a wrong key,
 * 409 for a feed outside the plan, 406 past the connection limit, 403 when already
 * authenticated), `subscribe` / `unsubscribe` of `bars` and `updatedBars` (401 before auth,
 * 405 past the symbol limit) answered with the `subscription` message, 400 for anything else.
 */
import type { WebSocket } from "ws";

/** One client connection as the fake sees it. */
export interface Conn {
  readonly ws: WebSocket;
  readonly feed: string;
  authenticated: boolean;
  readonly bars: Set<string>;
  readonly updatedBars: Set<string>;
  stalled: boolean;
  cancelAuth: () => void;
}

/** What {@link answerCommand} needs from the fake it runs in. */
export interface ProtocolHost {
  readonly keyId: string;
  readonly secretKey: string;
  /** The feeds the key's plan includes. */
  readonly feeds: ReadonlySet<string>;
  readonly connectionLimit: number;
  readonly symbolLimit: number;
  /** Authenticated connections the key holds now (held slots included). */
  slotsUsed(): number;
  /** The next scripted auth answer (an error code), if any. */
  nextScriptedAuth(): number | undefined;
  send(conn: Conn, messages: object[]): void;
  /** Sends error `code` with Alpaca's text; with `close`, ends the connection after it. */
  fail(conn: Conn, code: number, close: boolean): void;
}

/** Answers one text frame a client sent. */
export function answerCommand(host: ProtocolHost, conn: Conn, text: string): void {
  if (conn.stalled) return;
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(text);
  } catch {
    host.fail(conn, 400, false);
    return;
  }
  if (msg === null || typeof msg !== "object") {
    host.fail(conn, 400, false);
    return;
  }
  if (msg.action === "auth") {
    if (conn.authenticated) {
      host.fail(conn, 403, false);
      return;
    }
    const scripted = host.nextScriptedAuth();
    if (scripted !== undefined) {
      host.fail(conn, scripted, true);
      return;
    }
    if (msg.key !== host.keyId || msg.secret !== host.secretKey) {
      host.fail(conn, 402, true);
      return;
    }
    if (!host.feeds.has(conn.feed)) {
      host.fail(conn, 409, true);
      return;
    }
    if (host.slotsUsed() >= host.connectionLimit) {
      host.fail(conn, 406, true);
      return;
    }
    conn.authenticated = true;
    conn.cancelAuth();
    host.send(conn, [{ T: "success", msg: "authenticated" }]);
    return;
  }
  if (msg.action !== "subscribe" && msg.action !== "unsubscribe") {
    host.fail(conn, 400, false);
    return;
  }
  if (!conn.authenticated) {
    host.fail(conn, 401, false);
    return;
  }
  const lists: [Set<string>, unknown][] = [
    [conn.bars, msg.bars],
    [conn.updatedBars, msg.updatedBars],
  ];
  if (
    lists.some(
      ([, l]) => l !== undefined && (!Array.isArray(l) || l.some((s) => typeof s !== "string")),
    )
  ) {
    host.fail(conn, 400, false);
    return;
  }
  if (msg.action === "subscribe") {
    const wanted = new Set([...conn.bars, ...((msg.bars as string[] | undefined) ?? [])]);
    if (wanted.size > host.symbolLimit) {
      host.fail(conn, 405, false);
      return;
    }
  }
  for (const [set, list] of lists) {
    for (const s of (list as string[] | undefined) ?? []) {
      if (msg.action === "subscribe") set.add(s.toUpperCase());
      else set.delete(s.toUpperCase());
    }
  }
  host.send(conn, [
    {
      T: "subscription",
      trades: [],
      quotes: [],
      bars: [...conn.bars].sort(),
      updatedBars: [...conn.updatedBars].sort(),
      dailyBars: [],
      statuses: [],
      lulds: [],
      corrections: [],
      cancelErrors: [],
    },
  ]);
}
