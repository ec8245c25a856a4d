import { SessionData } from "./session-data.js";

let instance: SessionData | undefined;

/**
 * The process-wide store, created on first use with the default options.
 *
 * @example
 * ```ts
 * getSessionData().addBar("AAPL", bar);
 * ```
 */
export function getSessionData(): SessionData {
  if (instance === undefined) instance = new SessionData();
  return instance;
}

/** Clears the process-wide store and forgets it; the next {@link getSessionData} makes a new one. */
export function resetSessionData(): void {
  instance?.clear();
  instance = undefined;
}
