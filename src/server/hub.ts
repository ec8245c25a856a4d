/**
 * The WebSocket fan-out: what the replay, the store, the analysis engine and upkeep publish goes
 * out to every subscribed client without ever waiting for one.
 *
 * Channels (a client picks them when it subscribes):
 * - `bars`: the latest 1m bar and a summary (session open, change, quality) per symbol,
 *   COALESCED: changes are collected and flushed every `flushIntervalMs` (default 66 ms, about
 *   15 times a second), one entry per changed symbol however many bars it received meanwhile.
 *   500 symbols at full speed therefore cost a page at most ~15 messages a second.
 * - `analysis`: the latest `analyze(symbol)` result per symbol, coalesced the same way.
 * - `quality`: every upkeep event (`gapDetected`, `gapFilled`, `gapUnfillable`,
 *   `qualityChanged`), in order. A symbol with an unfillable gap changes quality every minute,
 *   so for many symbols at full speed this is thousands of messages a second.
 * - `gaps`: COALESCED like `bars`: `update.gaps` counts the gap events of the subscribed symbols
 *   since the last update (qualityChanged is left out; `bars` carries each symbol's quality).
 *   What a page needs to know when to re-read `/api/gaps`, at most ~15 times a second.
 * - `slices`: every replay slice, in order, numbered by `seq` (global, consecutive across the
 *   replay), with the bars of the subscribed symbols as `[open, high, low, close, volume]`.
 * Replay state and session boundaries go to every client. What a slow client gets is described
 * in `hub-client.ts` (bounded queue; a client that falls behind gets a `behind` notice naming
 * exactly what it missed and a `state` with the latest bar per symbol).
 */
import type { Bar } from "../domain/bar.js";
import {
  type ClientLimits,
  DEFAULT_CLIENT_LIMITS,
  HubClient,
  type HubSocket,
  type PendingUpdate,
} from "./hub-client.js";
import { HubCoalescer } from "./hub-coalescer.js";
import type { LogEntry } from "./hub-group.js";
import { HubPump, PumpFrames } from "./hub-pump.js";
import { HubRoster } from "./hub-roster.js";
import { encodeGroupSlice } from "./hub-slice-json.js";
import { CHANNELS, type Channel, type ClientMessage } from "./schemas.js";

/** The channels a subscription gets when it names none. */
export const DEFAULT_CHANNELS: readonly Channel[] = ["bars", "analysis", "quality"];

/** Options of a {@link Hub}. */
export interface HubOptions extends Partial<ClientLimits> {
  /**
   * The per-symbol summary sent on the `bars` channel, built once per changed symbol per flush.
   * `undefined` leaves the symbol out of that flush.
   */
  readonly snapshot: (symbol: string) => unknown;
  /** The latest 1m bar of a symbol, for the `state` a client that fell behind receives. */
  readonly latestBar?: (symbol: string) => Bar | undefined;
  /** The replay's state, read at a flush after {@link Hub.markReplay}. */
  readonly replayState?: () => unknown;
  /** The live feed's status now, for a newcomer's first update (see {@link Hub.markStatus}). */
  readonly status?: () => unknown;
  /** Every symbol with data, so a `"*"` subscriber gets a full first picture. */
  readonly listSymbols?: () => Iterable<string>;
  /** Milliseconds between coalesced flushes (default 66: about 15 a second). */
  readonly flushIntervalMs?: number;
  /**
   * The most of the process's time writing to sockets may take while the engine is busy
   * (default 0.15): a pump may run for `sendShare / (1 - sendShare)` of the CPU time the process
   * used since the last one ended (between 1 and 8 ms). Clients it did not reach wait for the next pump; their
   * queues fill and coalesce instead of the replay slowing down.
   */
  readonly sendShare?: number;
  /**
   * Shortest time between the starts of two pumps the hub schedules itself (default 16 ms:
   * about 60 frames a second per client at most). What is published meanwhile is sent as one
   * frame per client, the same bytes for every client of a subscription set.
   */
  readonly pumpIntervalMs?: number;
  /** Milliseconds of a monotonic clock, for the pump's budget (default `performance.now`). */
  readonly now?: () => number;
  /**
   * Whether other I/O of the process waits for the event loop (the server passes whether an
   * HTTP request is being answered): a pump then writes for at most 1 ms. Default: never.
   */
  readonly busy?: () => boolean;
}

/** Milliseconds of CPU (user + system) this process used so far. */
function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** A quality event as the hub forwards it: any upkeep event naming a symbol. */
export interface QualityMessage {
  readonly type: string;
  readonly symbol: string;
  readonly [key: string]: unknown;
}

