import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError, SourceError } from "../domain/errors.js";
import type { BarSource } from "../history/bar-store.js";
import { realSleep, type Sleep } from "./backoff.js";
import { hashedRandom } from "./random.js";

/** Options of {@link FlakySource}. */
export interface FlakySourceOptions {
  /** The fraction (0..1) of requests that fail with a retryable `SourceError`; 0. */
  readonly failureRate?: number;
  /** Seed of the failure and latency draws; 1. */
  readonly seed?: number;
  /** Latency added to every request, ms; 0. */
  readonly latencyMs?: number;
  /** Up to this much more latency, drawn per request, ms; 0. */
  readonly latencyJitterMs?: number;
  /** Start "down": every request fails (retryable). */
  readonly down?: boolean;
  /** How latency is waited; a real `setTimeout` by default (`noWait` in tests: accounted only). */
  readonly sleep?: Sleep;
}

/**
 * A fault-injecting wrapper around a {@link BarSource}, for retry tests and demos: it fails a
 * given fraction of requests with a retryable {@link SourceError}, adds latency, and in "down"
 * mode fails every request.
 *
 * Whether a request fails is drawn from (seed, symbol, from, to, how many times that same range
 * was asked before), not from a shared sequence, so concurrent callers get the same faults
 * whatever order their requests reach it in.
 *
 * @example
 * ```ts
 * const flaky = new FlakySource(barStore, { failureRate: 0.5, seed: 7, latencyMs: 2 });
 * await flaky.readBars("AAPL", from, to); // rejects about every other time
 * flaky.down = true; // now always
 * ```
 */
export class FlakySource implements BarSource {
  readonly #source: BarSource;
  readonly #failureRate: number;
  readonly #seed: number;
  readonly #latencyMs: number;
  readonly #jitterMs: number;
  readonly #sleep: Sleep;
  readonly #asked = new Map<string, number>();
  #down: boolean;
  #requests = 0;
  #failures = 0;
  #latencySpentMs = 0;

  constructor(source: BarSource, options: FlakySourceOptions = {}) {
    const failureRate = options.failureRate ?? 0;
    if (!(failureRate >= 0 && failureRate <= 1)) {
      throw new InvalidArgumentError(`failureRate must be in [0, 1], got ${String(failureRate)}`);
    }
    const latencyMs = options.latencyMs ?? 0;
    const jitterMs = options.latencyJitterMs ?? 0;
    if (!(latencyMs >= 0 && jitterMs >= 0)) {
      throw new InvalidArgumentError(
        `latency must be >= 0 ms, got latencyMs ${latencyMs}, latencyJitterMs ${jitterMs}`,
      );
    }
    this.#source = source;
    this.#failureRate = failureRate;
    this.#seed = options.seed ?? 1;
    this.#latencyMs = latencyMs;
    this.#jitterMs = jitterMs;
    this.#sleep = options.sleep ?? realSleep;
    this.#down = options.down ?? false;
  }

  /** Whether every request fails. */
  get down(): boolean {
    return this.#down;
  }

  set down(value: boolean) {
    this.#down = value;
  }

  /** Requests received, failures injected, and latency added so far (ms). */
  get stats(): { requests: number; failures: number; latencyMs: number } {
    return { requests: this.#requests, failures: this.#failures, latencyMs: this.#latencySpentMs };
  }

  async readBars(symbol: string, from: number, to: number): Promise<Bar[]> {
    this.#requests++;
    const key = `${symbol}\u0000${from}\u0000${to}`;
    const nth = this.#asked.get(key) ?? 0;
    this.#asked.set(key, nth + 1);
    const latency =
      this.#latencyMs +
      (this.#jitterMs > 0
        ? Math.round(this.#jitterMs * hashedRandom(this.#seed, "latency", key, nth))
        : 0);
    if (latency > 0) {
      this.#latencySpentMs += latency;
      await this.#sleep(latency);
    }
    if (this.#down) {
      this.#failures++;
      throw new SourceError(`flaky source is down (request for ${symbol})`, { retryable: true });
    }
    if (this.#failureRate > 0 && hashedRandom(this.#seed, "fail", key, nth) < this.#failureRate) {
      this.#failures++;
      throw new SourceError(
        `flaky source: injected failure of request ${nth + 1} for ${symbol} ${new Date(from).toISOString()}..${new Date(to).toISOString()}`,
        { retryable: true },
      );
    }
    return this.#source.readBars(symbol, from, to);
  }
}
