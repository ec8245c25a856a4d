/**
 * The wall clock a paced replay waits on and a live upkeep timer runs on: a port, so tests drive
 * time by hand (a fake clock that jumps to the next timer) instead of sleeping, and no test result
 * depends on how fast the machine happens to be.
 */
export interface WallClock {
  /** The current instant, epoch milliseconds. */
  now(): number;
  /**
   * Calls `callback` once, `ms` milliseconds from now; returns the function that cancels it.
   * `unref`: the timer alone does not keep the process alive.
   */
  schedule(callback: () => void, ms: number, options?: { readonly unref?: boolean }): () => void;
}

/**
 * The real clock: `Date.now` and `setTimeout`.
 *
 * @example
 * ```ts
 * const cancel = systemClock.schedule(() => console.log("a second later"), 1_000);
 * cancel();
 * ```
 */
export const systemClock: WallClock = {
  now: () => Date.now(),
  schedule(callback, ms, options) {
    const timer = setTimeout(callback, Math.max(0, ms));
    if (options?.unref === true) timer.unref();
    return () => clearTimeout(timer);
  },
};
