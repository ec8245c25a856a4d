/**
 * One WebSocket client of the {@link Hub}: its subscription, its bounded outgoing queue and the
 * account of what it missed.
 *
 * Back-pressure policy (what a slow client gets):
 * - Nothing is written to the socket while its `bufferedAmount` is above `highWaterMark`; what
 *   would have been written waits in the client's queue instead.
 * - The queue is bounded in messages and in bytes. When it is full the OLDEST entry is dropped
 *   (drop-oldest: a late client wants the newest data), the client's `dropped` counter grows, and
 *   before the next message it receives a `dropped` notice saying exactly what it missed: the
 *   count, and for slices the sequence numbers and times of the first and last one missed (the
 *   missed slices are always one contiguous run of the slices it would have received).
 * - Coalesced updates (`bars`, `analysis`, `gaps`, replay state) are never queued twice: a new update
 *   merges into the one still waiting, so they cost at most one message per client however slow.
 * - A slow client is never disconnected and never slows the replay: every publish is O(1) per
 *   client and never waits for a socket.
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

/** What a client missed since its last `dropped` notice. */
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
  #missed: Missed = noMisses();
  #dropped = 0;
  #sent = 0;
  #closed = false;

  /** Whether the client asked for every symbol (`"*"`). */
  all = false;
  /** The symbols it asked for by name. */
  readonly symbols = new Set<string>();
  /** The channels it receives. */
  readonly channels = new Set<Channel>();

  constructor(socket: HubSocket, limits: ClientLimits) {
    this.#socket = socket;
    this.#limits = limits;
    this.#queue = new Array(Math.min(limits.maxQueueMessages, 64));
  }

  /** Messages dropped from this client's queue so far (it is told in `dropped` notices). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Messages written to the socket so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Messages waiting in the queue. */
  get queued(): number {
    return this.#size;
  }

  /** Whether the client gets messages about `symbol` on `channel`. */
  wants(channel: Channel, symbol: string): boolean {
    return this.channels.has(channel) && (this.all || this.symbols.has(symbol));
  }

  /** Queues a message (drop-oldest when full) and writes what the socket can take. */
  enqueue(data: string | Buffer, kind: Entry["kind"], seq = Number.NaN, time = Number.NaN): void {
    if (this.#closed) return;
    this.#push({ data, kind, seq, time });
    this.pump();
  }

  /** Merges a coalesced update into the one waiting (newer values win per symbol). */
  mergeUpdate(update: PendingUpdate): void {
    if (this.#closed) return;
    const u = (this.#update ??= {});
    if (update.bars !== undefined) u.bars = Object.assign(u.bars ?? {}, update.bars);
    if (update.analysis !== undefined)
      u.analysis = Object.assign(u.analysis ?? {}, update.analysis);
    if (update.replay !== undefined) u.replay = update.replay;
    if (update.gaps !== undefined) u.gaps = (u.gaps ?? 0) + update.gaps;
  }

  /** Writes waiting messages while the socket's buffer is below the high-water mark. */
  pump(): void {
    const socket = this.#socket;
    if (this.#closed) return;
    if (socket.readyState !== 1) return;
    while (socket.bufferedAmount < this.#limits.highWaterMark) {
      if (this.#missed.count > 0) {
        this.#write(this.#noticeOfMisses());
        continue;
      }
      // Queued messages first: a `reset` or a session boundary must reach the client before
      // the updates that follow it.
      const entry = this.#shift();
      if (entry !== undefined) {
        this.#write(entry.data);
        continue;
      }
      if (this.#update === undefined) return;
      const u = this.#update;
      this.#update = undefined;
      this.#write(JSON.stringify({ type: "update", ...u }));
    }
  }

  /** Forgets the coalesced update waiting (its data belongs to a store that was cleared). */
  discardUpdate(): void {
    this.#update = undefined;
  }

  /** Stops sending; the queue is released. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#size = 0;
    this.#bytes = 0;
    this.#update = undefined;
  }

  #write(data: string | Buffer): void {
    this.#sent++;
    this.#socket.send(data, TEXT, (error) => {
      // Written out: room may have opened below the high-water mark.
      if (error === undefined && this.#size + (this.#update === undefined ? 0 : 1) > 0) this.pump();
    });
  }

  #noticeOfMisses(): string {
    const m = this.#missed;
    this.#missed = noMisses();
    const notice: Record<string, unknown> = {
      type: "dropped",
      count: m.count,
      total: this.#dropped,
    };
    if (m.slices > 0) {
      // Drops always take the queue's head and a notice precedes the next write, so the slices
      // missed since the last notice are one contiguous run of this client's slices.
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
    if (this.#size === this.#queue.length) this.#grow();
    this.#queue[(this.#head + this.#size) % this.#queue.length] = entry;
    this.#size++;
    this.#bytes += entry.data.length;
    // Keep the newest entry even when it alone is over the byte bound: a client always gets
    // the latest message eventually.
    while (
      this.#size > 1 &&
      (this.#size > limits.maxQueueMessages || this.#bytes > limits.maxQueueBytes)
    ) {
      this.#drop(this.#shift()!);
    }
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
