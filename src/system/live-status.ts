import type { LiveFeed } from "../live/live-feed.js";
import type { ServerStatus, ServerStatusSource } from "../server/server.js";
import type { LiveSession } from "./live-session.js";

/** Late minutes kept per symbol: a 24-hour session's worth. */
const MAX_LATE_MINUTES = 1_440;

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
  // Each symbol's late minutes in time order (the dashboard marks their bars), the latest
  // MAX_LATE_MINUTES kept: a day of minutes, so memory stays bounded over a long run.
  const lateBy = new Map<string, number[]>();
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
  session?.on("barLate", ({ symbol, minute }) => {
    late++;
    let minutes = lateBy.get(symbol);
    if (minutes === undefined) lateBy.set(symbol, (minutes = []));
    minutes.push(minute);
    if (minutes.length > MAX_LATE_MINUTES) minutes.splice(0, minutes.length - MAX_LATE_MINUTES);
    emit({ ...status, lateBars: late });
  });
  return {
    current: () => status,
    lateMinutes(symbol, from, to) {
      return (lateBy.get(symbol) ?? []).filter((m) => m >= from && m < to);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
