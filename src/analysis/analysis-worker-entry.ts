/**
 * The entry of an analysis worker thread (started by `AnalysisWorkers`): consumes its bar log
 * in order into a {@link WorkerBarStore} and the engine's own {@link SymbolAnalysis} per symbol,
 * and writes each touched symbol's result to shared memory before publishing how far it got.
 * It blocks in `Atomics.wait` while the log is empty; a failure is reported through the status
 * word and the error port, so an owner waiting for it throws instead of hanging.
 */
import { receiveMessageOnPort, workerData } from "node:worker_threads";
import { calendarByName } from "../calendar/calendar-names.js";
import type { Session } from "../calendar/trading-calendar.js";
import { formatDay } from "../domain/time.js";
import type { SessionData, SymbolSessionData } from "../store/public.js";
import { unpackBars, WorkerBarStore, type WorkerSymbol } from "./analysis-worker-store.js";
import {
  type AnalysisWorkerData,
  type ControlMessage,
  CTL_WORDS,
  DONE,
  FAILED,
  KIND_BAR,
  KIND_CONTROL,
  KIND_SESSION,
  READ,
  REC,
  REQUEST,
  RESULT_HEAD,
  RING,
  resultWords,
  SIGNAL,
  SLEEPING,
  STATUS,
  TRENDS,
  VALUE_NULL,
  VALUE_NUMBER,
  VALUE_OBJECT,
  WRITE,
} from "./analysis-workers-protocol.js";
import { parseIndicatorSpec } from "./spec.js";
import { type AnalysisContext, SymbolAnalysis } from "./symbol-analysis.js";

const data = workerData as AnalysisWorkerData;
const ctl = new Int32Array(data.ctl, 0, CTL_WORDS);
const ring = new Float64Array(data.ring);
const calendar = calendarByName(data.calendar);
const store = new WorkerBarStore(calendar, data.historySessions);
const words = resultWords(data.keys);
let results = new Float64Array(data.results, 0, data.results.byteLength / 8);

const sessions = new Map<string, Session | undefined>();
let lastSession: Session | undefined;
function session(date: string): Session | undefined {
  if (sessions.has(date)) return sessions.get(date);
  const s = calendar.session(date);
  sessions.set(date, s);
  return s;
}
const ctx: AnalysisContext = {
  // The worker's store answers every read SymbolAnalysis makes of a SessionData.
  sessionData: store as unknown as SessionData,
  factories: data.specs.map((spec) => parseIndicatorSpec(spec)),
  warmupBars: data.warmupBars,
  extendedHours: data.extendedHours,
  session,
  sessionAt(time) {
    const last = lastSession;
    if (last !== undefined && time >= last.preOpen && time < last.postClose) return last;
    const date = calendar.sessionDateOf(time);
    const s = date === undefined ? undefined : session(date);
    if (s !== undefined) lastSession = s;
    return s;
  },
};

const names = ctx.factories.map((make) => make().name);

/** Per slot: the symbol's state and store entry (a slot is the owner's index of the symbol). */
const states: (SymbolAnalysis | undefined)[] = [];
const entries: (WorkerSymbol | undefined)[] = [];
const dirty: number[] = [];
const isDirty: boolean[] = [];
const ARRIVALS = ["append", "insert", "replace"] as const;

function touch(slot: number): void {
  if (isDirty[slot] === true) return;
  isDirty[slot] = true;
  dirty.push(slot);
}

function control(): void {
  const got = receiveMessageOnPort(data.control);
  if (got === undefined) throw new Error("the bar log names a control message the port lacks");
  const m = got.message as ControlMessage;
  if (m.type === "clear") {
    states.length = 0;
    entries.length = 0;
    store.clear();
    sessions.clear();
    lastSession = undefined;
    return;
  }
  if (m.type === "create") {
    const sym = store.entry(m.symbol);
    sym.load(m.session);
    const grouped = new Map<string, ReturnType<typeof unpackBars>>();
    for (const bar of unpackBars(m.history)) {
      const date = calendar.sessionDateOf(bar.time) ?? "";
      let list = grouped.get(date);
      if (list === undefined) grouped.set(date, (list = []));
      list.push(bar);
    }
    sym.history = [...grouped].map(([date, bars]) => ({ date, bars }));
    sym.actions = m.actions;
    store.setHistoryDates(m.historyDates);
    entries[m.slot] = sym;
    states[m.slot] = new SymbolAnalysis(m.symbol, ctx);
    touch(m.slot);
    return;
  }
  const sym = entries[m.slot]!;
  const state = states[m.slot]!;
  if (m.type === "resync") {
    sym.load(m.session);
    state.sync();
  } else {
    sym.actions.push({ date: m.date, rescale: m.rescale });
    if (m.rescale !== 1) state.rescale(m.date, m.rescale);
  }
  touch(m.slot);
}

