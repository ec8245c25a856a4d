/**
 * The {@link Hub}'s pump: the budgeted rounds of socket writes, and the frames its clients share
 * within one round. Publishing only queues; the pump, scheduled with `setImmediate` (at most
 * once per interval), seals each subscription set's new messages into shared frames and writes
 * what the sockets can take within a share of the process's CPU time, so a replay at max speed
 * never waits on sends.
 */
import type { HubClient, PendingUpdate, PumpContext } from "./hub-client.js";
import type { SubscriptionGroup } from "./hub-group.js";

/** Separates the messages of one frame (JSON never holds a raw newline). */
const NEWLINE = Buffer.from("\n");

/** Bytes one pump may write per millisecond of its time budget (~256 MB/s of socket writes). */
const BYTES_PER_PUMP_MS = 256 * 1024;

/** Shortest and longest time one pump may spend writing to sockets, ms. */
const MIN_PUMP_MS = 1;
/** 8 ms: a request that arrives while the pump writes waits at most this long for it. */
const MAX_PUMP_MS = 8;

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
  /** Merged runs of shared updates built during one pump, by their first and last object. */
  readonly #mergedJson = new Map<PendingUpdate, Map<PendingUpdate, Buffer>>();

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

  mergedJson(updates: readonly PendingUpdate[]): Buffer {
    const first = updates[0]!;
    const last = updates.at(-1)!;
    let byLast = this.#mergedJson.get(first);
    if (byLast === undefined) {
      byLast = new Map();
      this.#mergedJson.set(first, byLast);
    }
    let json = byLast.get(last);
    if (json === undefined) {
      json = Buffer.from(JSON.stringify({ type: "update", ...mergeUpdates(updates) }));
      byLast.set(last, json);
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
    this.#mergedJson.clear();
    this.#batchJson.clear();
  }
}

/**
 * Shared updates merged in order: the newest value per symbol wins, gap counts add up (the
 * same rule as a client's own merge).
 */
function mergeUpdates(updates: readonly PendingUpdate[]): PendingUpdate {
  const u: PendingUpdate = {};
  for (const x of updates) {
    if (x.bars !== undefined) u.bars = Object.assign(u.bars ?? {}, x.bars);
    if (x.analysis !== undefined) u.analysis = Object.assign(u.analysis ?? {}, x.analysis);
    if (x.replay !== undefined) u.replay = x.replay;
    if (x.status !== undefined) u.status = x.status;
    if (x.gaps !== undefined) u.gaps = (u.gaps ?? 0) + x.gaps;
  }
  return u;
}

/** Options of a {@link HubPump}. */
export interface HubPumpOptions {
  /** The clients to visit, in a stable order. */
  readonly order: () => readonly HubClient[];
  readonly frames: PumpFrames;
  /** Seals what every group logged since the last pump into shared frames. */
  readonly seal: () => void;
  /** Most of the process's time the pump may take (see `HubOptions.sendShare`). */
  readonly share: number;
  /** Shortest time from one scheduled pump's start to the next (see `HubOptions.pumpIntervalMs`). */
  readonly minIntervalMs: number;
  /** Milliseconds of a monotonic clock. */
  readonly now: () => number;
  /** Whether other I/O waits for the event loop: a pump then takes its shortest budget. */
  readonly busy: () => boolean;
  /**
   * Milliseconds of CPU this process used, for the share: on a loaded machine the process waits
   * for a core, and a share of wall time would then grow the sends beside a starved replay.
   */
  readonly cpuNow: () => number;
}

/** Budgeted, round-robin socket writes over the hub's clients. */
export class HubPump {
  readonly #order: () => readonly HubClient[];
  readonly #frames: PumpFrames;
  readonly #seal: () => void;
  readonly #share: number;
  readonly #minIntervalMs: number;
  readonly #now: () => number;
  readonly #busy: () => boolean;
  readonly #cpuNow: () => number;
  #cursor = 0;
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastPumpStart = Number.NEGATIVE_INFINITY;
  /** CPU time of the process when the last pump ended. */
  #lastPumpEnd = Number.NEGATIVE_INFINITY;
  #pumps = 0;
  readonly #onWritten = (): void => this.schedule();

  constructor(options: HubPumpOptions) {
    this.#order = options.order;
    this.#frames = options.frames;
    this.#seal = options.seal;
    this.#share = options.share;
    this.#minIntervalMs = options.minIntervalMs;
    this.#now = options.now;
    this.#busy = options.busy;
    this.#cpuNow = options.cpuNow;
  }

  /** Pumps done so far. */
  get pumps(): number {
    return this.#pumps;
  }

  /**
   * Runs a pump on the next turn of the event loop, or once `minIntervalMs` have passed since
   * the last one started (once, however often it is asked). The interval is what keeps a
   * max-speed replay, which yields every few milliseconds, from paying a round of socket writes
   * per client at every yield: what is published meanwhile goes out in one frame per client.
   */
  schedule(): void {
    if (this.#scheduled !== undefined || this.#timer !== undefined) return;
    const wait = this.#lastPumpStart + this.#minIntervalMs - this.#now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.run();
      }, wait);
      return;
    }
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      this.run();
    });
  }

  /** Drops a scheduled pump. */
  cancel(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Writes waiting messages to the sockets, client after client (round robin from where the
   * last pump stopped), until every socket is full or idle or the pump's time budget is spent.
   */
  run(): void {
    this.cancel();
    this.#pumps++;
    const t0 = this.#now();
    this.#lastPumpStart = t0;
    this.#seal();
    const since = this.#cpuNow() - this.#lastPumpEnd;
    const budget = this.#busy()
      ? MIN_PUMP_MS
      : Math.min(MAX_PUMP_MS, Math.max(MIN_PUMP_MS, (since * this.#share) / (1 - this.#share)));
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
    this.#lastPumpEnd = this.#cpuNow();
    // Clients the budget did not reach go first next time.
    if (i < n) this.schedule();
  }
}
