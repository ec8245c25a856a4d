import { MessageChannel } from "node:worker_threads";
import { findCalendar } from "../calendar/calendar-names.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { parseDay } from "../domain/time.js";
import type { BarArrival, SessionData, SymbolSessionData } from "../store/public.js";
import { type LaneFailure, WorkerLane } from "./analysis-worker-lane.js";
import {
  packBars,
  packSession,
  startWorker,
  valueKeys,
  warmupHistory,
} from "./analysis-workers-data.js";
import {
  type AnalysisWorkerData,
  type ControlMessage,
  CTL_WORDS,
  KIND_BAR,
  KIND_SESSION,
  REC,
  RESULT_HEAD,
  RING,
  resultWords,
  TRENDS,
  VALUE_NUMBER,
  VALUE_OBJECT,
} from "./analysis-workers-protocol.js";
import type { IndicatorFactory, IndicatorValue } from "./indicator.js";
import type { AnalysisResult } from "./symbol-analysis.js";

export { AnalysisWorkerError } from "./analysis-worker-lane.js";

/** How long `analyze` waits for a worker that makes no progress before it gives up. */
const MAX_SYMBOLS = 1 << 16;
const ARRIVAL_CODE: Record<BarArrival, number> = { append: 0, insert: 1, replace: 2 };

interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(byteLength: number): void;
}
const GrowableSab = SharedArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => GrowableSharedArrayBuffer;

/** A symbol the workers analyse: its slot, its worker, the store revision last sent there. */
interface Entry {
  readonly slot: number;
  readonly worker: number;
  revision: number;
}

/** Options of {@link AnalysisWorkers} (the engine's, resolved). */
export interface AnalysisWorkersOptions {
  readonly sessionData: SessionData;
  readonly specs: readonly string[];
  readonly factories: readonly IndicatorFactory[];
  readonly names: readonly string[];
  readonly warmupBars: number;
  readonly extendedHours: boolean;
  readonly workers: number;
}

/**
 * The multi-threaded side of `AnalysisEngine({ workers: N })`: symbols are given to N worker
 * threads in turn as they first appear; the store's bar hook appends each bar to its symbol's
 * worker's log in shared memory (no message, no object); each worker runs the engine's own
 * per-symbol code over its symbols, so values are the single-threaded engine's bit for bit.
 * `analyze` stays synchronous: it publishes the log and waits (`Atomics.wait`) until that worker
 * has taken in every bar so far, then reads the result from shared memory.
 */
export class AnalysisWorkers {
  readonly #sd: SessionData;
  readonly #names: readonly string[];
  readonly #warmupBars: number;
  readonly #extendedHours: boolean;
  readonly #keys: string[][];
  readonly #words: number;
  readonly #lanes: WorkerLane[] = [];
  readonly #entries = new Map<string, Entry>();
  /** Entries by their store handle's `key`, as the single-threaded engine finds its states per bar. */
  #byKey: (Entry | undefined)[] = [];
  #slots = 0;
  readonly #results: GrowableSharedArrayBuffer;
  #resultView: Float64Array;
  #unsubscribe: (() => void) | undefined;
  readonly #failure: LaneFailure = { message: undefined };

