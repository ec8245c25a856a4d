import type { SessionData, SessionMetrics } from "../store/public.js";
import { getSystemManager } from "./system-manager.js";

/** The code of the warning {@link SessionTracker}'s first use emits. */
export const SESSION_TRACKER_DEPRECATION = "SESSIONDATA_DEP_SESSION_TRACKER";

let warned = false;

function warnOnce(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    "SessionTracker is deprecated: use getSystemManager().dataManager.getSessionMetrics(symbol) " +
      "or getSessionData().getSessionMetrics(symbol, date?) instead.",
    { type: "DeprecationWarning", code: SESSION_TRACKER_DEPRECATION },
  );
}

/**
 * The seed's session tracker, kept so old code runs: it answers from the session store.
 * The first use in a process emits a `DeprecationWarning` (code
 * `SESSIONDATA_DEP_SESSION_TRACKER`) naming the replacement.
 *
 * @deprecated Use `getSystemManager().dataManager.getSessionMetrics(symbol)` or
 * `getSessionData().getSessionMetrics(symbol, date?)`.
 * @example
 * ```ts
 * // old code, still working:
 * const metrics = getSessionTracker().getSessionMetrics("AAPL");
 * // new code:
 * const same = getSystemManager().dataManager.getSessionMetrics("AAPL");
 * ```
 */
export class SessionTracker {
  readonly #sessionData: SessionData;

  /** @param sessionData the store to answer from (default: the process-wide system's). */
  constructor(sessionData?: SessionData) {
    warnOnce();
    this.#sessionData = sessionData ?? getSystemManager().sessionData;
  }

  /**
   * The metrics of `symbol` for the current session, or for `date` when that session is still in
   * the store's history; `undefined` when the store has none.
   */
  getSessionMetrics(symbol: string, date?: string): SessionMetrics | undefined {
    return this.#sessionData.getSessionMetrics(symbol, date);
  }
}

let tracker: { readonly store: SessionData; readonly tracker: SessionTracker } | undefined;

/**
 * The process-wide {@link SessionTracker}, over `getSystemManager().sessionData`.
 *
 * @deprecated Use `getSystemManager().dataManager` or `getSessionData()`.
 */
export function getSessionTracker(): SessionTracker {
  const store = getSystemManager().sessionData;
  // Follows the process-wide store when a test or a restart replaced it.
  if (tracker?.store !== store) tracker = { store, tracker: new SessionTracker(store) };
  return tracker.tracker;
}
