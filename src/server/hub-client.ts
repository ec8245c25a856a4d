/**
 * One WebSocket client of the {@link Hub}: its subscription, its bounded outgoing queue and the
 * account of what it missed.
 *
 * Back-pressure policy (what a slow client gets):
 * - Nothing is written to the socket while its `bufferedAmount` is above `highWaterMark`; what
 *   would have been written waits in the client's queue instead.
 * - The queue is bounded in messages and in bytes. A client whose queue overflows has FALLEN
 *   BEHIND: every slice and quality event still queued is dropped at once (coalesced), and the
 *   client next receives a `behind` notice saying exactly what it missed (count, and for slices
 *   the sequence numbers and times of the first and last one missed; always one contiguous run of
 *   the slices it would have received), then a `state` message with the latest bar of each of its
 *   symbols, so it is current again after two messages instead of replaying a backlog it cannot
 *   keep up with. Control messages (reset, session boundaries) are kept unless they alone overflow.
 * - Coalesced updates (`bars`, `analysis`, `gaps`, replay state) are never queued twice: a new
 *   update merges into the one still waiting, so they cost at most one message per client. A
 *   client that took every update so far shares the update object (and its JSON) with every
 *   client of the same subscription.
 * - Queued entries are shared, pre-encoded Buffers: a slice is serialised once per subscription
 *   set, not once per client; a client's queue holds references.
 * - A slow client is never disconnected and never slows the replay: publishing is O(1) per client
 *   and writing to sockets happens later, in the hub's budgeted pump.
 * So a client's memory is bounded by `highWaterMark` + `maxQueueBytes` + one pending update.
 */
import type { Channel } from "./schemas.js";

/** The part of a `ws` WebSocket the hub uses (an interface, so tests can drive a fake). */
export interface HubSocket {
  readonly bufferedAmount: number;
  /** 1 = open; anything else means nothing more is sent. */
  readonly readyState: number;
  /** Sends a text frame; `data` may be pre-encoded UTF-8 (`binary: false` keeps it a text frame). */
  send(data: string | Buffer, options: { binary: boolean }, cb?: (error?: Error) => void): void;
  close(code?: number, reason?: string): void;
}

const TEXT = { binary: false };

/** Limits of one client's outgoing path. */
export interface ClientLimits {
  /** Most messages waiting in the queue (default 2,048). */
  readonly maxQueueMessages: number;
  /** Most bytes (string length or Buffer bytes) waiting in the queue (default 8 MiB). */
  readonly maxQueueBytes: number;
  /** Socket `bufferedAmount` above which nothing more is written (default 1 MiB). */
  readonly highWaterMark: number;
}

/** The default {@link ClientLimits}. */
export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  maxQueueMessages: 2048,
  maxQueueBytes: 8 * 1024 * 1024,
  highWaterMark: 1024 * 1024,
};

/** A queued message. `seq`/`time` are set for slices, so a drop can be reported exactly. */
interface Entry {
  /** A Buffer when shared by many clients: encoded to UTF-8 once, not once per client. */
  readonly data: string | Buffer;
  readonly kind: "slice" | "quality" | "control";
  readonly seq: number;
  readonly time: number;
}

/** A coalesced update waiting to be sent: the newest entry per symbol wins; `gaps` adds up. */
export interface PendingUpdate {
  bars?: Record<string, unknown>;
  analysis?: Record<string, unknown>;
  replay?: unknown;
  /** Gap events (detected, filled, unfillable) of the client's symbols since its last update. */
  gaps?: number;
}

/** What the hub lends a client while it pumps: shared serialisations. */
export interface PumpContext {
  /** The JSON of an update object shared by several clients (built once). */
  updateJson(update: PendingUpdate): string | Buffer;
  /** The `state` message (latest bar per symbol) for a client that fell behind. */
  stateJson(client: HubClient): string | Buffer;
}

/** What a client missed since its last `behind` notice. */
interface Missed {
  count: number;
  slices: number;
  firstSeq: number;
  lastSeq: number;
  firstTime: number;
  lastTime: number;
  quality: number;
  control: number;
}

function noMisses(): Missed {
  return {
    count: 0,
    slices: 0,
    firstSeq: Number.NaN,
    lastSeq: Number.NaN,
    firstTime: Number.NaN,
    lastTime: Number.NaN,
    quality: 0,
    control: 0,
  };
}