  constructor(options: AnalysisWorkersOptions) {
    const { sessionData: sd, workers } = options;
    if (!Number.isSafeInteger(workers) || workers < 1) {
      throw new InvalidArgumentError(`workers must be a whole number >= 1, got ${workers}`);
    }
    const calendar = sd.calendar;
    if (findCalendar(calendar.name) !== calendar) {
      throw new InvalidArgumentError(
        `AnalysisEngine workers need a built-in calendar (a worker makes its own by name); ${JSON.stringify(calendar.name)} is not one`,
      );
    }
    this.#sd = sd;
    this.#names = options.names;
    this.#warmupBars = options.warmupBars;
    this.#extendedHours = options.extendedHours;
    this.#keys = options.factories.map(valueKeys);
    this.#words = resultWords(this.#keys);
    this.#results = new GrowableSab(64 * this.#words * 8, {
      maxByteLength: MAX_SYMBOLS * this.#words * 8,
    });
    this.#resultView = new Float64Array(this.#results);
    for (let index = 0; index < workers; index++) this.#lanes.push(this.#start(index, options));
    if (sd.currentSession !== undefined) this.#session(sd.currentSession);
    this.#unsubscribe = sd.subscribeBars({
      onBar: (handle, time, open, high, low, close, volume, arrival, regular) =>
        this.#onBar(handle, time, open, high, low, close, volume, arrival, regular),
      onEvent: (event) => {
        if (event.type === "sessionStart") {
          // Heard after the session's first bar is stored, before that bar's hook call: the
          // workers roll their copies here and take the bar next. (The roll changed every
          // handle's revision; `analyze` of a symbol without a bar since resyncs it, cheaply.)
          this.#session(event.sessionDate);
        } else if (event.type === "clear") {
          for (const lane of this.#lanes) lane.post({ type: "clear" });
          this.#entries.clear();
          this.#byKey = [];
          this.#slots = 0;
        } else if (event.type === "corporateAction") {
          const e = this.#entries.get(event.symbol);
          if (e !== undefined) {
            const m = { type: "action", slot: e.slot, date: event.date, rescale: event.rescale };
            this.#lanes[e.worker]!.post(m as ControlMessage);
          }
        }
      },
    });
  }

  #start(index: number, options: AnalysisWorkersOptions): WorkerLane {
    const ctlSab = new SharedArrayBuffer(CTL_WORDS * 4);
    const ringSab = new SharedArrayBuffer(RING * REC * 8);
    const control = new MessageChannel();
    const errors = new MessageChannel();
    const data: AnalysisWorkerData = {
      index,
      specs: options.specs,
      keys: this.#keys,
      warmupBars: options.warmupBars,
      extendedHours: options.extendedHours,
      calendar: this.#sd.calendar.name,
      historySessions: this.#sd.historySessions,
      ctl: ctlSab,
      ring: ringSab,
      results: this.#results,
      control: control.port2,
      errors: errors.port2,
    };
    const transferList = [control.port2, errors.port2];
    const thread = startWorker(data, transferList);
    thread.unref();
    thread.on("error", (error) => {
      this.#failure.message ??= `analysis worker ${index} failed: ${error.message}`;
    });
    return new WorkerLane(thread, ctlSab, ringSab, control.port1, errors.port1, this.#failure);
  }

  /** The result of `symbol` as of every bar in the store, or `undefined` for an unknown one. */
  analyze(symbol: string): AnalysisResult | undefined {
    if (this.#unsubscribe === undefined) return undefined;
    const e = this.#prepare(symbol);
    if (e === undefined) return undefined;
    this.#lanes[e.worker]!.settle();
    return this.#read(e.slot, symbol);
  }

  /** `symbol`'s entry with everything the store holds of it sent (made on first use). */
  #prepare(symbol: string): Entry | undefined {
    const handle = this.#sd.getSymbol(symbol);
    let e = this.#entries.get(symbol);
    if (e === undefined) {
      if (handle === undefined) return undefined;
      e = this.#create(symbol, handle);
    } else if (handle !== undefined && handle.revision !== e.revision) {
      // A write the bar hook has not passed on yet (a listener that runs before the engine's).
      const date = this.#sd.currentSession;
      if (date !== undefined) this.#session(date);
      e.revision = handle.revision;
      this.#lanes[e.worker]!.post({
        type: "resync",
        slot: e.slot,
        session: packSession(this.#sd, symbol),
      });
    }
    return e;
  }

  /**
   * The results of `symbols`, in their order: every worker works on its share at once (an
   * `analyze` per symbol would wait for each in turn when their sets are new).
   */
  analyzeMany(symbols: readonly string[]): (AnalysisResult | undefined)[] {
    if (this.#unsubscribe === undefined) return symbols.map(() => undefined);
    const entries = symbols.map((symbol) => this.#prepare(symbol));
    const lanes = new Set<number>();
    for (const e of entries) if (e !== undefined) lanes.add(e.worker);
    for (const w of lanes) this.#lanes[w]!.ask();
    for (const w of lanes) this.#lanes[w]!.settle();
    return entries.map((e, i) => (e === undefined ? undefined : this.#read(e.slot, symbols[i]!)));
  }

  /** Symbols with an indicator set, sorted. */
  symbols(): string[] {
    return [...this.#entries.keys()].sort();
  }

  /** Stops following the store and ends the worker threads. Idempotent. */
  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const lane of this.#lanes) {
      void lane.thread.terminate();
      lane.control.close();
      lane.errors.close();
    }
    this.#entries.clear();
    this.#byKey = [];
  }

  #onBar(
    handle: SymbolSessionData,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    arrival: BarArrival,
    regular: boolean,
  ): void {
    let e = this.#byKey[handle.key];
    if (e === undefined) {
      e = this.#entries.get(handle.symbol);
      if (e === undefined) {
        // Made from the store, which already holds this bar (as the single-threaded engine does).
        this.#byKey[handle.key] = this.#create(handle.symbol, handle);
        return;
      }
      this.#byKey[handle.key] = e;
    }
    const revision = handle.revision;
    if (revision === e.revision) return; // `analyze` sent this write already
    e.revision = revision;
    const lane = this.#lanes[e.worker]!;
    const at = lane.claim();
    const ring = lane.ring;
    ring[at] = KIND_BAR;
    ring[at + 1] = e.slot;
    ring[at + 2] = time;
    ring[at + 3] = open;
    ring[at + 4] = high;
    ring[at + 5] = low;
    ring[at + 6] = close;
    ring[at + 7] = volume;
    ring[at + 8] = ARRIVAL_CODE[arrival] + (regular ? 4 : 0);
    lane.commit();
  }

  #create(symbol: string, handle: SymbolSessionData): Entry {
    const slot = this.#slots++;
    if (slot >= MAX_SYMBOLS) {
      throw new InvalidArgumentError(`AnalysisEngine workers: more than ${MAX_SYMBOLS} symbols`);
    }
    const need = (slot + 1) * this.#words * 8;
    if (need > this.#results.byteLength) {
      this.#results.grow(Math.min(MAX_SYMBOLS * this.#words * 8, need * 2));
      this.#resultView = new Float64Array(this.#results);
    }
    const e: Entry = { slot, worker: slot % this.#lanes.length, revision: handle.revision };
    this.#entries.set(symbol, e);
    const sd = this.#sd;
    this.#lanes[e.worker]!.post({
      type: "create",
      slot,
      symbol,
      session: packSession(sd, symbol),
      history: packBars(warmupHistory(sd, symbol, this.#warmupBars, this.#extendedHours)),
      historyDates: sd.historySessionDates(),
      actions: sd.getCorporateActions(symbol).map((a) => ({ date: a.date, rescale: a.rescale })),
    });
    return e;
  }

  #session(date: string): void {
    for (const lane of this.#lanes) {
      const at = lane.claim();
      lane.ring[at] = KIND_SESSION;
      lane.ring[at + 9] = parseDay(date);
      lane.commit();
    }
  }

  #read(slot: number, symbol: string): AnalysisResult {
    const r = this.#resultView;
    const at = slot * this.#words;
    const indicators: Record<string, IndicatorValue | null> = {};
    let k = at + RESULT_HEAD;
    this.#names.forEach((name, i) => {
      const keys = this.#keys[i]!;
      const flag = r[k];
      if (flag === VALUE_NUMBER) indicators[name] = r[k + 1]!;
      else if (flag === VALUE_OBJECT) {
        const value: Record<string, number> = {};
        keys.forEach((key, j) => {
          value[key] = r[k + 1 + j]!;
        });
        indicators[name] = value;
      } else indicators[name] = null;
      k += 1 + Math.max(1, keys.length);
    });
    return { symbol, time: r[at]!, price: r[at + 1]!, indicators, trend: TRENDS[r[at + 2]!]! };
  }
}
