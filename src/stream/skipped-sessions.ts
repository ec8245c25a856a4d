import type { SessionRun } from "./backtest-options.js";
import type { ReplayUpkeep } from "./replay-upkeep.js";

/**
 * The sessions of a replay that no bar reached (the replay passes over them), told to upkeep in
 * session order so a symbol whose range covers one has it counted as a missing session. Called
 * per session, never per bar.
 */
export class SkippedSessions {
  readonly #upkeep: ReplayUpkeep | undefined;
  readonly #windows: readonly SessionRun[];
  /** Index of the first session window neither played nor counted as skipped. */
  #next = 0;

  constructor(upkeep: ReplayUpkeep | undefined, windows: readonly SessionRun[]) {
    this.#upkeep = upkeep;
    this.#windows = windows;
  }

  /** Session `index` is being played: the ones before it not played were skipped. */
  played(index: number): void {
    this.skipTo(index);
    this.#next = index + 1;
  }

  /** Every session before window `w` not played was skipped. */
  skipTo(w: number): void {
    const count = this.#upkeep?.countMissingSession;
    for (; this.#next < w; this.#next++) {
      count?.call(this.#upkeep, this.#windows[this.#next]!.date);
    }
  }
}