/** A connected client. Created by {@link Hub.addClient}. */
export class HubClient {
  readonly #socket: HubSocket;
  readonly #limits: ClientLimits;
  /** Ring buffer of waiting entries; `#head` is the oldest. */
  #queue: (Entry | undefined)[];
  #head = 0;
  #size = 0;
  #bytes = 0;
  #update: PendingUpdate | undefined;
  /** Whether `#update` is the hub's shared object (never mutated here; copied before a merge). */
  #updateShared = false;
  #missed: Missed = noMisses();
  #needsState = false;
  #dropped = 0;
  #behind = 0;
  #sent = 0;
  #closed = false;

  /** Whether the client asked for every symbol (`"*"`). */
  all = false;
  /** The symbols it asked for by name. */
  readonly symbols = new Set<string>();
  /** The channels it receives. */
  readonly channels = new Set<Channel>();
  /** Identifies the subscription set (channels and symbols): clients with equal keys share JSON. */
  key = "";

  constructor(socket: HubSocket, limits: ClientLimits) {
    this.#socket = socket;
    this.#limits = limits;
    this.#queue = new Array(Math.min(limits.maxQueueMessages, 64));
  }

  /** Messages dropped from this client's queue so far (it is told in `behind` notices). */
  get dropped(): number {
    return this.#dropped;
  }

  /** How many times this client fell behind and was brought up to date with a `state`. */
  get timesBehind(): number {
    return this.#behind;
  }

  /** Messages written to the socket so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Messages waiting in the queue. */
  get queued(): number {
    return this.#size;
  }

  /** Bytes waiting in the queue. */
  get queuedBytes(): number {
    return this.#bytes;
  }

  /** Whether anything waits to be written (queue, update, notice). */
  get pending(): boolean {
    return this.#size > 0 || this.#update !== undefined || this.#missed.count > 0;
  }

  /** Recomputes {@link key} after the subscription changed. */
  rekey(): void {
    const channels = [...this.channels].sort().join(",");
    this.key = `${channels}|${this.all ? "*" : [...this.symbols].sort().join(",")}`;
  }

  /** Whether the client gets messages about `symbol` on `channel`. */
  wants(channel: Channel, symbol: string): boolean {
    return this.channels.has(channel) && (this.all || this.symbols.has(symbol));
  }

