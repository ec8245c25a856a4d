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
 * - Log entries are pre-encoded Buffers: a slice is serialised and appended once per subscription
 *   set, not once per client. Replies to the client itself (hello, subscribed, pong, error) wait in
 *   a small queue of its own.
 * - A slow client is never disconnected and never slows the replay: publishing is O(1) per client
 *   and writing to sockets happens later, in the hub's budgeted pump.
 * So a client's memory is bounded by `highWaterMark` + its own few replies + one pending update;
 * each subscription set's log by `maxQueueMessages` and `maxQueueBytes`.
 */
import type { SubscriptionGroup } from "./hub-group.js";
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

/** Separates the messages of one frame. */
const NEWLINE = Buffer.from("\n");

/** Limits of one client's outgoing path. */
export interface ClientLimits {
  /** Most messages a subscription set's log holds (default 2,048). */
  readonly maxQueueMessages: number;
  /** Most bytes a subscription set's log holds (default 8 MiB). */
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

/** Shared updates a client keeps by reference before folding them into one object. */
const MAX_SHARED_UPDATES = 32;

/** Most replies to the client itself waiting (hello, subscribed, pong, error). */
const MAX_OWN_QUEUE = 64;

/** A coalesced update waiting to be sent: the newest entry per symbol wins; `gaps` adds up. */
export interface PendingUpdate {
  bars?: Record<string, unknown>;
  analysis?: Record<string, unknown>;
  replay?: unknown;
  /** Gap events (detected, filled, unfillable) of the client's symbols since its last update. */
  gaps?: number;
  /** The live feed's status (see `ServerStatus`), newest wins. */
  status?: unknown;
}

/** What the hub lends a client while it pumps: shared serialisations. */
export interface PumpContext {
  /** The JSON of an update object shared by several clients (built once). */
  updateJson(update: PendingUpdate): string | Buffer;
  /**
   * The JSON of shared updates merged (newest value per symbol), built once per pump for
   * every client holding the same run of them (the clients of a group that missed the same
   * flushes hold the very same objects).
   */
  mergedJson(updates: readonly PendingUpdate[]): string | Buffer;
  /** Log entries `from..to` of `group` as one frame, built once per pump for every client. */
  batchJson(group: SubscriptionGroup, from: number, to: number): Buffer;
  /** A full `update` (every symbol's snapshot, analysis, replay, status) for a stale client. */
  fullJson(client: HubClient): string | Buffer;
  /** The `state` message (latest bar per symbol) for a client that fell behind. */
  stateJson(client: HubClient): string | Buffer;
  /** The seq of the newest slice published. */
  readonly lastSeq: number;
}

/** A connected client. Created by {@link Hub.addClient}. */
export class HubClient {
  readonly #socket: HubSocket;
  readonly #highWaterMark: number;
  #own: (string | Buffer)[] = [];
  /** This client's own pending changes (merged here). */
  #update: PendingUpdate | undefined;
  /**
   * Shared update objects of the hub not yet sent, oldest first, never mutated: a slow client
   * collects references (O(1) per flush) and merges them only when it can send.
   */
  #shared: PendingUpdate[] = [];
  /** Too far behind for the shared updates: the next update is the full current picture. */
  #stale = false;
  #group: SubscriptionGroup | undefined;
  /** The next log position to send, and the group's counters as of it. */
  #pos = 0;
  #slices = 0;
  #quality = 0;
  /** The seq of the last slice sent or covered by a state. */
  #lastSeq = -1;
  #dropped = 0;
  #behind = 0;
  #sent = 0;
  #bytesWritten = 0;
  #closed = false;

  /** Whether the client asked for every symbol (`"*"`). */
  all = false;
  /** The symbols it asked for by name. */
  readonly symbols = new Set<string>();
  /** The channels it receives. */
  readonly channels = new Set<Channel>();

  constructor(socket: HubSocket, limits: ClientLimits) {
    this.#socket = socket;
    this.#highWaterMark = limits.highWaterMark;
  }

  /** Messages (slices, quality events) this client missed so far (told in `behind` notices). */
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