function bar(at: number): void {
  const slot = ring[at + 1]!;
  const sym = entries[slot]!;
  const flags = ring[at + 8]!;
  const arrival = flags & 3;
  const time = ring[at + 2]!;
  const open = ring[at + 3]!;
  const high = ring[at + 4]!;
  const low = ring[at + 5]!;
  const close = ring[at + 6]!;
  const volume = ring[at + 7]!;
  sym.apply(time, open, high, low, close, volume, arrival);
  states[slot]!.onBar(
    sym as unknown as SymbolSessionData,
    time,
    open,
    high,
    low,
    close,
    volume,
    ARRIVALS[arrival]!,
    flags >= 4,
    store.currentSession!,
  );
  touch(slot);
}

function flush(): void {
  for (const slot of dirty) {
    isDirty[slot] = false;
    const at = slot * words;
    if (at + words > results.length) {
      results = new Float64Array(data.results, 0, data.results.byteLength / 8);
    }
    const r = states[slot]?.result();
    if (r === undefined) continue;
    results[at] = r.time;
    results[at + 1] = r.price;
    results[at + 2] = TRENDS.indexOf(r.trend);
    let k = at + RESULT_HEAD;
    names.forEach((name, i) => {
      const keys = data.keys[i]!;
      const v = r.indicators[name];
      if (v === null || v === undefined) results[k] = VALUE_NULL;
      else if (typeof v === "number") {
        results[k] = VALUE_NUMBER;
        results[k + 1] = v;
      } else {
        results[k] = VALUE_OBJECT;
        keys.forEach((key, j) => {
          results[k + 1 + j] = v[key]!;
        });
      }
      k += 1 + Math.max(1, keys.length);
    });
  }
  dirty.length = 0;
}

function run(): void {
  let read = Atomics.load(ctl, READ);
  let served = 0; // REQUEST starts at 0: an ask made before this thread ran is still to serve
  for (;;) {
    const written = Atomics.load(ctl, WRITE);
    if (written !== read) {
      while (read !== written) {
        const at = (read & (RING - 1)) * REC;
        const kind = ring[at]!;
        if (kind === KIND_BAR) bar(at);
        else if (kind === KIND_CONTROL) control();
        else if (kind === KIND_SESSION) store.startSession(formatDay(ring[at + 9]!));
        read = (read + 1) | 0;
        // Room for the owner every so often, not every record (an atomic store is a call).
        if ((read & 1023) === 0) {
          Atomics.store(ctl, READ, read);
          Atomics.notify(ctl, READ);
        }
      }
      Atomics.store(ctl, READ, read);
      Atomics.notify(ctl, READ);
      continue;
    }
    // Caught up. The owner publishes before it asks, so an answer now covers what it waits for.
    const request = Atomics.load(ctl, REQUEST);
    if (request !== served) {
      served = request;
      flush();
      Atomics.store(ctl, DONE, read);
      Atomics.notify(ctl, DONE);
      continue;
    }
    // Sleep, announced first: an owner that publishes or asks after reading SLEEPING as 0 is
    // seen by the checks below (sequentially consistent atomics), one after sees 1 and signals.
    Atomics.store(ctl, SLEEPING, 1);
    const signal = Atomics.load(ctl, SIGNAL);
    if (Atomics.load(ctl, WRITE) === read && Atomics.load(ctl, REQUEST) === served) {
      Atomics.wait(ctl, SIGNAL, signal);
    }
    Atomics.store(ctl, SLEEPING, 0);
  }
}

try {
  run();
} catch (error) {
  data.errors.postMessage(error instanceof Error ? (error.stack ?? error.message) : String(error));
  Atomics.store(ctl, STATUS, FAILED);
  Atomics.notify(ctl, DONE);
}
