import { InvalidArgumentError } from "../../domain/errors.js";
import { parseDay } from "../../domain/time.js";
import type { SessionData } from "../session-data.js";
import type { SymbolSessionData } from "../symbol-session-data.js";
import {
  CTL_HEADER,
  CTL_SESSION_DAY,
  CTL_SESSION_SEQ,
  CTL_SLOT,
  CTL_SYMBOLS,
  CTL_VERSION,
  LAYOUT_VERSION,
  METRIC_FIELDS,
  NAME_BYTES,
  type SharedSessionDescriptor,
  slotWords,
} from "./shared-layout.js";

/** Options of `SessionData.share()`. */
export interface ShareOptions {
  /** Bars per symbol slot; default 1,440 (a 24-hour session). Bars beyond it are not mirrored. */
  readonly capacity?: number;
  /** The most symbols the buffers can grow to; default 16,384 (address space is reserved, not memory). */
  readonly maxSymbols?: number;
}

const INITIAL_SLOTS = 64;

/** A growable `SharedArrayBuffer` (ES2024, in Node 20; the project's TypeScript lib is ES2023). */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(byteLength: number): void;
}
const GrowableSab = SharedArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => GrowableSharedArrayBuffer;
const encoder = new TextEncoder();

/**
 * Mirrors a {@link SessionData}'s current session into shared memory as it changes (a bar hook:
 * an append writes one row; a late or replacing bar rewrites that symbol's slot from the store's
 * columns; a new session empties every slot). Made by `sd.share()`; one per store.
 */
export class SharedSessionWriter {
  readonly descriptor: SharedSessionDescriptor;
  #ctl: Int32Array;
  #names: Uint8Array;
  #data: Float64Array;
  #capacity: number;
  #words: number;
  #slots = new Map<SymbolSessionData, number>();
  #slotCount = 0;
  #grownTo = INITIAL_SLOTS;
  #maxSymbols: number;
  #unsubscribe: () => void;
  #clock = Number.NaN;

