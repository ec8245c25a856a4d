/**
 * The {@link Hub}'s pump: the budgeted rounds of socket writes, and the frames its clients share
 * within one round. Publishing only queues; the pump, scheduled with `setImmediate`, writes what
 * the sockets can take within a share of the process's time, so a replay at max speed never
 * waits on sends.
 */
import type { HubClient, PendingUpdate, PumpContext } from "./hub-client.js";
import type { SubscriptionGroup } from "./hub-group.js";

/** Separates the messages of one frame (JSON never holds a raw newline). */
const NEWLINE = Buffer.from("\n");

/** Bytes one pump may write per millisecond of its time budget (~256 MB/s of socket writes). */
const BYTES_PER_PUMP_MS = 256 * 1024;

/** Shortest and longest time one pump may spend writing to sockets, ms. */
const MIN_PUMP_MS = 1;
const MAX_PUMP_MS = 20;

/** What {@link PumpFrames} builds messages from. */
export interface FrameSources {
  /** Everything a stale client's next update carries. */
  full(client: HubClient): PendingUpdate;
  /** The `state` message of a client that fell behind. */
  state(client: HubClient): string;
  /** The seq of the newest slice published (-1 before the first). */
  lastSeq(): number;
}

/**
 * The serialisations clients share: an update object's JSON for as long as the object lives,
 * batches, full updates and states for one pump (by subscription key).
 */
export class PumpFrames implements PumpContext {
  readonly #sources: FrameSources;
  readonly #updateJson = new WeakMap<PendingUpdate, Buffer>();
  /** `state` messages built during one pump, by subscription key. */
  readonly #stateJson = new Map<string, Buffer>();
  /** Batches built during one pump, by subscription key and range. */
  readonly #batchJson = new Map<string, Buffer>();
  /** Full updates built during one pump, by subscription key. */
  readonly #fullJson = new Map<string, Buffer>();

  constructor(sources: FrameSources) {
    this.#sources = sources;
  }

  get lastSeq(): number {
    return this.#sources.lastSeq();
  }

  updateJson(u: PendingUpdate): Buffer {
    let json = this.#updateJson.get(u);
    if (json === undefined) {
      json = Buffer.from(JSON.stringify({ type: "update", ...u }));
      this.#updateJson.set(u, json);
    }
    return json;
  }

  batchJson(group: SubscriptionGroup, from: number, to: number): Buffer {
    if (to - from === 1) return group.at(from).data;
    const key = `${group.key}\u0000${from}\u0000${to}`;
    let json = this.#batchJson.get(key);
    if (json === undefined) {
      const parts: Buffer[] = [];
      for (let p = from; p < to; p++) {
        if (p > from) parts.push(NEWLINE);
        parts.push(group.at(p).data);
      }
      json = Buffer.concat(parts);
      this.#batchJson.set(key, json);
    }
    return json;
  }

  fullJson(client: HubClient): Buffer {
    let json = this.#fullJson.get(client.key);
    if (json === undefined) {
      json = Buffer.from(JSON.stringify({ type: "update", ...this.#sources.full(client) }));
      this.#fullJson.set(client.key, json);
    }
    return json;
  }

  stateJson(client: HubClient): Buffer {
    let json = this.#stateJson.get(client.key);
    if (json === undefined) {
      json = Buffer.from(this.#sources.state(client));
      this.#stateJson.set(client.key, json);
    }
    return json;
  }

  /** Forgets what was built for one pump (the next sees newer data). */
  endPump(): void {
    this.#stateJson.clear();
    this.#fullJson.clear();
    this.#batchJson.clear();
  }
}

/** Options of a {@link HubPump}. */
export interface HubPumpOptions {
  /** The clients to visit, in a stable order. */
  readonly order: () => readonly HubClient[];
  readonly frames: PumpFrames;
  /** Most of the process's time the pump may take (see `HubOptions.sendShare`). */
  readonly share: number;
  /** Milliseconds of a monotonic clock. */
  readonly now: () => number;
}

/** Budgeted, round-robin socket writes over the hub's clients. */
export class HubPump {
  readonly #order: () => readonly HubClient[];
  readonly #frames: PumpFrames;
  readonly #share: number;
  readonly #now: () => number;
  #cursor = 0;
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  #lastPumpEnd = Number.NEGATIVE_INFINITY;
  #pumps = 0;
  readonly #onWritten = (): void => this.schedule();

  constructor(options: HubPumpOptions) {
    this.#order = options.order;
    this.#frames = options.frames;
    this.#share = options.share;
    this.#now = options.now;
  }

  /** Pumps done so far. */
  get pumps(): number {
    return this.#pumps;
  }

  /** Runs a pump on the next turn of the event loop (once, however often it is asked). */
  schedule(): void {
    if (this.#scheduled !== undefined) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      this.run();
    });
  }

  /** Drops a scheduled pump. */
  cancel(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
  }

  /**
   * Writes waiting messages to the sockets, client after client (round robin from where the
   * last pump stopped), until every socket is full or idle or the pump's time budget is spent.
   */
  run(): void {
    this.cancel();
    this.#pumps++;
    const t0 = this.#now();
    const since = t0 - this.#lastPumpEnd;
    const budget = Math.min(
      MAX_PUMP_MS,
      Math.max(MIN_PUMP_MS, (since * this.#share) / (1 - this.#share)),
    );
    // Bytes as well as time: a socket write returns before the kernel and libuv have done all
    // of its work, so the time measured here undercounts what sending costs.
    let bytes = budget * BYTES_PER_PUMP_MS;
    const order = this.#order();
    const n = order.length;
    let i = 0;
    while (i < n) {
      const client = order[(this.#cursor + i) % n]!;
      i++;
      bytes -= client.pump(this.#frames, this.#onWritten, bytes);
      if (bytes <= 0 || this.#now() - t0 > budget) break;
    }
    this.#cursor = n === 0 ? 0 : (this.#cursor + i) % n;
    this.#frames.endPump();
    this.#lastPumpEnd = this.#now();
    // Clients the budget did not reach go first next time.
    if (i < n) this.schedule();
  }
}
