import { MINUTE_MS } from "../domain/bar.js";
import type { WallClock } from "../domain/wall-clock.js";

/** What an {@link UpkeepTimer} runs and reads. */
export interface UpkeepTimerOptions {
  readonly wall: WallClock;
  /** Period in ms of `wall`. */
  readonly interval: number;
  /** What each round reads as the time. */
  readonly clock: () => number;
  /** Rounds check minutes whose bar closed at least this long ago (ms). */
  readonly settleMs: number;
  /** One round up to `now` (a whole minute). */
  readonly round: (now: number) => Promise<void>;
  /** Called when a round rejects. */
  readonly onError: () => void;
}

/**
 * The wall-clock timer of `DataUpkeep.start()`: a round every `interval` ms, on minutes that
 * closed at least `settleMs` ago, never two rounds at once. The timer is unref'd: it never keeps
 * the process alive by itself.
 */
export class UpkeepTimer {
  readonly #options: UpkeepTimerOptions;
  #cancel: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(options: UpkeepTimerOptions) {
    this.#options = options;
  }

  /** Whether the timer is armed. */
  get running(): boolean {
    return this.#cancel !== undefined;
  }

  start(): void {
    if (this.#cancel !== undefined) return;
    const { wall, interval } = this.#options;
    // A chain of one-shot timers, each armed for the next multiple of `interval` after start
    // (an interval timer on any clock; a late tick skips the slots it missed, never bunches).
    const begun = wall.now();
    const arm = (): void => {
      const now = wall.now();
      const due = begun + (Math.floor((now - begun) / interval) + 1) * interval - now;
      this.#cancel = wall.schedule(
        () => {
          this.#tick();
          if (this.#cancel !== undefined) arm();
        },
        due,
        { unref: true },
      );
    };
    arm();
  }

  /** Stops the timer; resolves when a round in progress has ended. */
  async stop(): Promise<void> {
    this.#cancel?.();
    this.#cancel = undefined;
    await this.#running;
  }

  #tick(): void {
    if (this.#running !== undefined) return;
    const { clock, settleMs, round, onError } = this.#options;
    const now = Math.floor((clock() - settleMs) / MINUTE_MS) * MINUTE_MS;
    this.#running = round(now)
      .catch(() => {
        // A bug rather than a source failure (those never reach here); a timer has nobody to
        // throw to, so it is counted in report().runErrors instead of crashing a live process.
        onError();
      })
      .finally(() => {
        this.#running = undefined;
      });
  }
}
