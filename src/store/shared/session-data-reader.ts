import type { Bar } from "../../domain/bar.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import { formatDay } from "../../domain/time.js";
import type { BarBuffer } from "../bar-buffer.js";
import type { SessionMetrics } from "../metrics.js";
import { checkBufferCount, checkCount, checkSince } from "../read-checks.js";
import {
  CTL_HEADER,
  CTL_SESSION_DAY,
  CTL_SESSION_SEQ,
  CTL_SLOT,
  CTL_SYMBOLS,
  LAYOUT_VERSION,
  NAME_BYTES,
  type SharedSessionDescriptor,
  slotWords,
} from "./shared-layout.js";
import { SharedSymbolReader } from "./shared-symbol-reader.js";

const decoder = new TextDecoder();

function checkDescriptor(d: SharedSessionDescriptor): void {
  if (
    d === null ||
    typeof d !== "object" ||
    d.kind !== "sessiondata.shared" ||
    !(d.ctl instanceof SharedArrayBuffer) ||
    !(d.data instanceof SharedArrayBuffer) ||
    !(d.names instanceof SharedArrayBuffer)
  ) {
    throw new InvalidArgumentError(
      "SessionDataReader.attach expects the descriptor sd.share() returned",
    );
  }
  if (d.version !== LAYOUT_VERSION) {
    throw new InvalidArgumentError(
      `SessionDataReader.attach: descriptor layout version ${d.version}, this reader reads ${LAYOUT_VERSION}`,
    );
  }
}

/**
 * The read side of `sd.share()`, in any thread: the 1-minute reads of `SessionData` (latest,
 * last N, since, count, multi, metrics) over the owner's shared memory, never a torn bar (a
 * sequence lock per symbol; a read that overlaps a write retries). Reads see the owner's
 * current session as of the owner's last write. Derived timeframes (5m…1h) and prior sessions
 * stay with the owner.
 *
 * @example
 * ```ts
 * // owner thread
 * const worker = new Worker(new URL("./strategy.js", import.meta.url), { workerData: sd.share() });
 * // strategy.js
 * const reader = SessionDataReader.attach(workerData);
 * reader.getLatestBar("AAPL");
 * const aapl = reader.getSymbol("AAPL"); // a handle for hot loops: aapl.getLatestBar()
 * ```
 */
export class SessionDataReader {
  #ctl: Int32Array;
  #names: Uint8Array;
  #data: Float64Array;
  #cap: number;
  #words: number;
  /** Per symbol its slot's handle; slots in the order the owner shared them. */
  #handles = new Map<string, SharedSymbolReader>();
  #slots = new Map<string, number>();
  #known = 0;

  #d: SharedSessionDescriptor;

  private constructor(d: SharedSessionDescriptor) {
    this.#d = d;
    this.#ctl = new Int32Array(0);
    this.#names = new Uint8Array(0);
    this.#data = new Float64Array(0);
    this.#views();
    this.#cap = d.capacity;
    this.#words = slotWords(d.capacity);
  }

  /** Attaches to the memory a `SessionData.share()` descriptor names. */
  static attach(descriptor: SharedSessionDescriptor): SessionDataReader {
    checkDescriptor(descriptor);
    return new SessionDataReader(descriptor);
  }

  /** The owner's current session date, or `undefined` before one. */
  get currentSession(): string | undefined {
    const ctl = this.#ctl;
    for (;;) {
      const s1 = Atomics.load(ctl, CTL_SESSION_SEQ);
      const day = Atomics.load(ctl, CTL_SESSION_DAY);
      if ((s1 & 1) === 0 && Atomics.load(ctl, CTL_SESSION_SEQ) === s1) {
        return day < 0 ? undefined : formatDay(day);
      }
    }
  }

  /** Every symbol the owner has shared so far, in the order they first appeared. */
  symbols(): string[] {
    this.#sync();
    return [...this.#handles.keys()];
  }

  /**
   * The hot-loop handle of `symbol` (as the owner's `sd.getSymbol`), or `undefined` for a
   * symbol the owner has not shared yet. The same object on every call.
   */
  getSymbol(symbol: string): SharedSymbolReader | undefined {
    const handle = this.#handles.get(symbol);
    if (handle !== undefined) return handle;
    this.#sync();
    return this.#handles.get(symbol);
  }

  /**
   * Fixed-length views over the buffers as long as they are now (V8 reads a length-tracking view
   * of a growable buffer ~5x slower). The writer grows the buffers before it publishes a symbol
   * in them, so views made after reading the symbol count cover every slot it counts.
   */
  #views(): void {
    const d = this.#d;
    this.#ctl = new Int32Array(d.ctl, 0, d.ctl.byteLength / 4);
    this.#names = new Uint8Array(d.names, 0, d.names.byteLength);
    this.#data = new Float64Array(d.data, 0, d.data.byteLength / 8);
  }