  /** Messages of its subscription's log not yet sent (at most the log's bound). */
  get queued(): number {
    const g = this.#group;
    return this.#own.length + (g === undefined ? 0 : g.end - Math.max(this.#pos, g.start));
  }

  /** Whether anything waits to be written. */
  get pending(): boolean {
    return (
      this.#own.length > 0 ||
      this.#update !== undefined ||
      this.#shared.length > 0 ||
      this.#stale ||
      (this.#group !== undefined && this.#pos < this.#group.end)
    );
  }

  /** The subscription set it belongs to. */
  get group(): SubscriptionGroup | undefined {
    return this.#group;
  }

  /** Identifies the subscription set (channels and symbols): clients with equal keys share a log. */
  get key(): string {
    return this.#group?.key ?? "|";
  }

  /** The key of the subscription as it stands (channels and symbols). */
  computeKey(): string {
    const channels = [...this.channels].sort().join(",");
    return `${channels}|${this.all ? "*" : [...this.symbols].sort().join(",")}`;
  }

  /** Moves the client to `group`, from that group's newest message on; `lastSeq`: the hub's. */
  join(group: SubscriptionGroup, lastSeq: number): void {
    this.#group = group;
    this.#pos = group.end;
    this.#slices = group.slices;
    this.#quality = group.quality;
    this.#lastSeq = lastSeq;
  }

  /** Whether the client gets messages about `symbol` on `channel`. */
  wants(channel: Channel, symbol: string): boolean {
    return this.channels.has(channel) && (this.all || this.symbols.has(symbol));
  }

  /** Queues a reply to this client alone (the oldest is dropped past a small bound). */
  reply(data: string | Buffer): void {
    if (this.#closed) return;
    this.#own.push(data);
    if (this.#own.length > MAX_OWN_QUEUE) this.#own.shift();
  }

  /**
   * Merges a coalesced update into the one waiting (newer values win per symbol). `shared`
   * marks an object the hub hands to several clients: taken as is when nothing waits.
   */
  mergeUpdate(update: PendingUpdate, shared = false): void {
    if (this.#closed) return;
    if (!shared) {
      this.#merge(update);
      return;
    }
    if (this.#stale) {
      if (update.gaps !== undefined) this.#merge({ gaps: update.gaps });
      return;
    }
    this.#shared.push(update);
    // Bounded: a client this far behind gets the full current picture when it can send, built
    // once per subscription set, instead of merging every update it missed.
    if (this.#shared.length > MAX_SHARED_UPDATES) {
      let gaps = 0;
      for (const u of this.#shared) gaps += u.gaps ?? 0;
      this.#shared = [];
      this.#stale = true;
      if (this.#update !== undefined) {
        gaps += this.#update.gaps ?? 0;
        this.#update = undefined;
      }
      if (gaps > 0) this.#update = { gaps };
    }
  }

  #merge(update: PendingUpdate): void {
    const u = (this.#update ??= {});
    if (update.bars !== undefined) u.bars = Object.assign(u.bars ?? {}, update.bars);
    if (update.analysis !== undefined)
      u.analysis = Object.assign(u.analysis ?? {}, update.analysis);
    if (update.replay !== undefined) u.replay = update.replay;
    if (update.status !== undefined) u.status = update.status;
    if (update.gaps !== undefined) u.gaps = (u.gaps ?? 0) + update.gaps;
  }

  /**
   * Writes waiting messages while the socket's buffer is below the high-water mark: its own
   * replies, then its log from its position (or, fallen behind, notice + controls + state), then
   * the coalesced update.
   */
  pump(ctx: PumpContext, onWritten: () => void, maxBytes = Number.POSITIVE_INFINITY): number {
    const socket = this.#socket;
    if (this.#closed || socket.readyState !== 1) return 0;
    const before = this.#bytesWritten;
    while (socket.bufferedAmount < this.#highWaterMark && this.#bytesWritten - before < maxBytes) {
      const own = this.#own.shift();
      if (own !== undefined) {
        this.#write(own, onWritten);
        continue;
      }
      const g = this.#group;
      if (g !== undefined && this.#pos < g.end) {
        if (this.#pos < g.start) {
          this.#catchUp(g, ctx, onWritten);
          continue;
        }
        // The frames the pump sealed: the same Buffers for every client of the group (the
        // pump seals every group first, and clients only ever stand at frame starts).
        const frame = g.frameAt(this.#pos);
        if (frame !== undefined) {
          this.#slices += frame.slices;
          this.#quality += frame.quality;
          if (frame.lastSeq >= 0) this.#lastSeq = frame.lastSeq;
          this.#pos = frame.to;
          this.#write(frame.data, onWritten);
          continue;
        }
        // Not sealed yet (a caller pumping a client alone): everything waiting in the log goes
        // as one frame (messages separated by "\n"), built once per pump for each position.
        const from = this.#pos;
        const to = g.batchEnd(from);
        for (let p = from; p < to; p++) {
          const entry = g.at(p);
          if (entry.kind === "slice") {
            this.#slices++;
            this.#lastSeq = entry.seq;
          } else if (entry.kind === "quality") this.#quality++;
        }
        this.#pos = to;
        this.#write(ctx.batchJson(g, from, to), onWritten);
        continue;
      }
      if (this.#stale) {
        this.#stale = false;
        this.#write(ctx.fullJson(this), onWritten);
        continue;
      }
      if (this.#update === undefined && this.#shared.length === 0) break;
      if (this.#update === undefined && this.#shared.length === 1) {
        // The common case: one shared update, whose JSON the hub builds once for everyone.
        this.#write(ctx.updateJson(this.#shared.pop()!), onWritten);
        continue;
      }
      if (this.#update === undefined) {
        const shared = this.#shared;
        this.#shared = [];
        this.#write(ctx.mergedJson(shared), onWritten);
        continue;
      }
      // Its own changes (the first picture at subscribe, gap counts) are older than the shared
      // updates waiting, but for the counts, which add up.
      const shared = this.#shared;
      this.#shared = [];
      for (const u of shared) this.#merge(u);
      const u = this.#update!;
      this.#update = undefined;
      this.#write(JSON.stringify({ type: "update", ...u }), onWritten);
    }
    return this.#bytesWritten - before;
  }

  /** Forgets the coalesced update waiting (its data belongs to a store that was cleared). */
  discardUpdate(): void {
    this.#update = undefined;
    this.#shared = [];
    this.#stale = false;
  }

  /** Stops sending. */
  close(): void {
    this.#closed = true;
    this.#own = [];
    this.#update = undefined;
    this.#shared = [];
    this.#group = undefined;
  }

  /**
   * Fallen behind: says what was missed, replays the remembered control messages of that
   * stretch, sends the latest state and moves to the newest position.
   */
  #catchUp(g: SubscriptionGroup, ctx: PumpContext, onWritten: () => void): void {
    const slices = g.slices - this.#slices;
    const quality = g.quality - this.#quality;
    this.#dropped += slices + quality;
    this.#behind++;
    const notice: Record<string, unknown> = {
      type: "behind",
      count: slices + quality,
      total: this.#dropped,
    };
    if (slices > 0) {
      notice.slices = { count: slices, fromSeq: this.#lastSeq + 1, toSeq: ctx.lastSeq };
    }
    if (quality > 0) notice.quality = quality;
    // One frame (messages one per line, as everywhere): a socket write costs far more than
    // copying a few kilobytes, and a client that fell behind once tends to fall behind again.
    const parts: Buffer[] = [Buffer.from(JSON.stringify(notice))];
    for (const c of g.recentControl) if (c.pos >= this.#pos) parts.push(NEWLINE, c.entry.data);
    const state = ctx.stateJson(this);
    parts.push(NEWLINE, typeof state === "string" ? Buffer.from(state) : state);
    this.#write(Buffer.concat(parts), onWritten);
    this.#pos = g.end;
    this.#slices = g.slices;
    this.#quality = g.quality;
    this.#lastSeq = ctx.lastSeq;
  }

  #write(data: string | Buffer, onWritten: () => void): void {
    this.#sent++;
    this.#bytesWritten += data.length;
    this.#socket.send(data, TEXT, (error) => {
      // Written out: room may have opened below the high-water mark.
      if (error === undefined && this.pending) onWritten();
    });
  }
}
