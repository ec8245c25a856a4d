/**
 * The coalesced side of the {@link Hub}: changes marked between two flushes (bars, analysis
 * results, replay state, feed status), collected once per flush, and the updates built from
 * them and from the current picture (a newcomer's first update, a stale client's full update,
 * the `state` of a client that fell behind).
 */
import type { Bar } from "../domain/bar.js";
import type { HubClient, PendingUpdate } from "./hub-client.js";

/** Where the current picture comes from (see `HubOptions`). */
export interface CoalescerSources {
  readonly snapshot: (symbol: string) => unknown;
  readonly latestBar: (symbol: string) => Bar | undefined;
  readonly replayState: () => unknown;
  readonly status: () => unknown;
  readonly listSymbols: () => Iterable<string>;
}

/** The changes one flush hands out; a field is set only when something changed. */
export interface FlushChanges {
  readonly bars: Record<string, unknown> | undefined;
  readonly analysis: Record<string, unknown> | undefined;
  readonly replay: unknown;
  readonly status: unknown;
}

/** Changes waiting for the next flush, and the updates built from them. */
export class HubCoalescer {
  readonly #sources: CoalescerSources;
  readonly #changedBars = new Set<string>();
  readonly #pendingAnalysis = new Map<string, unknown>();
  /** The newest analysis result per symbol (for full updates). */
  readonly #latestAnalysis = new Map<string, unknown>();
  #pendingStatus: unknown;
  #replayDirty = false;

  constructor(sources: CoalescerSources) {
    this.#sources = sources;
  }

  /** A bar arrived for `symbol`. O(1). */
  markBar(symbol: string): void {
    this.#changedBars.add(symbol);
  }

  /** A new analysis result for `symbol`; the newest wins. O(1). */
  markAnalysis(symbol: string, result: unknown): void {
    this.#pendingAnalysis.set(symbol, result);
  }

  /** The live feed's status changed; the newest wins. O(1). */
  markStatus(status: unknown): void {
    this.#pendingStatus = status;
  }

  /** The replay's state changed: it is read at the next flush. O(1). */
  markReplay(): void {
    this.#replayDirty = true;
  }

  /** Forgets every bar and analysis change, and the analysis known (the store was cleared). */
  discard(): void {
    this.#changedBars.clear();
    this.#pendingAnalysis.clear();
    this.#latestAnalysis.clear();
  }

  /** Collects what changed since the last call, or `undefined` when nothing did. */
  take(): FlushChanges | undefined {
    let bars: Record<string, unknown> | undefined;
    if (this.#changedBars.size > 0) {
      bars = this.#snapshots(this.#changedBars);
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
      replay = this.#sources.replayState();
    }
    const status = this.#pendingStatus;
    this.#pendingStatus = undefined;
    if (
      bars === undefined &&
      analysis === undefined &&
      replay === undefined &&
      status === undefined
    ) {
      return undefined;
    }
    return { bars, analysis, replay, status };
  }

  /** The part of `changes` that `client`'s subscription gets, or `null` for none. */
  updateFor(changes: FlushChanges, client: HubClient): PendingUpdate | null {
    const u: PendingUpdate = {};
    if (changes.replay !== undefined) u.replay = changes.replay;
    if (changes.status !== undefined) u.status = changes.status;
    if (changes.bars !== undefined && client.channels.has("bars")) {
      const mine = pick(changes.bars, client);
      if (mine !== undefined) u.bars = mine;
    }
    if (changes.analysis !== undefined && client.channels.has("analysis")) {
      const mine = pick(changes.analysis, client);
      if (mine !== undefined) u.analysis = mine;
    }
    return u.bars !== undefined ||
      u.analysis !== undefined ||
      u.replay !== undefined ||
      u.status !== undefined
      ? u
      : null;
  }

  /** A newcomer's first update (bars, replay state, status), or `undefined` when empty. */
  firstUpdate(client: HubClient): PendingUpdate | undefined {
    const update: PendingUpdate = {};
    if (client.channels.has("bars")) update.bars = this.#snapshots(this.#knownSymbols(client));
    const replay = this.#sources.replayState();
    if (replay !== undefined) update.replay = replay;
    const status = this.#sources.status();
    if (status !== undefined) update.status = status;
    return update.bars !== undefined || update.replay !== undefined || status !== undefined
      ? update
      : undefined;
  }

  /** Everything a stale client's next update carries: the current picture of its symbols. */
  full(client: HubClient): PendingUpdate {
    const u: PendingUpdate = {};
    if (client.channels.has("bars")) u.bars = this.#snapshots(this.#knownSymbols(client));
    if (client.channels.has("analysis")) {
      const analysis: Record<string, unknown> = {};
      for (const s of this.#knownSymbols(client)) {
        const a = this.#latestAnalysis.get(s);
        if (a !== undefined) analysis[s] = a;
      }
      u.analysis = analysis;
    }
    const replay = this.#sources.replayState();
    if (replay !== undefined) u.replay = replay;
    const status = this.#sources.status();
    if (status !== undefined) u.status = status;
    return u;
  }

  /** The `state` message: the latest bar of each of the client's symbols as of slice `seq`. */
  state(client: HubClient, seq: number, time: number): string {
    const bars: Record<string, number[]> = {};
    for (const s of this.#knownSymbols(client)) {
      const b = this.#sources.latestBar(s);
      if (b !== undefined) bars[s] = [b.time, b.open, b.high, b.low, b.close, b.volume];
    }
    return JSON.stringify({
      type: "state",
      seq,
      time: Number.isFinite(time) ? time : null,
      bars,
    });
  }

  #knownSymbols(client: HubClient): Iterable<string> {
    return client.all ? this.#sources.listSymbols() : client.symbols;
  }

  /** The `bars` snapshot of each symbol that has one. */
  #snapshots(symbols: Iterable<string>): Record<string, unknown> {
    const bars: Record<string, unknown> = {};
    for (const s of symbols) {
      const snap = this.#sources.snapshot(s);
      if (snap !== undefined) bars[s] = snap;
    }
    return bars;
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
