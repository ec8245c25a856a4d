import { performance } from "node:perf_hooks";
import { InvalidArgumentError } from "../domain/errors.js";
import { systemClock, type WallClock } from "../domain/wall-clock.js";
import type { ReplaySpeed } from "./backtest-types.js";

/**
 * Longest stretch of wall time a max-speed replay runs without letting timers and I/O in. A
 * turn of the event loop costs a few microseconds, so 5 ms costs the replay well under 1 % and
 * bounds how long a request that just arrived waits to be read.
 */
const YIELD_EVERY_MS = 5;

/**
 * The same while some I/O of this process holds a turn (see {@link holdEventLoopTurns}): a
 * request being answered may need several turns (read, handler, write), each of which would
 * otherwise wait out a whole budget. Not every slice: a slice of one symbol takes microseconds.
 */
const YIELD_EVERY_MS_WHEN_HELD = 0.5;

/** Holds taken by {@link holdEventLoopTurns} and not yet released (process-wide, like the loop). */
let holds = 0;

/**
 * Says that I/O of this process (an HTTP request being answered) is waiting for turns of the
 * event loop: until the returned function is called, every max-speed replay yields at least
 * every 0.5 ms instead of every 5 ms. Release it exactly once (more calls are ignored).
 */
export function holdEventLoopTurns(): () => void {
  holds++;
  let held = true;
  return () => {
    if (held) {
      held = false;
      holds--;
    }
  };
}

/** Whether some I/O holds turns of the event loop now (see {@link holdEventLoopTurns}). */
export function eventLoopTurnsHeld(): boolean {
  return holds > 0;
}

/** How long a max-speed replay may run now before it yields. */
function yieldBudget(): number {
  return holds > 0 ? YIELD_EVERY_MS_WHEN_HELD : YIELD_EVERY_MS;
}

/**
 * Paces a replay against a wall clock and carries its pause/stop state.
 *
 * At `speed` N a simulated span of `d` ms takes `d / N` ms of wall time, measured from an anchor
 * (set at each session start, so the night between sessions is skipped, and shifted by the time
 * spent paused). At `"max"` nothing waits, but the replay still yields to the event loop every
 * few milliseconds of real CPU time so that `pause()`/`stop()` from a timer, a progress bar or a
 * socket get a turn. Pacing reads and waits on `wall` (the system clock unless a test gives a
 * fake one); the yield is about real CPU time, so it always reads `performance.now()`.
 */
export class ReplayClock {
  #speed: number;
  /** The latest simulated instant the replay reached (the argument of the last wait). */
  #lastSim = Number.NaN;
  #paused = false;
  #pausedAt = 0;
  #stopped = false;
  #wallAnchor = 0;
  #simAnchor = Number.NaN;
  #lastYield = performance.now();
  #wake: (() => void) | undefined;
  #cancelTimer: (() => void) | undefined;
  readonly #wall: WallClock;

  constructor(speed: ReplaySpeed, wall: WallClock = systemClock) {
    this.#speed = checkSpeed(speed);
    this.#wall = wall;
  }

  /**
   * Re-paces the replay from the minute it is at; a pending wait is recomputed at once. `at`:
   * the minute the replay reached, when the caller knows better (a max-speed replay does not
   * wait for every minute, so the last wait can lie far back).
   */
  setSpeed(speed: ReplaySpeed, at?: number): void {
    this.#speed = checkSpeed(speed);
    if (at !== undefined && at > this.#lastSim) this.#lastSim = at;
    const now = this.#wall.now();
    if (!Number.isNaN(this.#lastSim)) {
      this.#simAnchor = this.#lastSim;
      // While paused, the schedule restarts from the moment of the resume (see resume()).
      this.#wallAnchor = this.#paused ? this.#pausedAt : now;
    }
    this.#interrupt();
  }

  /** Whether the replay plays as fast as it can. */
  get isMax(): boolean {
    return this.#speed === Number.POSITIVE_INFINITY;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Whether the loop must stop at its next check: paused, stopped or due to yield. */
  get mustCheck(): boolean {
    return this.#paused || this.#stopped || performance.now() - this.#lastYield > yieldBudget();
  }

  pause(): void {
    if (this.#paused || this.#stopped) return;
    this.#paused = true;
    this.#pausedAt = this.#wall.now();
    this.#interrupt();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    // The schedule moves on by the time spent paused: the replay continues where it was.
    this.#wallAnchor += this.#wall.now() - this.#pausedAt;
    this.#interrupt();
  }

  stop(): void {
    this.#stopped = true;
    this.#paused = false;
    this.#interrupt();
  }

  /** Starts timing afresh: simulated instant `sim` is now. */
  anchor(sim: number): void {
    this.#simAnchor = sim;
    this.#lastSim = sim;
    this.#wallAnchor = this.#wall.now();
  }

  /**
   * Waits while paused and, at a finite speed, until the wall clock reaches simulated instant
   * `sim`; at max speed yields to the event loop when it has not for a while. Returns early when
   * stopped.
   */
  async waitFor(sim: number): Promise<void> {
    this.#lastSim = sim;
    for (;;) {
      if (this.#stopped) return;
      if (this.#paused) {
        await this.#sleep(Number.POSITIVE_INFINITY);
        continue;
      }
      if (this.isMax || Number.isNaN(this.#simAnchor)) break;
      const delay = this.#wallAnchor + (sim - this.#simAnchor) / this.#speed - this.#wall.now();
      if (delay <= 0) break;
      await this.#sleep(delay);
    }
    if (performance.now() - this.#lastYield > yieldBudget()) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.#lastYield = performance.now();
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      // A pause sleeps until resume() or stop() wakes it; no timer keeps the process alive then.
      if (ms !== Number.POSITIVE_INFINITY) {
        this.#cancelTimer = this.#wall.schedule(() => this.#interrupt(), ms);
      }
    });
  }

  #interrupt(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function checkSpeed(speed: ReplaySpeed): number {
  if (speed !== "max" && !(typeof speed === "number" && Number.isFinite(speed) && speed > 0)) {
    throw new InvalidArgumentError(
      `speed must be "max" or a positive number of times real time, got ${typeof speed === "string" ? JSON.stringify(speed) : String(speed)}`,
    );
  }
  return speed === "max" ? Number.POSITIVE_INFINITY : speed;
}
