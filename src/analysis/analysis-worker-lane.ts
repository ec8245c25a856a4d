/**
 * The owner's side of one analysis worker's bar log: a ring of fixed records in shared memory
 * that the owner claims, fills and publishes, and the waits that let `analyze` stay synchronous
 * (`Atomics.wait` until the worker has taken in every record so far). A worker's failure, here or
 * in any lane of the same engine, is thrown as an {@link AnalysisWorkerError} instead of a hang.
 */
import { type MessagePort, receiveMessageOnPort, type Worker } from "node:worker_threads";
import { SessiondataError } from "../domain/errors.js";
import {
  type ControlMessage,
  DONE,
  FAILED,
  KIND_CONTROL,
  READ,
  REC,
  REQUEST,
  RING,
  SIGNAL,
  SLEEPING,
  STATUS,
  WRITE,
} from "./analysis-workers-protocol.js";

/** An analysis worker failed (its error quoted), or gave no answer for a minute. */
export class AnalysisWorkerError extends SessiondataError {}

/** How long `analyze` waits for a worker that makes no progress before giving up. */
const STALL_MS = 60_000;

/** The first failure any worker of one engine reported, shared by all its lanes. */
export interface LaneFailure {
  message: string | undefined;
}

/** One worker thread and the owner's side of its log. */
export class WorkerLane {
  readonly thread: Worker;
  readonly ctl: Int32Array;
  readonly ring: Float64Array;
  readonly control: MessagePort;
  readonly errors: MessagePort;
  /** Records written (published up to `WRITE`), and the worker's `READ` as last seen. */
  pos = 0;
  readSeen = 0;
  readonly #failure: LaneFailure;

  constructor(
    thread: Worker,
    ctl: SharedArrayBuffer,
    ring: SharedArrayBuffer,
    control: MessagePort,
    errors: MessagePort,
    failure: LaneFailure,
  ) {
    this.thread = thread;
    this.ctl = new Int32Array(ctl);
    this.ring = new Float64Array(ring);
    this.control = control;
    this.errors = errors;
    this.#failure = failure;
  }

  /** Posts `m` and marks its place in the log, so the worker takes it in order. */
  post(m: ControlMessage): void {
    const buffers: ArrayBuffer[] = [];
    if (m.type === "create")
      buffers.push(m.session.buffer as ArrayBuffer, m.history.buffer as ArrayBuffer);
    if (m.type === "resync") buffers.push(m.session.buffer as ArrayBuffer);
    this.control.postMessage(m, buffers);
    this.ring[this.claim()] = KIND_CONTROL;
    this.commit();
    // Rare and heavy (a new symbol's catch-up): published at once, so a busy worker goes on to
    // it while the owner prepares the next; a sleeping one is not woken for it (a wake-up per
    // symbol costs more than its catch-up on a loaded machine), `analyze` wakes it.
    this.publish();
  }

  /** The ring index of the next record, waiting while the ring is full. */
  claim(): number {
    if (((this.pos - this.readSeen) | 0) >= RING) {
      this.publish();
      this.signal();
      for (;;) {
        this.readSeen = Atomics.load(this.ctl, READ);
        if (((this.pos - this.readSeen) | 0) < RING) break;
        this.check();
        Atomics.wait(this.ctl, READ, this.readSeen, 1_000);
      }
    }
    return (this.pos & (RING - 1)) * REC;
  }

  commit(): void {
    this.pos = (this.pos + 1) | 0;
    // Published every 512 records (atomics are calls), a sleeping worker woken every 4,096 (a
    // system call, and a wait for the scheduler), and everything before `analyze` waits.
    if ((this.pos & 511) === 0) {
      this.publish();
      if ((this.pos & 4095) === 0 && Atomics.load(this.ctl, SLEEPING) === 1) this.signal();
    }
  }

  publish(): void {
    Atomics.store(this.ctl, WRITE, this.pos);
  }

  signal(): void {
    Atomics.add(this.ctl, SIGNAL, 1);
    Atomics.notify(this.ctl, SIGNAL);
  }

  check(): void {
    if (this.#failure.message === undefined && Atomics.load(this.ctl, STATUS) === FAILED) {
      const got = receiveMessageOnPort(this.errors);
      this.#failure.message = `analysis worker failed: ${String(got?.message ?? "no message")}`;
    }
    if (this.#failure.message !== undefined) throw new AnalysisWorkerError(this.#failure.message);
  }

  /** Publishes every record so far and asks for the results as of them. */
  ask(): void {
    Atomics.store(this.ctl, WRITE, this.pos);
    Atomics.add(this.ctl, REQUEST, 1);
    this.signal();
  }

  /** Waits until the worker has taken in and written out every record so far. */
  settle(): void {
    this.ask();
    const target = this.pos;
    let last = Number.NaN;
    let since = performance.now();
    for (;;) {
      this.check();
      const done = Atomics.load(this.ctl, DONE);
      if (done === target) return;
      const read = Atomics.load(this.ctl, READ);
      if (read !== last) {
        last = read;
        since = performance.now();
      } else if (performance.now() - since > STALL_MS) {
        throw new AnalysisWorkerError(
          `an analysis worker made no progress for ${STALL_MS / 1000} s (at record ${read} of ${target})`,
        );
      }
      Atomics.wait(this.ctl, DONE, done, 100);
    }
  }
}