/**
 * Fan-out of session events to WebSocket clients, with per-client bounded queues.
 *
 * Publishing (`publishSlice`, `publishQuality`, `flush`) only queues shared, pre-encoded
 * messages; sockets are written by {@link Hub.pump}, scheduled with `setImmediate` (at most
 * once per `pumpIntervalMs`) and limited to a share of the process's CPU time, so a replay at
 * max speed never waits on sends.
 *
 * @example
 * ```ts
 * const hub = new Hub({ snapshot: (s) => sd.getLatestBar(s) });
 * wss.on("connection", (ws) => {
 *   const client = hub.addClient(ws);
 *   ws.on("message", (m) => {
 *     const parsed = clientMessageSchema.safeParse(JSON.parse(String(m)));
 *     if (parsed.success) hub.handleMessage(client, parsed.data);
 *     else hub.reject(client, describeIssues(parsed.error, "message"));
 *   });
 *   ws.on("close", () => hub.removeClient(client));
 * });
 * sd.subscribe((e) => { if (e.type === "bar") hub.markBar(e.symbol); });
 * ```
 */
export class Hub {
  readonly #roster: HubRoster;
  readonly #coalescer: HubCoalescer;
  readonly #pump: HubPump;
  readonly #limits: ClientLimits;
  readonly #flushIntervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sliceSeq = 0;
  #lastSliceTime = Number.NaN;
  #flushes = 0;
  #sliceEncodings = 0;

