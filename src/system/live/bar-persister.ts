import type { Bar } from "../../domain/bar.js";
import type { Provenance } from "../../domain/provenance.js";
import type { WallClock } from "../../domain/wall-clock.js";
import type { BarStore } from "../../history/bar-store.js";

interface Pending {
  readonly bar: Bar;
  readonly provenance: Provenance;
}

/**
 * Writes a live session's bars to the {@link BarStore} in batches: every `intervalMs` of the
 * clock (1 s by default, so the store is at most that far behind), one `writeBars` per symbol
 * and provenance. Within a batch a later bar at the same minute replaces the earlier (a
 * correction, a refill after a late live bar), so a write never holds one minute twice.
 * Writes are serialized: a slow store delays the next batch, it never interleaves two.
 */
export class BarPersister {
  readonly #store: BarStore;
  readonly #clock: WallClock;
  readonly #intervalMs: number;
  readonly #onError: (error: Error) => void;
  #batch = new Map<string, Map<number, Pending>>();
  #cancel: (() => void) | undefined;
  #writing: Promise<void> = Promise.resolve();
  #stored = 0;
  #failed = 0;
  #pending = 0;

  constructor(
    store: BarStore,
    clock: WallClock,
    intervalMs: number,
    onError: (error: Error) => void,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  /** Bars written so far. */
  get stored(): number {
    return this.#stored;
  }

  /** Bars whose write failed (reported to `onError`). */
  get failed(): number {
    return this.#failed;
  }

  /** Bars waiting for the next batch. */
  get pending(): number {
    return this.#pending;
  }

  /** Queues one bar (numbers copied: the caller's object may be reused). */
  add(symbol: string, bar: Bar, provenance: Provenance): void {
    let bars = this.#batch.get(symbol);
    if (bars === undefined) {
      bars = new Map();
      this.#batch.set(symbol, bars);
    }
    if (!bars.has(bar.time)) this.#pending++;
    bars.set(bar.time, { bar, provenance });
  }

  /** Starts the batch timer. */
  start(): void {
    if (this.#cancel !== undefined) return;
    const arm = (): void => {
      this.#cancel = this.#clock.schedule(
        () => {
          void this.flush();
          if (this.#cancel !== undefined) arm();
        },
        this.#intervalMs,
        { unref: true },
      );
    };
    arm();
  }

  /** Stops the timer and writes what is queued; resolves when every write has ended. */
  async stop(): Promise<void> {
    this.#cancel?.();
    this.#cancel = undefined;
    await this.flush();
  }

  /** Writes the queued bars now; resolves when they (and earlier batches) are written. */
  flush(): Promise<void> {
    const batch = this.#batch;
    if (batch.size > 0) {
      this.#batch = new Map();
      this.#pending = 0;
      this.#writing = this.#writing.then(() => this.#write(batch));
    }
    return this.#writing;
  }

  async #write(batch: Map<string, Map<number, Pending>>): Promise<void> {
    for (const [symbol, byTime] of batch) {
      const groups = new Map<Provenance, Bar[]>();
      for (const { bar, provenance } of byTime.values()) {
        let list = groups.get(provenance);
        if (list === undefined) groups.set(provenance, (list = []));
        list.push(bar);
      }
      for (const [provenance, bars] of groups) {
        bars.sort((a, b) => a.time - b.time);
        try {
          await this.#store.writeBars(symbol, bars, { provenance });
          this.#stored += bars.length;
        } catch (error) {
          this.#failed += bars.length;
          this.#onError(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
  }
}
