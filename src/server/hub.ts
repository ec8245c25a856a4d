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
  type PumpContext,
} from "./hub-client.js";
import { type LogEntry, SubscriptionGroup } from "./hub-group.js";
import { CHANNELS, type Channel, type ClientMessage } from "./schemas.js";

/** The channels a subscription gets when it names none. */
export const DEFAULT_CHANNELS: readonly Channel[] = ["bars", "analysis", "quality"];

/** Separates the messages of one frame (JSON never holds a raw newline). */
const NEWLINE = Buffer.from("\n");

/** Bytes one pump may write per millisecond of its time budget (~256 MB/s of socket writes). */
const BYTES_PER_PUMP_MS = 256 * 1024;

/** Shortest and longest time one pump may spend writing to sockets, ms. */
const MIN_PUMP_MS = 1;
const MAX_PUMP_MS = 20;

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
   * (default 0.15): a pump may run for `sendShare / (1 - sendShare)` of the time since the last
   * one ended (between 1 and 20 ms). Clients it did not reach wait for the next pump; their
   * queues fill and coalesce instead of the replay slowing down.
   */
  readonly sendShare?: number;
  /** Milliseconds of a monotonic clock, for the pump's budget (default `performance.now`). */
  readonly now?: () => number;
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
 * messages; sockets are written by {@link Hub.pump}, scheduled with `setImmediate` and limited
 * to a share of the process's time, so a replay at max speed never waits on sends.
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
  readonly #clients = new Set<HubClient>();
  readonly #groups = new Map<string, SubscriptionGroup>();
  /** The clients in a stable order, for the pump's round robin. */
  #order: HubClient[] = [];
  #cursor = 0;
  readonly #limits: ClientLimits;
  readonly #snapshot: (symbol: string) => unknown;
  readonly #latestBar: (symbol: string) => Bar | undefined;
  readonly #listSymbols: () => Iterable<string>;
  readonly #replayState: () => unknown;
  readonly #status: () => unknown;
  #pendingStatus: unknown;
  readonly #share: number;
  readonly #now: () => number;
  #replayDirty = false;
  readonly #flushIntervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  #lastPumpEnd = Number.NEGATIVE_INFINITY;
  readonly #changedBars = new Set<string>();
  readonly #pendingAnalysis = new Map<string, unknown>();
  #sliceSeq = 0;
  #lastSliceTime = Number.NaN;
  #flushes = 0;
  #pumps = 0;
  #sliceEncodings = 0;
  readonly #updateJson = new WeakMap<PendingUpdate, Buffer>();
  /** `state` messages built during one pump, by subscription key. */
  readonly #stateJson = new Map<string, Buffer>();
  /** Batches built during one pump, by subscription key and range. */
  readonly #batchJson = new Map<string, Buffer>();
  /** Full updates built during one pump, by subscription key. */
  readonly #fullJson = new Map<string, Buffer>();
  /** The newest analysis result per symbol (for full updates). */
  readonly #latestAnalysis = new Map<string, unknown>();
  readonly #ctx: PumpContext & { lastSeq: number };
  readonly #onWritten = (): void => this.#schedule();

  constructor(options: HubOptions) {
    this.#snapshot = options.snapshot;
    this.#latestBar = options.latestBar ?? (() => undefined);
    this.#listSymbols = options.listSymbols ?? (() => []);
    this.#replayState = options.replayState ?? (() => undefined);
    this.#status = options.status ?? (() => undefined);
    this.#flushIntervalMs = options.flushIntervalMs ?? 66;
    this.#share = Math.min(0.9, Math.max(0.01, options.sendShare ?? 0.15));
    this.#now = options.now ?? (() => performance.now());
    this.#limits = {
      maxQueueMessages: options.maxQueueMessages ?? DEFAULT_CLIENT_LIMITS.maxQueueMessages,
      maxQueueBytes: options.maxQueueBytes ?? DEFAULT_CLIENT_LIMITS.maxQueueBytes,
      highWaterMark: options.highWaterMark ?? DEFAULT_CLIENT_LIMITS.highWaterMark,
    };
    this.#ctx = {
      lastSeq: -1,
      updateJson: (u) => {
        let json = this.#updateJson.get(u);
        if (json === undefined) {
          json = Buffer.from(JSON.stringify({ type: "update", ...u }));
          this.#updateJson.set(u, json);
        }
        return json;
      },
      batchJson: (group, from, to) => {
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
      },
      fullJson: (client) => {
        let json = this.#fullJson.get(client.key);
        if (json === undefined) {
          json = Buffer.from(JSON.stringify({ type: "update", ...this.#full(client) }));
          this.#fullJson.set(client.key, json);
        }
        return json;
      },
      stateJson: (client) => {
        let json = this.#stateJson.get(client.key);
        if (json === undefined) {
          json = Buffer.from(this.#state(client));
          this.#stateJson.set(client.key, json);
        }
        return json;
      },
    };
  }

  /** Connected clients. */
  get clients(): ReadonlySet<HubClient> {
    return this.#clients;
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
    return this.#pumps;
  }

  /** Slice JSON encodings so far: one per slice per distinct subscription, not per client. */
  get sliceEncodings(): number {
    return this.#sliceEncodings;
  }

  /** Registers a socket and greets it; start it with a `subscribe` message. */
  addClient(socket: HubSocket): HubClient {
    const client = new HubClient(socket, this.#limits);
    this.#clients.add(client);
    this.#order.push(client);
    this.#regroup(client);
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
    this.#schedule();
    return client;
  }

  /** Forgets a client (its socket closed). */
  removeClient(client: HubClient): void {
    const group = client.group;
    client.close();
    if (!this.#clients.delete(client)) return;
    if (group !== undefined && --group.members === 0) this.#groups.delete(group.key);
    this.#order = this.#order.filter((c) => c !== client);
    if (this.#clients.size === 0 && this.#timer !== undefined) {
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
        this.#regroup(client);
        client.reply(
          JSON.stringify({
            type: "subscribed",
            all: client.all,
            symbols: [...client.symbols].sort(),
            channels: [...client.channels].sort(),
          }),
        );
        // Bring the newcomer up to date with the current state at the next flush.
        const update: PendingUpdate = {};
        if (client.channels.has("bars")) {
          const bars: Record<string, unknown> = {};
          for (const s of this.#knownSymbols(client)) {
            const snap = this.#snapshot(s);
            if (snap !== undefined) bars[s] = snap;
          }
          update.bars = bars;
        }
        const replay = this.#replayState();
        if (replay !== undefined) update.replay = replay;
        const status = this.#status();
        if (status !== undefined) update.status = status;
        if (update.bars !== undefined || update.replay !== undefined || status !== undefined) {
          client.mergeUpdate(update);
        }
        break;
      }
      case "unsubscribe":
        for (const s of message.symbols) {
          if (s === "*") client.all = false;
          else client.symbols.delete(s);
        }
        this.#regroup(client);
        client.reply(JSON.stringify({ type: "unsubscribed", symbols: message.symbols }));
        break;
      case "ping":
        client.reply(JSON.stringify({ type: "pong" }));
        break;
    }
    this.#schedule();
  }

  /** Tells one client its message was refused (it stays connected). */
  reject(client: HubClient, message: string): void {
    client.reply(JSON.stringify({ type: "error", message }));
    this.#schedule();
  }

  /** A bar arrived for `symbol`: it goes out on the next flush. O(1). */
  markBar(symbol: string): void {
    this.#changedBars.add(symbol);
  }

  /** A new analysis result for `symbol`: the newest goes out on the next flush. O(1). */
  markAnalysis(symbol: string, result: unknown): void {
    this.#pendingAnalysis.set(symbol, result);
  }

  /** The live feed's status changed: every client gets it at the next flush. O(1). */
  markStatus(status: unknown): void {
    this.#pendingStatus = status;
  }

  /** The replay's state changed: every client gets the newest at the next flush. O(1). */
  markReplay(): void {
    this.#replayDirty = true;
  }

  /**
   * A replay slice: every bar of minute `time`. Numbered and queued to `slices` subscribers
   * (not coalesced unless a client falls behind). Its JSON is built once per subscription set.
   */
  publishSlice(time: number, bars: ReadonlyMap<string, Bar>): number {
    const seq = this.#sliceSeq++;
    this.#lastSliceTime = time;
    this.#ctx.lastSeq = seq;
    let any = false;
    for (const group of this.#groups.values()) {
      if (!group.channels.has("slices")) continue;
      const data = this.#encodeSlice(seq, time, bars, group);
      if (data === null) continue;
      group.append({ data, kind: "slice", seq, time });
      any = true;
    }
    if (any) this.#schedule();
    return seq;
  }

  /**
   * The store was cleared (a new replay): drops every change not yet sent, so nothing of the old
   * data follows, and queues `message` to every client.
   */
  reset(message: Record<string, unknown>): void {
    this.#changedBars.clear();
    this.#pendingAnalysis.clear();
    this.#latestAnalysis.clear();
    for (const client of this.#order) client.discardUpdate();
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
    for (const group of this.#groups.values()) group.append(entry);
    this.#schedule();
  }

  /**
   * An upkeep event, logged in order for `quality` subscribers of its symbol, and counted into
   * the next update of `gaps` subscribers when it is a gap event.
   */
  publishQuality(event: QualityMessage): void {
    let entry: LogEntry | undefined;
    if (event.type !== "qualityChanged") {
      for (const client of this.#order) {
        if (client.wants("gaps", event.symbol)) client.mergeUpdate({ gaps: 1 });
      }
    }
    for (const group of this.#groups.values()) {
      if (!group.wants("quality", event.symbol)) continue;
      entry ??= {
        data: Buffer.from(JSON.stringify({ type: "quality", event })),
        kind: "quality",
        seq: Number.NaN,
        time: Number.NaN,
      };
      group.append(entry);
    }
    this.#schedule();
  }

  /**
   * Hands the coalesced changes to every client (one shared update object per subscription
   * set) and writes what the sockets can take.
   */
  flush(): void {
    this.#flushes++;
    let bars: Record<string, unknown> | undefined;
    if (this.#changedBars.size > 0) {
      bars = {};
      for (const s of this.#changedBars) {
        const snap = this.#snapshot(s);
        if (snap !== undefined) bars[s] = snap;
      }
      this.#changedBars.clear();
    }
    let analysis: Record<string, unknown> | undefined;
    if (this.#pendingAnalysis.size > 0) {
      for (const [symbol, result] of this.#pendingAnalysis)
        this.#latestAnalysis.set(symbol, result);
      analysis = Object.fromEntries(this.#pendingAnalysis);
      this.#pendingAnalysis.clear();
    }
    let replay: unknown;
    if (this.#replayDirty) {
      this.#replayDirty = false;
      replay = this.#replayState();
    }
    const status = this.#pendingStatus;
    this.#pendingStatus = undefined;
    if (
      bars === undefined &&
      analysis === undefined &&
      replay === undefined &&
      status === undefined
    ) {
      this.pump();
      return;
    }
    const byKey = new Map<string, PendingUpdate | null>();
    for (const client of this.#order) {
      let update = byKey.get(client.key);
      if (update === undefined) {
        const u: PendingUpdate = {};
        if (replay !== undefined) u.replay = replay;
        if (status !== undefined) u.status = status;
        if (bars !== undefined && client.channels.has("bars")) {
          const mine = pick(bars, client);
          if (mine !== undefined) u.bars = mine;
        }
        if (analysis !== undefined && client.channels.has("analysis")) {
          const mine = pick(analysis, client);
          if (mine !== undefined) u.analysis = mine;
        }
        update =
          u.bars !== undefined ||
          u.analysis !== undefined ||
          u.replay !== undefined ||
          u.status !== undefined
            ? u
            : null;
        byKey.set(client.key, update);
      }
      if (update !== null) client.mergeUpdate(update, true);
    }
    this.pump();
  }

  /**
   * Writes waiting messages to the sockets, client after client (round robin from where the
   * last pump stopped), until every socket is full or idle or the pump's time budget is spent.
   * Called by the hub itself (`setImmediate` after a publish, and when a socket drained); public
   * so tests can drive it step by step.
   */
  pump(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
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
    const order = this.#order;
    const n = order.length;
    let i = 0;
    while (i < n) {
      const client = order[(this.#cursor + i) % n]!;
      i++;
      bytes -= client.pump(this.#ctx, this.#onWritten, bytes);
      if (bytes <= 0 || this.#now() - t0 > budget) break;
    }
    this.#cursor = n === 0 ? 0 : (this.#cursor + i) % n;
    this.#stateJson.clear();
    this.#fullJson.clear();
    this.#batchJson.clear();
    this.#lastPumpEnd = this.#now();
    // Clients the budget did not reach go first next time.
    if (i < n) this.#schedule();
  }

  /** Stops the flush timer and forgets every client (their sockets are the caller's). */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    for (const client of this.#order) client.close();
    this.#clients.clear();
    this.#groups.clear();
    this.#order = [];
  }

  /** Puts the client in the group of its (changed) subscription. */
  #regroup(client: HubClient): void {
    const key = client.computeKey();
    const old = client.group;
    if (old?.key === key) return;
    if (old !== undefined && --old.members === 0) this.#groups.delete(old.key);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = new SubscriptionGroup(key, client.all, client.symbols, client.channels, {
        maxMessages: this.#limits.maxQueueMessages,
        maxBytes: this.#limits.maxQueueBytes,
      });
      this.#groups.set(key, group);
    }
    group.members++;
    client.join(group, this.#sliceSeq - 1);
  }

  #schedule(): void {
    if (this.#scheduled !== undefined) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      this.pump();
    });
  }

  #knownSymbols(client: HubClient): Iterable<string> {
    return client.all ? this.#listSymbols() : client.symbols;
  }

  #encodeSlice(
    seq: number,
    time: number,
    bars: ReadonlyMap<string, Bar>,
    group: SubscriptionGroup,
  ): Buffer | null {
    let any = group.all;
    if (!any) {
      for (const s of group.symbols) {
        if (bars.has(s)) {
          any = true;
          break;
        }
      }
    }
    if (!any) return null;
    this.#sliceEncodings++;
    return Buffer.from(sliceJson(seq, time, bars, group.all ? undefined : group.symbols));
  }

  /** Everything a stale client's next update carries: the current picture of its symbols. */
  #full(client: HubClient): PendingUpdate {
    const u: PendingUpdate = {};
    if (client.channels.has("bars")) {
      const bars: Record<string, unknown> = {};
      for (const s of this.#knownSymbols(client)) {
        const snap = this.#snapshot(s);
        if (snap !== undefined) bars[s] = snap;
      }
      u.bars = bars;
    }
    if (client.channels.has("analysis")) {
      const analysis: Record<string, unknown> = {};
      for (const s of this.#knownSymbols(client)) {
        const a = this.#latestAnalysis.get(s);
        if (a !== undefined) analysis[s] = a;
      }
      u.analysis = analysis;
    }
    const replay = this.#replayState();
    if (replay !== undefined) u.replay = replay;
    const status = this.#status();
    if (status !== undefined) u.status = status;
    return u;
  }

  /** The latest bar of each of the client's symbols, as of the last published slice. */
  #state(client: HubClient): string {
    const bars: Record<string, number[]> = {};
    for (const s of this.#knownSymbols(client)) {
      const b = this.#latestBar(s);
      if (b !== undefined) bars[s] = [b.time, b.open, b.high, b.low, b.close, b.volume];
    }
    return JSON.stringify({
      type: "state",
      seq: this.#sliceSeq - 1,
      time: Number.isFinite(this.#lastSliceTime) ? this.#lastSliceTime : null,
      bars,
    });
  }
}

function pick(
  entries: Record<string, unknown>,
  client: HubClient,
): Record<string, unknown> | undefined {
  if (client.all) return entries;
  let out: Record<string, unknown> | undefined;
  for (const s of client.symbols) {
    if (Object.hasOwn(entries, s)) (out ??= {})[s] = entries[s];
  }
  return out;
}

/** JSON-quoted symbols, so a slice's keys are escaped once per symbol, not once per slice. */
const QUOTED = new Map<string, string>();

/**
 * `{"type":"slice","seq":…,"time":…,"bars":{"SYM":[o,h,l,c,v],…}}`, written by hand: numbers
 * print as `JSON.stringify` prints them (non-finite ones cannot occur: bars are validated).
 */
function sliceJson(
  seq: number,
  time: number,
  bars: ReadonlyMap<string, Bar>,
  only: ReadonlySet<string> | undefined,
): string {
  let out = `{"type":"slice","seq":${seq},"time":${time},"bars":{`;
  let first = true;
  for (const [s, b] of bars) {
    if (only !== undefined && !only.has(s)) continue;
    let q = QUOTED.get(s);
    if (q === undefined) {
      q = JSON.stringify(s);
      if (QUOTED.size < 100_000) QUOTED.set(s, q);
    }
    out += `${first ? "" : ","}${q}:[${b.open},${b.high},${b.low},${b.close},${b.volume}]`;
    first = false;
  }
  return `${out}}}`;
}
