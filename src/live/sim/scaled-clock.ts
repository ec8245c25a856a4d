import { InvalidArgumentError } from "../../domain/errors.js";
import { systemClock, type WallClock } from "../../domain/wall-clock.js";

/**
 * A {@link WallClock} that runs `speed` times faster than `base` from `origin`: `now()` is
 * `origin + (base.now() - started) · speed`, and a timer of `ms` fires after `ms / speed` of base
 * time. The sim feed replays a stored day on it, and the feed, the session, upkeep and the late
 * checks all run on the same one, so at 60× a minute of the session passes every real second and
 * every part agrees on which minutes have closed.
 *
 * @example
 * ```ts
 * const clock = new ScaledClock(Date.UTC(2024, 0, 2, 14, 30), 60);
 * clock.schedule(() => console.log("a session minute later"), 60_000); // one real second
 * ```
 */
export class ScaledClock implements WallClock {
  readonly origin: number;
  readonly speed: number;
  readonly #base: WallClock;
  readonly #started: number;

  constructor(origin: number, speed: number, base: WallClock = systemClock) {
    if (!(speed > 0) || !Number.isFinite(speed)) {
      throw new InvalidArgumentError(`speed must be a positive number, got ${speed}`);
    }
    this.origin = origin;
    this.speed = speed;
    this.#base = base;
    this.#started = base.now();
  }

  now(): number {
    return this.origin + (this.#base.now() - this.#started) * this.speed;
  }

  schedule(callback: () => void, ms: number, options?: { readonly unref?: boolean }): () => void {
    return this.#base.schedule(callback, Math.max(0, ms) / this.speed, options);
  }
}
