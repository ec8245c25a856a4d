/**
 * A subscription set of the {@link Hub}: every client that asked for the same channels and
 * symbols shares one bounded log of encoded messages (slices, quality events, control messages),
 * so publishing costs one encoding and one append per subscription set, however many clients
 * hold it. Each client keeps only its position in the log.
 */

/** One logged message. `seq`/`time` are set for slices. */
export interface LogEntry {
  /** UTF-8, encoded once for every client of the set. */
  readonly data: Buffer;
  readonly kind: "slice" | "quality" | "control";
  readonly seq: number;
  readonly time: number;
}

/**
 * Log entries `from..to` sealed into one frame (messages separated by `"\n"`): the bytes every
 * client of the group at position `from` sends as they are, with what they account for.
 */
export interface LogFrame {
  readonly from: number;
  readonly to: number;
  readonly data: Buffer;
  /** Slices and quality events in the frame. */
  readonly slices: number;
  readonly quality: number;
  /** The newest slice's seq in the frame, -1 when it holds none. */
  readonly lastSeq: number;
}

/** Separates the messages of one frame (JSON never holds a raw newline). */
const NEWLINE = 0x0a;

/** Bounds of a group's log. */
export interface LogLimits {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

/** Most log entries in one frame, and about its most bytes. */
const MAX_BATCH = 256;
const MAX_BATCH_BYTES = 256 * 1024;

/** Control messages remembered apart from the log, so a client that fell behind still gets them. */
const CONTROL_MEMORY = 64;

/** Clients with one subscription key; created by the hub. */
export class SubscriptionGroup {
  readonly key: string;
  readonly all: boolean;
  readonly symbols: ReadonlySet<string>;
  readonly channels: ReadonlySet<string>;
  /** Clients in the group. */
  members = 0;
  readonly #limits: LogLimits;
  #ring: (LogEntry | undefined)[];
  /** Position of the oldest entry held; positions count every entry ever appended. */
  #start = 0;
  #end = 0;
  #bytes = 0;
  /** Slices, quality events and control messages appended so far. */
  slices = 0;
  quality = 0;
  control = 0;
  /** The newest slice's seq and time. */
  lastSeq = -1;
  lastTime = Number.NaN;
  /** The last control messages with their positions, oldest first. */
  readonly recentControl: { readonly pos: number; readonly entry: LogEntry }[] = [];
  /** Sealed frames by their first position; entries from `#sealedEnd` on are not sealed yet. */
  readonly #frames = new Map<number, LogFrame>();
  #sealedEnd = 0;

  constructor(
    key: string,
    all: boolean,
    symbols: ReadonlySet<string>,
    channels: ReadonlySet<string>,
    limits: LogLimits,
  ) {
    this.key = key;
    this.all = all;
    this.symbols = new Set(symbols);
    this.channels = new Set(channels);
    this.#limits = limits;
    this.#ring = new Array(Math.min(64, Math.max(1, limits.maxMessages)));
  }

  /** The oldest position still held. */
  get start(): number {
    return this.#start;
  }

  /** The next position to be appended. */
  get end(): number {
    return this.#end;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The entry at `pos` (`start <= pos < end`). */
  at(pos: number): LogEntry {
    return this.#ring[pos % this.#ring.length]!;
  }

  /**
   * The end of the batch that starts at `from`: up to 256 entries and about 256 KiB (at least
   * one entry), so one frame never holds a client's socket for long.
   */
  batchEnd(from: number): number {
    let bytes = 0;
    let p = from;
    while (p < this.#end && p - from < MAX_BATCH) {
      bytes += this.at(p).data.length + 1;
      if (bytes > MAX_BATCH_BYTES && p > from) break;
      p++;
    }
    return p;
  }

  /** The sealed frame that starts at `pos`, if any. */
  frameAt(pos: number): LogFrame | undefined {
    return this.#frames.get(pos);
  }

  /**
   * Seals the entries appended since the last call into frames of at most one batch each
   * (see {@link batchEnd}), built once for every client of the group: the pump seals every
   * group before it writes, and a client joins at a sealed end, so clients of a group always
   * stand at frame starts and send the same Buffers, however differently their sockets drain.
   * Each sealed entry's bytes become a view of its frame, so the log holds them once.
   */
  seal(): void {
    let from = Math.max(this.#sealedEnd, this.#start);
    while (from < this.#end) {
      const to = this.batchEnd(from);
      let size = to - from - 1;
      for (let p = from; p < to; p++) size += this.at(p).data.length;
      const data = Buffer.allocUnsafe(size);
      let off = 0;
      let slices = 0;
      let quality = 0;
      let lastSeq = -1;
      for (let p = from; p < to; p++) {
        if (p > from) data[off++] = NEWLINE;
        const e = this.at(p);
        e.data.copy(data, off);
        this.#ring[p % this.#ring.length] = {
          data: data.subarray(off, off + e.data.length),
          kind: e.kind,
          seq: e.seq,
          time: e.time,
        };
        off += e.data.length;
        if (e.kind === "slice") {
          slices++;
          lastSeq = e.seq;
        } else if (e.kind === "quality") quality++;
      }
      this.#frames.set(from, { from, to, data, slices, quality, lastSeq });
      from = to;
    }
    this.#sealedEnd = this.#end;
  }

  /** Whether the group gets messages about `symbol` on `channel`. */
  wants(channel: string, symbol: string): boolean {
    return this.channels.has(channel) && (this.all || this.symbols.has(symbol));
  }

  /** Appends an entry, evicting the oldest while over the bounds (the newest always stays). */
  append(entry: LogEntry): void {
    if (this.#end - this.#start === this.#ring.length) this.#grow();
    this.#ring[this.#end % this.#ring.length] = entry;
    this.#end++;
    this.#bytes += entry.data.length;
    if (entry.kind === "slice") {
      this.slices++;
      this.lastSeq = entry.seq;
      this.lastTime = entry.time;
    } else if (entry.kind === "quality") this.quality++;
    else {
      this.control++;
      this.recentControl.push({ pos: this.#end - 1, entry });
      if (this.recentControl.length > CONTROL_MEMORY) this.recentControl.shift();
    }
    const limits = this.#limits;
    while (
      this.#end - this.#start > 1 &&
      (this.#end - this.#start > limits.maxMessages || this.#bytes > limits.maxBytes)
    ) {
      const i = this.#start % this.#ring.length;
      this.#bytes -= this.#ring[i]!.data.length;
      this.#ring[i] = undefined;
      // A frame is only ever sent whole: once its first entry is gone, so is the frame.
      this.#frames.delete(this.#start);
      this.#start++;
    }
  }

  #grow(): void {
    const size = this.#end - this.#start;
    const cap = Math.max(size + 1, Math.min(size * 2, this.#limits.maxMessages + 1));
    const next: (LogEntry | undefined)[] = new Array(cap);
    // Positions keep their meaning: an entry at pos lives at pos % capacity.
    for (let p = this.#start; p < this.#end; p++) next[p % cap] = this.at(p);
    this.#ring = next;
  }
}