  constructor(sd: SessionData, options: ShareOptions = {}) {
    const capacity = options.capacity ?? 1_440;
    const maxSymbols = options.maxSymbols ?? 16_384;
    for (const [name, v] of [
      ["capacity", capacity],
      ["maxSymbols", maxSymbols],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 1) {
        throw new InvalidArgumentError(`share(): ${name} must be a positive integer, got ${v}`);
      }
    }
    this.#capacity = capacity;
    this.#maxSymbols = maxSymbols;
    this.#words = slotWords(capacity);
    const first = Math.min(INITIAL_SLOTS, maxSymbols);
    this.#grownTo = first;
    const ctl = new GrowableSab((CTL_HEADER + first * CTL_SLOT) * 4, {
      maxByteLength: (CTL_HEADER + maxSymbols * CTL_SLOT) * 4,
    });
    const names = new GrowableSab(first * NAME_BYTES, {
      maxByteLength: maxSymbols * NAME_BYTES,
    });
    const data = new GrowableSab(first * this.#words * 8, {
      maxByteLength: maxSymbols * this.#words * 8,
    });
    this.#ctl = new Int32Array(ctl, 0, ctl.byteLength / 4);
    this.#names = new Uint8Array(names, 0, names.byteLength);
    this.#data = new Float64Array(data, 0, data.byteLength / 8);
    this.#ctl[CTL_VERSION] = LAYOUT_VERSION;
    this.#ctl[CTL_SESSION_DAY] = -1;
    this.descriptor = Object.freeze({
      kind: "sessiondata.shared",
      version: LAYOUT_VERSION,
      capacity,
      maxSymbols,
      ctl,
      names,
      data,
    });
    this.#setSession(sd.currentSession);
    for (const name of sd.symbols()) {
      const handle = sd.getSymbol(name);
      if (handle !== undefined) this.#rewrite(this.#slotOf(handle), handle);
    }
    this.#unsubscribe = sd.subscribeBars({
      onBar: (handle, time, open, high, low, close, volume, arrival) => {
        const slot = this.#slotOf(handle);
        if (arrival === "append") this.#append(slot, handle, time, open, high, low, close, volume);
        else this.#rewrite(slot, handle);
        // A later minute moved the store's clock: every symbol's expected count (and so its
        // quality and missing count) moved with it. Once per minute, so O(1) a bar amortised.
        if (sd.clock !== this.#clock) {
          this.#clock = sd.clock;
          for (const [other, k] of this.#slots) {
            if (other !== handle) this.#refreshMetrics(k, other);
          }
        }
      },
      onEvent: (event) => {
        if (event.type === "sessionStart" || event.type === "clear") {
          // The whole roll under the session's sequence lock, the new date published last: a
          // reader that sees the new session never sees an old session's bars under it.
          const ctl = this.#ctl;
          Atomics.add(ctl, CTL_SESSION_SEQ, 1);
          for (let slot = 0; slot < this.#slotCount; slot++) this.#empty(slot);
          const date = event.type === "clear" ? undefined : event.sessionDate;
          Atomics.store(ctl, CTL_SESSION_DAY, date === undefined ? -1 : parseDay(date));
          Atomics.add(ctl, CTL_SESSION_SEQ, 1);
        }
      },
    });
  }

  /** Stops mirroring (the buffers stay readable, frozen at their last state). */
  close(): void {
    this.#unsubscribe();
  }

  #setSession(date: string | undefined): void {
    const ctl = this.#ctl;
    Atomics.add(ctl, CTL_SESSION_SEQ, 1);
    Atomics.store(ctl, CTL_SESSION_DAY, date === undefined ? -1 : parseDay(date));
    Atomics.add(ctl, CTL_SESSION_SEQ, 1);
  }

  #slotOf(handle: SymbolSessionData): number {
    const known = this.#slots.get(handle);
    if (known !== undefined) return known;
    const slot = this.#slotCount;
    if (slot >= this.#maxSymbols) {
      throw new InvalidArgumentError(
        `share(): more than maxSymbols (${this.#maxSymbols}) symbols; pass a bigger maxSymbols`,
      );
    }
    if (slot >= this.#grownTo) this.#grow();
    const bytes = encoder.encode(handle.symbol);
    if (bytes.length >= NAME_BYTES) {
      throw new InvalidArgumentError(
        `share(): symbol ${JSON.stringify(handle.symbol)} is longer than ${NAME_BYTES - 1} bytes`,
      );
    }
    const at = slot * NAME_BYTES;
    this.#names.set(bytes, at + 1);
    this.#names[at] = bytes.length;
    this.#slots.set(handle, slot);
    this.#slotCount = slot + 1;
    // Published last: a reader that sees the new count sees the name and an empty slot.
    Atomics.store(this.#ctl, CTL_SYMBOLS, this.#slotCount);
    return slot;
  }

  #grow(): void {
    const to = Math.min(this.#maxSymbols, this.#grownTo * 2);
    const d = this.descriptor as unknown as Record<
      "ctl" | "names" | "data",
      GrowableSharedArrayBuffer
    >;
    d.ctl.grow((CTL_HEADER + to * CTL_SLOT) * 4);
    d.names.grow(to * NAME_BYTES);
    d.data.grow(to * this.#words * 8);
    this.#grownTo = to;
    // Fixed-length views, made again after each growth: V8 reads a length-tracking view of a
    // growable buffer ~5x slower than a fixed one.
    this.#ctl = new Int32Array(d.ctl, 0, d.ctl.byteLength / 4);
    this.#names = new Uint8Array(d.names, 0, d.names.byteLength);
    this.#data = new Float64Array(d.data, 0, d.data.byteLength / 8);
  }

  #append(
    slot: number,
    handle: SymbolSessionData,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): void {
    const ctl = this.#ctl;
    const seq = CTL_HEADER + slot * CTL_SLOT;
    const n = ctl[seq + 1]!;
    if (n >= this.#capacity) return;
    const data = this.#data;
    const cap = this.#capacity;
    const at = slot * this.#words + n;
    Atomics.add(ctl, seq, 1);
    data[at] = time;
    data[at + cap] = open;
    data[at + 2 * cap] = high;
    data[at + 3 * cap] = low;
    data[at + 4 * cap] = close;
    data[at + 5 * cap] = volume;
    ctl[seq + 1] = n + 1;
    this.#writeMetrics(slot, handle);
    Atomics.add(ctl, seq, 1);
  }

  #rewrite(slot: number, handle: SymbolSessionData): void {
    const ctl = this.#ctl;
    const seq = CTL_HEADER + slot * CTL_SLOT;
    const series = handle.getSeries();
    const n = Math.min(series?.length ?? 0, this.#capacity);
    const data = this.#data;
    const cap = this.#capacity;
    const at = slot * this.#words;
    Atomics.add(ctl, seq, 1);
    if (series !== undefined && n > 0) {
      const first = series.length - n;
      data.set(series.time.subarray(first), at);
      data.set(series.open.subarray(first), at + cap);
      data.set(series.high.subarray(first), at + 2 * cap);
      data.set(series.low.subarray(first), at + 3 * cap);
      data.set(series.close.subarray(first), at + 4 * cap);
      data.set(series.volume.subarray(first), at + 5 * cap);
    }
    ctl[seq + 1] = n;
    this.#writeMetrics(slot, handle);
    Atomics.add(ctl, seq, 1);
  }

  #refreshMetrics(slot: number, handle: SymbolSessionData): void {
    const ctl = this.#ctl;
    const seq = CTL_HEADER + slot * CTL_SLOT;
    Atomics.add(ctl, seq, 1);
    this.#writeMetrics(slot, handle);
    Atomics.add(ctl, seq, 1);
  }

  #empty(slot: number): void {
    const ctl = this.#ctl;
    const seq = CTL_HEADER + slot * CTL_SLOT;
    Atomics.add(ctl, seq, 1);
    ctl[seq + 1] = 0;
    this.#data.fill(Number.NaN, slot * this.#words + 6 * this.#capacity, (slot + 1) * this.#words);
    Atomics.add(ctl, seq, 1);
  }

  #writeMetrics(slot: number, handle: SymbolSessionData): void {
    const m = handle.getSessionMetrics();
    const data = this.#data;
    const at = slot * this.#words + 6 * this.#capacity;
    if (m === undefined) {
      data.fill(Number.NaN, at, at + METRIC_FIELDS);
      return;
    }
    data[at] = m.open;
    data[at + 1] = m.high;
    data[at + 2] = m.low;
    data[at + 3] = m.close;
    data[at + 4] = m.volume;
    data[at + 5] = m.vwap;
    data[at + 6] = m.barCount;
    data[at + 7] = m.expectedBarCount;
    data[at + 8] = m.barQuality;
    data[at + 9] = m.missingBarCount;
    data[at + 10] = m.filledBarCount;
    data[at + 11] = m.unfillableBarCount;
    data[at + 12] = m.provenance.live;
    data[at + 13] = m.provenance.replay;
    data[at + 14] = m.provenance.refilled;
    data[at + 15] = m.provenance.corrected;
    data[at + 16] = m.firstBarTime;
    data[at + 17] = m.lastBarTime;
  }
}
