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
 * in `hub-client.ts` (bounded queue, drop-oldest, exact `dropped` notices).
 */
import type { Bar } from "../domain/bar.js";
import {
  type ClientLimits,
  DEFAULT_CLIENT_LIMITS,
  HubClient,
  type HubSocket,
  type PendingUpdate,
} from "./hub-client.js";
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
  /** The replay's state, read at a flush after {@link Hub.markReplay}. */
  readonly replayState?: () => unknown;
  /** Every symbol with data, so a `"*"` subscriber gets a full first picture. */
  readonly listSymbols?: () => Iterable<string>;
  /** Milliseconds between coalesced flushes (default 66: about 15 a second). */
  readonly flushIntervalMs?: number;
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
  readonly #limits: ClientLimits;
  readonly #snapshot: (symbol: string) => unknown;
  readonly #listSymbols: () => Iterable<string>;
  readonly #replayState: () => unknown;
  #replayDirty = false;
  readonly #flushIntervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #changedBars = new Set<string>();
  readonly #pendingAnalysis = new Map<string, unknown>();
  #sliceSeq = 0;
  #flushes = 0;

  constructor(options: HubOptions) {
    this.#snapshot = options.snapshot;
    this.#listSymbols = options.listSymbols ?? (() => []);
    this.#replayState = options.replayState ?? (() => undefined);
    this.#flushIntervalMs = options.flushIntervalMs ?? 66;
    this.#limits = {
      maxQueueMessages: options.maxQueueMessages ?? DEFAULT_CLIENT_LIMITS.maxQueueMessages,
      maxQueueBytes: options.maxQueueBytes ?? DEFAULT_CLIENT_LIMITS.maxQueueBytes,
      highWaterMark: options.highWaterMark ?? DEFAULT_CLIENT_LIMITS.highWaterMark,
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

  /** Registers a socket and greets it; start it with a `subscribe` message. */
  addClient(socket: HubSocket): HubClient {
    const client = new HubClient(socket, this.#limits);
    this.#clients.add(client);
    client.enqueue(
      JSON.stringify({
        type: "hello",
        channels: CHANNELS,
        flushIntervalMs: this.#flushIntervalMs,
        maxQueueMessages: this.#limits.maxQueueMessages,
        nextSliceSeq: this.#sliceSeq,
      }),
      "control",
    );
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.flush(), this.#flushIntervalMs);
      this.#timer.unref?.();
    }
    return client;
  }

  /** Forgets a client (its socket closed). */
  removeClient(client: HubClient): void {
    client.close();
    this.#clients.delete(client);
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
        client.enqueue(
          JSON.stringify({
            type: "subscribed",
            all: client.all,
            symbols: [...client.symbols].sort(),
            channels: [...client.channels].sort(),
          }),
          "control",
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
        client.mergeUpdate(update);
        return;
      }
      case "unsubscribe":
        for (const s of message.symbols) {
          if (s === "*") client.all = false;
          else client.symbols.delete(s);
        }
        client.enqueue(
          JSON.stringify({ type: "unsubscribed", symbols: message.symbols }),
          "control",
        );
        return;
      case "ping":
        client.enqueue(JSON.stringify({ type: "pong" }), "control");
        return;
    }
  }

  /** Tells one client its message was refused (it stays connected). */
  reject(client: HubClient, message: string): void {
    client.enqueue(JSON.stringify({ type: "error", message }), "control");
  }

  /** A bar arrived for `symbol`: it goes out on the next flush. O(1). */
  markBar(symbol: string): void {
    this.#changedBars.add(symbol);
  }

  /** A new analysis result for `symbol`: the newest goes out on the next flush. O(1). */
  markAnalysis(symbol: string, result: unknown): void {
    this.#pendingAnalysis.set(symbol, result);
  }

  /** The replay's state changed: every client gets the newest at the next flush. O(1). */
  markReplay(): void {
    this.#replayDirty = true;
  }

  /**
   * A replay slice: every bar of minute `time`. Numbered and queued to `slices` subscribers
   * at once (not coalesced). The JSON for `"*"` subscribers is built once.
   */
  publishSlice(time: number, bars: ReadonlyMap<string, Bar>): number {
    const seq = this.#sliceSeq++;
    let everything: Buffer | undefined;
    for (const client of this.#clients) {
      if (!client.channels.has("slices")) continue;
      if (client.all) {
        everything ??= Buffer.from(sliceJson(seq, time, bars, undefined));
        client.enqueue(everything, "slice", seq, time);
        continue;
      }
      let any = false;
      for (const s of client.symbols) {
        if (bars.has(s)) {
          any = true;
          break;
        }
      }
      if (any) client.enqueue(sliceJson(seq, time, bars, client.symbols), "slice", seq, time);
    }
    return seq;
  }

  /**
   * The store was cleared (a new replay): drops every change not yet sent, so nothing of the old
   * data follows, and queues `message` to every client.
   */
  reset(message: Record<string, unknown>): void {
    this.#changedBars.clear();
    this.#pendingAnalysis.clear();
    for (const client of this.#clients) client.discardUpdate();
    this.publishControl(message);
  }

  /** A session boundary or other replay event every client hears, queued in order. */
  publishControl(message: Record<string, unknown>): void {
    const data = JSON.stringify(message);
    for (const client of this.#clients) client.enqueue(data, "control");
  }

  /**
   * An upkeep event, queued in order to `quality` subscribers of its symbol, and counted into
   * the next update of `gaps` subscribers when it is a gap event.
   */
  publishQuality(event: QualityMessage): void {
    let data: string | undefined;
    const gapEvent = event.type !== "qualityChanged";
    for (const client of this.#clients) {
      if (gapEvent && client.wants("gaps", event.symbol)) client.mergeUpdate({ gaps: 1 });
      if (!client.wants("quality", event.symbol)) continue;
      data ??= JSON.stringify({ type: "quality", event });
      client.enqueue(data, "quality");
    }
  }

  /** Sends the coalesced changes to every client and writes what the sockets can take. */
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
      analysis = Object.fromEntries(this.#pendingAnalysis);
      this.#pendingAnalysis.clear();
    }
    let replay: unknown;
    if (this.#replayDirty) {
      this.#replayDirty = false;
      replay = this.#replayState();
    }
    for (const client of this.#clients) {
      const update: PendingUpdate = {};
      if (replay !== undefined) update.replay = replay;
      if (bars !== undefined && client.channels.has("bars")) {
        const mine = pick(bars, client);
        if (mine !== undefined) update.bars = mine;
      }
      if (analysis !== undefined && client.channels.has("analysis")) {
        const mine = pick(analysis, client);
        if (mine !== undefined) update.analysis = mine;
      }
      if (update.bars !== undefined || update.analysis !== undefined || replay !== undefined) {
        client.mergeUpdate(update);
      }
      client.pump();
    }
  }

  /** Stops the flush timer and forgets every client (their sockets are the caller's). */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const client of this.#clients) client.close();
    this.#clients.clear();
  }

  #knownSymbols(client: HubClient): Iterable<string> {
    return client.all ? this.#listSymbols() : client.symbols;
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

function sliceJson(
  seq: number,
  time: number,
  bars: ReadonlyMap<string, Bar>,
  only: ReadonlySet<string> | undefined,
): string {
  const out: Record<string, number[]> = {};
  for (const [s, b] of bars) {
    if (only !== undefined && !only.has(s)) continue;
    out[s] = [b.open, b.high, b.low, b.close, b.volume];
  }
  return JSON.stringify({ type: "slice", seq, time, bars: out });
}