  /** Queues a message; a full queue makes the client fall behind (see the file's comment). */
  enqueue(data: string | Buffer, kind: Entry["kind"], seq = Number.NaN, time = Number.NaN): void {
    if (this.#closed) return;
    this.#push({ data, kind, seq, time });
  }

  /**
   * Merges a coalesced update into the one waiting (newer values win per symbol). `shared`
   * marks an object the hub hands to several clients: taken as is when nothing waits.
   */
  mergeUpdate(update: PendingUpdate, shared = false): void {
    if (this.#closed) return;
    if (this.#update === undefined && shared) {
      this.#update = update;
      this.#updateShared = true;
      return;
    }
    if (this.#updateShared) {
      const own = this.#update!;
      this.#update = {
        ...own,
        ...(own.bars === undefined ? {} : { bars: { ...own.bars } }),
        ...(own.analysis === undefined ? {} : { analysis: { ...own.analysis } }),
      };
      this.#updateShared = false;
    }
    const u = (this.#update ??= {});
    if (update.bars !== undefined) u.bars = Object.assign(u.bars ?? {}, update.bars);
    if (update.analysis !== undefined)
      u.analysis = Object.assign(u.analysis ?? {}, update.analysis);
    if (update.replay !== undefined) u.replay = update.replay;
    if (update.gaps !== undefined) u.gaps = (u.gaps ?? 0) + update.gaps;
  }

  /**
   * Writes waiting messages while the socket's buffer is below the high-water mark. Returns
   * whether something still waits (the socket is full).
   */
  pump(ctx: PumpContext, onWritten: () => void): boolean {
    const socket = this.#socket;
    if (this.#closed || socket.readyState !== 1) return false;
    while (socket.bufferedAmount < this.#limits.highWaterMark) {
      if (this.#needsState) {
        // The state is the latest there is: every slice still queued is older, so it is folded
        // into the notice too, and the notice and the state leave together.
        this.#dropAllButControl();
        this.#needsState = false;
        this.#write(this.#noticeOfMisses(), onWritten);
        this.#write(ctx.stateJson(this), onWritten);
        continue;
      }
      if (this.#missed.count > 0) {
        this.#write(this.#noticeOfMisses(), onWritten);
        continue;
      }
      // Queued messages first: a `reset` or a session boundary must reach the client before
      // the updates that follow it.
      const entry = this.#shift();
      if (entry !== undefined) {
        this.#write(entry.data, onWritten);
        continue;
      }
      if (this.#update === undefined) return false;
      const u = this.#update;
      const shared = this.#updateShared;
      this.#update = undefined;
      this.#updateShared = false;
      this.#write(shared ? ctx.updateJson(u) : JSON.stringify({ type: "update", ...u }), onWritten);
    }
    return true;
  }

  /** Forgets the coalesced update waiting (its data belongs to a store that was cleared). */
  discardUpdate(): void {
    this.#update = undefined;
    this.#updateShared = false;
    this.#needsState = false;
  }

  /** Stops sending; the queue is released. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#size = 0;
    this.#bytes = 0;
    this.#update = undefined;
  }

  #write(data: string | Buffer, onWritten: () => void): void {
    this.#sent++;
    this.#socket.send(data, TEXT, (error) => {
      // Written out: room may have opened below the high-water mark.
      if (error === undefined && this.pending) onWritten();
    });
  }

  #noticeOfMisses(): string {
    const m = this.#missed;
    this.#missed = noMisses();
    const notice: Record<string, unknown> = {
      type: "behind",
      count: m.count,
      total: this.#dropped,
    };
    if (m.slices > 0) {
      notice.slices = {
        count: m.slices,
        fromSeq: m.firstSeq,
        toSeq: m.lastSeq,
        fromTime: m.firstTime,
        toTime: m.lastTime,
      };
    }
    if (m.quality > 0) notice.quality = m.quality;
    if (m.control > 0) notice.control = m.control;
    return JSON.stringify(notice);
  }

  #push(entry: Entry): void {
    const limits = this.#limits;
    this.#append(entry);
    if (this.#size > limits.maxQueueMessages || this.#bytes > limits.maxQueueBytes) {
      this.#fallBehind();
    }
  }

  /**
   * Coalesces: drops every slice and quality event waiting (they are history by now) and asks
   * for a `state` instead; keeps control messages, dropping the oldest only if they alone are
   * over the bounds.
   */
  #fallBehind(): void {
    const limits = this.#limits;
    this.#dropAllButControl();
    while (
      this.#size > 1 &&
      (this.#size > limits.maxQueueMessages || this.#bytes > limits.maxQueueBytes)
    ) {
      this.#drop(this.#shift()!);
    }
    this.#behind++;
    this.#needsState = true;
  }

  #dropAllButControl(): void {
    const n = this.#size;
    for (let i = 0; i < n; i++) {
      const e = this.#shift()!;
      if (e.kind === "control") this.#append(e);
      else this.#drop(e);
    }
  }

  #append(entry: Entry): void {
    if (this.#size === this.#queue.length) this.#grow();
    this.#queue[(this.#head + this.#size) % this.#queue.length] = entry;
    this.#size++;
    this.#bytes += entry.data.length;
  }

  #grow(): void {
    const cap = Math.min(this.#queue.length * 2, Math.max(this.#limits.maxQueueMessages + 1, 1));
    const next: (Entry | undefined)[] = new Array(Math.max(cap, this.#size + 1));
    for (let i = 0; i < this.#size; i++)
      next[i] = this.#queue[(this.#head + i) % this.#queue.length];
    this.#queue = next;
    this.#head = 0;
  }

  #shift(): Entry | undefined {
    if (this.#size === 0) return undefined;
    const entry = this.#queue[this.#head]!;
    this.#queue[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#queue.length;
    this.#size--;
    this.#bytes -= entry.data.length;
    return entry;
  }

  #drop(entry: Entry): void {
    const m = this.#missed;
    this.#dropped++;
    m.count++;
    if (entry.kind === "slice") {
      if (m.slices === 0) {
        m.firstSeq = entry.seq;
        m.firstTime = entry.time;
      }
      m.slices++;
      m.lastSeq = entry.seq;
      m.lastTime = entry.time;
    } else if (entry.kind === "quality") m.quality++;
    else m.control++;
  }
}