  constructor(options: HubOptions) {
    this.#flushIntervalMs = options.flushIntervalMs ?? 66;
    this.#limits = {
      maxQueueMessages: options.maxQueueMessages ?? DEFAULT_CLIENT_LIMITS.maxQueueMessages,
      maxQueueBytes: options.maxQueueBytes ?? DEFAULT_CLIENT_LIMITS.maxQueueBytes,
      highWaterMark: options.highWaterMark ?? DEFAULT_CLIENT_LIMITS.highWaterMark,
    };
    this.#roster = new HubRoster({
      maxMessages: this.#limits.maxQueueMessages,
      maxBytes: this.#limits.maxQueueBytes,
    });
    const coalescer = new HubCoalescer({
      snapshot: options.snapshot,
      latestBar: options.latestBar ?? (() => undefined),
      listSymbols: options.listSymbols ?? (() => []),
      replayState: options.replayState ?? (() => undefined),
      status: options.status ?? (() => undefined),
    });
    this.#coalescer = coalescer;
    const frames = new PumpFrames({
      full: (client) => coalescer.full(client),
      state: (client) => coalescer.state(client, this.#sliceSeq - 1, this.#lastSliceTime),
      lastSeq: () => this.#sliceSeq - 1,
    });
    this.#pump = new HubPump({
      order: () => this.#roster.order,
      frames,
      seal: () => {
        for (const group of this.#roster.groups()) group.seal();
      },
      share: Math.min(0.9, Math.max(0.01, options.sendShare ?? 0.15)),
      minIntervalMs: Math.max(0, options.pumpIntervalMs ?? 16),
      now: options.now ?? (() => performance.now()),
      busy: options.busy ?? (() => false),
      // A test's clock stands for both; otherwise the share is of the process's CPU time.
      cpuNow: options.now ?? processCpuMs,
    });
  }

  /** Connected clients. */
  get clients(): ReadonlySet<HubClient> {
    return this.#roster.clients;
  }

  /** The number of slices published so far (the next slice's `seq`). */
  get sliceSeq(): number {
    return this.#sliceSeq;
  }

  /** Coalesced flushes done so far. */
  get flushes(): number {
    return this.#flushes;
  }

  /** Pumps (rounds of socket writes) done so far. */
  get pumps(): number {
    return this.#pump.pumps;
  }

  /** Slice JSON encodings so far: one per slice per distinct subscription, not per client. */
  get sliceEncodings(): number {
    return this.#sliceEncodings;
  }

  /** Registers a socket and greets it; start it with a `subscribe` message. */
  addClient(socket: HubSocket): HubClient {
    const client = new HubClient(socket, this.#limits);
    this.#roster.add(client, this.#sliceSeq - 1);
    client.reply(
      JSON.stringify({
        type: "hello",
        channels: CHANNELS,
        flushIntervalMs: this.#flushIntervalMs,
        maxQueueMessages: this.#limits.maxQueueMessages,
        nextSliceSeq: this.#sliceSeq,
      }),
    );
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.flush(), this.#flushIntervalMs);
      this.#timer.unref?.();
    }
    this.#pump.schedule();
    return client;
  }

  /** Forgets a client (its socket closed). */
  removeClient(client: HubClient): void {
    if (!this.#roster.remove(client)) return;
    if (this.#roster.clients.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Applies a parsed client message and answers it. */
  handleMessage(client: HubClient, message: ClientMessage): void {
    switch (message.type) {
      case "subscribe": {
        for (const s of message.symbols) {
          if (s === "*") client.all = true;
          else client.symbols.add(s);
        }
        for (const c of message.channels ?? DEFAULT_CHANNELS) client.channels.add(c);
        this.#roster.regroup(client, this.#sliceSeq - 1);
        client.reply(
          JSON.stringify({
            type: "subscribed",
            all: client.all,
            symbols: [...client.symbols].sort(),
            channels: [...client.channels].sort(),
          }),
        );
        // Bring the newcomer up to date with the current state at the next flush.
        const update = this.#coalescer.firstUpdate(client);
        if (update !== undefined) client.mergeUpdate(update);
        break;
      }
      case "unsubscribe":
        for (const s of message.symbols) {
          if (s === "*") client.all = false;
          else client.symbols.delete(s);
        }
        this.#roster.regroup(client, this.#sliceSeq - 1);
        client.reply(JSON.stringify({ type: "unsubscribed", symbols: message.symbols }));
        break;
      case "ping":
        client.reply(JSON.stringify({ type: "pong" }));
        break;
    }
    this.#pump.schedule();
  }

  /** Tells one client its message was refused (it stays connected). */
  reject(client: HubClient, message: string): void {
    client.reply(JSON.stringify({ type: "error", message }));
    this.#pump.schedule();
  }

  /** A bar arrived for `symbol`: it goes out on the next flush. O(1). */
  markBar(symbol: string): void {
    this.#coalescer.markBar(symbol);
  }

  /** A new analysis result for `symbol`: the newest goes out on the next flush. O(1). */
  markAnalysis(symbol: string, result: unknown): void {
    this.#coalescer.markAnalysis(symbol, result);
  }

  /** The live feed's status changed: every client gets it at the next flush. O(1). */
  markStatus(status: unknown): void {
    this.#coalescer.markStatus(status);
  }

  /** The replay's state changed: every client gets the newest at the next flush. O(1). */
  markReplay(): void {
    this.#coalescer.markReplay();
  }

  /**
   * A replay slice: every bar of minute `time`. Numbered and queued to `slices` subscribers
   * (not coalesced unless a client falls behind). Its JSON is built once per subscription set.
   */
  publishSlice(time: number, bars: ReadonlyMap<string, Bar>): number {
    const seq = this.#sliceSeq++;
    this.#lastSliceTime = time;
    let any = false;
    for (const group of this.#roster.groups()) {
      if (!group.channels.has("slices")) continue;
      const data = encodeGroupSlice(seq, time, bars, group);
      if (data === null) continue;
      this.#sliceEncodings++;
      group.append({ data, kind: "slice", seq, time });
      any = true;
    }
    if (any) this.#pump.schedule();
    return seq;
  }

  /**
   * The store was cleared (a new replay): drops every change not yet sent, so nothing of the old
   * data follows, and queues `message` to every client.
   */
  reset(message: Record<string, unknown>): void {
    this.#coalescer.discard();
    for (const client of this.#roster.order) client.discardUpdate();
    this.publishControl(message);
  }

  /** A session boundary or other replay event every client hears, queued in order. */
  publishControl(message: Record<string, unknown>): void {
    const entry: LogEntry = {
      data: Buffer.from(JSON.stringify(message)),
      kind: "control",
      seq: Number.NaN,
      time: Number.NaN,
    };
    for (const group of this.#roster.groups()) group.append(entry);
    this.#pump.schedule();
  }

  /**
   * An upkeep event, logged in order for `quality` subscribers of its symbol, and counted into
   * the next update of `gaps` subscribers when it is a gap event.
   */
  publishQuality(event: QualityMessage): void {
    let entry: LogEntry | undefined;
    if (event.type !== "qualityChanged") {
      for (const client of this.#roster.order) {
        if (client.wants("gaps", event.symbol)) client.mergeUpdate({ gaps: 1 });
      }
    }
    for (const group of this.#roster.groups()) {
      if (!group.wants("quality", event.symbol)) continue;
      entry ??= {
        data: Buffer.from(JSON.stringify({ type: "quality", event })),
        kind: "quality",
        seq: Number.NaN,
        time: Number.NaN,
      };
      group.append(entry);
    }
    this.#pump.schedule();
  }

  /**
   * Hands the coalesced changes to every client (one shared update object per subscription
   * set) and writes what the sockets can take.
   */
  flush(): void {
    this.#flushes++;
    const changes = this.#coalescer.take();
    if (changes !== undefined) {
      const byKey = new Map<string, PendingUpdate | null>();
      for (const client of this.#roster.order) {
        let update = byKey.get(client.key);
        if (update === undefined) {
          update = this.#coalescer.updateFor(changes, client);
          byKey.set(client.key, update);
        }
        if (update !== null) client.mergeUpdate(update, true);
      }
    }
    this.pump();
  }

  /**
   * Writes waiting messages to the sockets, client after client (round robin from where the
   * last pump stopped), until every socket is full or idle or the pump's time budget is spent.
   * Called by the hub itself (after a publish, and when a socket drained; at most once per
   * `pumpIntervalMs`); public
   * so tests can drive it step by step.
   */
  pump(): void {
    this.#pump.run();
  }

  /** Stops the flush timer and forgets every client (their sockets are the caller's). */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#pump.cancel();
    this.#roster.clear();
  }
}
