/**
 * A {@link WallClock} whose time moves only when a test says so: timers fire in time order
 * (ties in the order they were scheduled) as the test advances the clock, so pacing, timeouts and
 * periodic work are checked to the millisecond without sleeping.
 *
 * @example
 * ```ts
 * const clock = new FakeClock(Date.UTC(2024, 0, 2));
 * const replay = new BacktestStreamCoordinator({ …, speed: 6000, wallClock: clock });
 * const start = clock.now();
 * await clock.run(replay.run());           // jumps to each timer whenever the replay waits
 * expect(clock.now() - start).toBe(100);   // 10 simulated minutes at 6000x
 * ```
 */
import type { WallClock } from "../src/domain/wall-clock.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** One real turn of the event loop: every pending promise reaction and I/O callback runs. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class FakeClock implements WallClock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, ms: number): () => void {
    const timer: Timer = {
      at: this.#now + Math.max(0, ms),
      seq: this.#seq++,
      callback,
      cancelled: false,
    };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** The instant of the next timer, or `undefined` when none is pending. */
  get nextAt(): number | undefined {
    return this.#next()?.at;
  }

  #next(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  #fire(timer: Timer): void {
    this.#timers = this.#timers.filter((t) => t !== timer && !t.cancelled);
    if (timer.at > this.#now) this.#now = timer.at;
    timer.callback();
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order and letting what they
   * started run (an event-loop turn after each) before the next.
   */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    await turn();
    for (;;) {
      const next = this.#next();
      if (next === undefined || next.at > until) break;
      this.#fire(next);
      await turn();
      await turn();
    }
    this.#now = until;
  }

  /**
   * Runs until `work` settles: whenever it waits (two event-loop turns pass without it settling),
   * time jumps to the next timer. Rejects when it waits with no timer pending for `idleTurns`
   * turns (it would never finish: waiting on something the test has to do).
   */
  async run<T>(work: Promise<T>, idleTurns = 50): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    done.catch(() => undefined);
    let idle = 0;
    while (!settled) {
      await turn();
      await turn();
      if (settled) break;
      const next = this.#next();
      if (next === undefined) {
        if (++idle >= idleTurns) {
          throw new Error(
            "FakeClock.run: the work waits and no timer is pending (paused? waiting on the test?)",
          );
        }
        continue;
      }
      idle = 0;
      this.#fire(next);
    }
    return done;
  }
}
