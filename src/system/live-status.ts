import type { LiveFeed } from "../live/live-feed.js";
import type { ServerStatus, ServerStatusSource } from "../server/server.js";
import type { LiveSession } from "./live-session.js";

/**
 * A live session's status as the server shows it (the dashboard's header: live, reconnecting,
 * "live · N late"): the feed's state and reason, and the count of late bars so far.
 *
 * @example
 * ```ts
 * // no-run: needs a running feed
 * startServer({ sessionData, status: liveStatusSource(feed, session) });
 * ```
 */
export function liveStatusSource(feed: LiveFeed, session?: LiveSession): ServerStatusSource {
  let late = 0;
  let status: ServerStatus = { state: feed.state, feed: feed.name, lateBars: 0 };
  const listeners = new Set<(s: ServerStatus) => void>();
  const emit = (next: ServerStatus) => {
    status = next;
    for (const l of listeners) l(next);
  };
  feed.on("status", (s) => {
    emit({
      state: s.state,
      ...(s.reason === undefined ? {} : { reason: s.reason }),
      at: s.at,
      feed: feed.name,
      lateBars: late,
    });
  });
  session?.on("barLate", () => {
    late++;
    emit({ ...status, lateBars: late });
  });
  return {
    current: () => status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
