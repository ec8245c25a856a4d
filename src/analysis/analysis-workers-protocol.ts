/**
 * What the owner thread and an analysis worker share (internal to `AnalysisEngine({ workers })`):
 *
 * - a **bar log** per worker, a ring of fixed records in a `SharedArrayBuffer` the owner's bar
 *   hook appends to (one record a bar, no message, no object) and the worker consumes in order;
 * - **control words** (Int32): how far the owner published (`WRITE`), how far the worker read
 *   (`READ`, for back-pressure) and how far its results are written (`DONE`, only when the owner
 *   asks: `REQUEST`; writing results after every bar would double the work), and its status;
 * - **control messages** for what is rare and variable-sized (a symbol's first appearance with
 *   its bars so far, a resync, a corporate action, a clear), on a `MessagePort` the worker reads
 *   synchronously (`receiveMessageOnPort`) when it meets a `CONTROL` record, so they keep their
 *   place in the log;
 * - **results**: per symbol, in one growable `SharedArrayBuffer`, time, price, trend and each
 *   indicator's value, written by the worker before it publishes `DONE`.
 */

import type { MessagePort } from "node:worker_threads";

/** Control words of a worker (Int32 indices). */
export const WRITE = 0;
export const READ = 1;
export const DONE = 2;
export const STATUS = 3;
/** Bumped by the owner each time it asks for results (`DONE` follows once they are written). */
export const REQUEST = 4;
/** What a sleeping worker waits on: bumped by the owner after a publish or a request. */
export const SIGNAL = 5;
/** 1 while the worker is about to sleep or sleeps (the owner signals only then). */
export const SLEEPING = 6;
export const CTL_WORDS = 8;

/** `STATUS` values. */
export const RUNNING = 0;
export const FAILED = 1;

/** Records in a worker's ring (a power of two) and Float64 words per record. */
export const RING = 1 << 15;
export const REC = 10;

/** Record kinds (word 0). */
export const KIND_BAR = 0;
export const KIND_CONTROL = 1;
export const KIND_SESSION = 2;

// A bar record: [kind, slot, time, open, high, low, close, volume, arrival + 4 × regular, day].

/** Result words before the indicators: time, price, trend code. */
export const RESULT_HEAD = 3;
/** Trend codes. */
export const TRENDS = ["neutral", "bullish", "bearish"] as const;

/** Per indicator value flags, the first word of its block. */
export const VALUE_NULL = 0;
export const VALUE_NUMBER = 1;
export const VALUE_OBJECT = 2;

/** Words of one symbol's result for indicators whose object values have `keys` (`[]`: a number). */
export function resultWords(keys: readonly (readonly string[])[]): number {
  let words = RESULT_HEAD;
  for (const k of keys) words += 1 + Math.max(1, k.length);
  return words;
}

/** What a worker is started with (`workerData`). */
export interface AnalysisWorkerData {
  readonly index: number;
  readonly specs: readonly string[];
  readonly keys: readonly (readonly string[])[];
  readonly warmupBars: number;
  readonly extendedHours: boolean;
  readonly calendar: string;
  readonly historySessions: number;
  readonly ctl: SharedArrayBuffer;
  readonly ring: SharedArrayBuffer;
  readonly results: SharedArrayBuffer;
  readonly control: MessagePort;
  readonly errors: MessagePort;
}

/** The control messages, in log order. */
export type ControlMessage =
  | {
      readonly type: "create";
      readonly slot: number;
      readonly symbol: string;
      /** The session's bars so far, 6 numbers a bar. */
      readonly session: Float64Array;
      /** Every bar of the prior sessions the owner keeps, 6 numbers a bar. */
      readonly history: Float64Array;
      readonly historyDates: string[];
      readonly actions: { readonly date: string; readonly rescale: number }[];
    }
  | { readonly type: "resync"; readonly slot: number; readonly session: Float64Array }
  | {
      readonly type: "action";
      readonly slot: number;
      readonly date: string;
      readonly rescale: number;
    }
  | { readonly type: "clear" };