  #sync(): void {
    const count = Atomics.load(this.#ctl, CTL_SYMBOLS);
    if (count === this.#known) return;
    this.#views();
    for (let slot = this.#known; slot < count; slot++) {
      const at = slot * NAME_BYTES;
      const len = this.#names[at]!;
      // A copy: TextDecoder refuses views of shared memory.
      const name = decoder.decode(this.#names.slice(at + 1, at + 1 + len));
      this.#slots.set(name, slot);
      this.#handles.set(
        name,
        new SharedSymbolReader(name, slot, this.#ctl, this.#data, this.#cap, this.#words),
      );
    }
    this.#known = count;
  }

  #slot(symbol: string): number | undefined {
    const slot = this.#slots.get(symbol);
    if (slot !== undefined) return slot;
    this.#sync();
    return this.#slots.get(symbol);
  }

  /**
   * The latest 1-minute bar of `symbol`, or `undefined`. The same object again while the symbol
   * is unchanged (as the owner's store does), so a polling loop allocates only when a bar came.
   */
  getLatestBar(symbol: string): Bar | undefined {
    return this.getSymbol(symbol)?.getLatestBar();
  }

  /** The number of 1-minute bars of `symbol` in the session. */
  getBarCount(symbol: string): number {
    return this.getSymbol(symbol)?.getBarCount() ?? 0;
  }

  /**
   * Copies the last `n` bars of `symbol` into `into` (oldest first) and returns how many:
   * allocation-free, consistent (retried while the owner writes that symbol).
   */
  readLastN(symbol: string, n: number, into: BarBuffer): number {
    const handle = this.getSymbol(symbol);
    if (handle !== undefined) return handle.readLastN(n, into);
    checkBufferCount(n, into);
    into.length = 0;
    return 0;
  }

  /** The last `n` bars of `symbol`, oldest first, as new objects. */
  getLastNBars(symbol: string, n: number): Bar[] {
    const count = checkCount(n);
    return this.getSymbol(symbol)?.range((len) => Math.max(0, len - count)) ?? [];
  }

  /** Bars of `symbol` with `time >= t`, oldest first. */
  getBarsSince(symbol: string, t: number): Bar[] {
    checkSince(t);
    return (
      this.getSymbol(symbol)?.range((len, base, data) => {
        let lo = 0;
        let hi = len;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (data[base + mid]! < t) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      }) ?? []
    );
  }

  /** The latest bar of each symbol; symbols without bars are absent. */
  getLatestBarsMulti(symbols: readonly string[]): Map<string, Bar> {
    const out = new Map<string, Bar>();
    for (const s of symbols) {
      const bar = this.getLatestBar(s);
      if (bar !== undefined) out.set(s, bar);
    }
    return out;
  }

  /**
   * `symbol`'s session metrics as of the owner's last write to it (`expectedBarCount` and the
   * repair counters as they stood then), or `undefined` for a symbol it has not shared.
   */
  getSessionMetrics(symbol: string): SessionMetrics | undefined {
    const slot = this.#slot(symbol);
    if (slot === undefined) return undefined;
    const date = this.currentSession;
    if (date === undefined) return undefined;
    const ctl = this.#ctl;
    const seq = CTL_HEADER + slot * CTL_SLOT;
    const d = this.#data;
    const at = slot * this.#words + 6 * this.#cap;
    for (;;) {
      const s1 = Atomics.load(ctl, seq);
      if ((s1 & 1) !== 0) continue;
      const m: SessionMetrics = {
        symbol,
        sessionDate: date,
        open: d[at]!,
        high: d[at + 1]!,
        low: d[at + 2]!,
        close: d[at + 3]!,
        volume: d[at + 4]!,
        vwap: d[at + 5]!,
        barCount: d[at + 6]!,
        expectedBarCount: d[at + 7]!,
        barQuality: d[at + 8]!,
        missingBarCount: d[at + 9]!,
        filledBarCount: d[at + 10]!,
        unfillableBarCount: d[at + 11]!,
        provenance: {
          live: d[at + 12]!,
          replay: d[at + 13]!,
          refilled: d[at + 14]!,
          corrected: d[at + 15]!,
        },
        firstBarTime: d[at + 16]!,
        lastBarTime: d[at + 17]!,
      };
      if (Atomics.load(ctl, seq) === s1) return Number.isNaN(m.barCount) ? undefined : m;
    }
  }
}
