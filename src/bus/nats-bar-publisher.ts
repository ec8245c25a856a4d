import { type JetStreamClient, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { InvalidArgumentError } from "../domain/errors.js";
import type { Provenance } from "../domain/provenance.js";
import type { BarArrival, SessionDataEvent } from "../store/events.js";
import type { SessionData } from "../store/session-data.js";
import type { SymbolSessionData } from "../store/symbol-session-data.js";
import { BarBatchEncoder } from "./bar-batch-message.js";
import { encodeBarMessage, encodeBarrierMessage, symbolBytes } from "./bar-message.js";
import {
  type BusNames,
  barSubject,
  busNames,
  connectBus,
  DEFAULT_MAX_AGE_MS,
  ensureStream,
} from "./bus-config.js";
import { BusLossError } from "./bus-errors.js";
import { encodeClearMessage, encodeRepairMessage } from "./control-message.js";
import { Listeners } from "./listeners.js";
import type {
  NatsBarPublisherEvents,
  NatsBarPublisherOptions,
} from "./nats-bar-publisher-options.js";
import { type Outgoing, PublishWindow } from "./publish-window.js";
import { SettledWatermark } from "./settled-watermark.js";

/**
 * Publishes every bar written to a {@link SessionData} to JetStream: `<prefix>.1m.<SYMBOL>` per
 * bar and a barrier on `<prefix>.slice` once a minute is complete (see `bar-message.ts` for the
 * wire format). Publishing never blocks the writer: bars are queued and sent asynchronously with
 * at most `maxInFlight` unacknowledged; a failed publish is retried with the same message id
 * (JetStream's duplicate window drops a second copy). While the server is away the queue grows
 * up to `maxBuffered`; past it bars are lost, counted and reported as an `error` event (a
 * warning when nobody listens), never silently.
 *
 * @example
 * ```ts
 * const publisher = new NatsBarPublisher({ servers: "nats://127.0.0.1:4222", sessionData: sd });
 * await publisher.start();
 * sd.addBar("AAPL", bar);          // published
 * await publisher.flush();         // JetStream has every bar so far
 * await publisher.stop();
 * ```
 */
export class NatsBarPublisher {
  readonly #sd: SessionData;
  readonly #names: BusNames;
  readonly #maxAgeMs: number;
  readonly #maxBuffered: number;
  readonly #ackTimeoutMs: number;
  readonly #autoBarrier: boolean;
  readonly #epoch: number;
  /** The open minute's bars, with `packing: "slice"`. */
  readonly #batch: BarBatchEncoder | undefined;
  readonly #listeners = new Listeners<NatsBarPublisherEvents>();
  #nc: NatsConnection | undefined;
  #js: JetStreamClient | undefined;
  #unsubscribe: (() => void) | undefined;
  #connected = false;
  readonly #window: PublishWindow;
  #seq = 0;
  #acked = 0;
  #duplicates = 0;
  #lost = 0;
  #lostAtFlush = 0;
  /** Every message up to this sequence is settled (acked or lost). */
  readonly #watermark = new SettledWatermark();
  #losing = false;
  #waiters: {
    upTo: number;
    lostBefore: number;
    resolve: () => void;
    reject: (e: Error) => void;
  }[] = [];
  readonly #symbols = new Map<string, { subject: string; bytes: Uint8Array }>();
  /** Repair counters last sent per symbol (this session): only changes travel. */
  readonly #repairs = new Map<string, { filled: number; unfillable: number }>();
  #openMinute = Number.NaN;
  #openCount = 0;
  #closedMinute = Number.NaN;
  #lastClock = Number.NaN;

  constructor(options: NatsBarPublisherOptions) {
    this.#sd = options.sessionData;
    this.#names = busNames(options);
    this.#maxAgeMs = positive("maxAgeMs", options.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
    const maxInFlight = positive("maxInFlight", options.maxInFlight ?? 512);
    this.#maxBuffered = positive("maxBuffered", options.maxBuffered ?? 100_000);
    this.#ackTimeoutMs = positive("ackTimeoutMs", options.ackTimeoutMs ?? 5_000);
    this.#autoBarrier = options.autoBarrier ?? true;
    this.#epoch = options.epoch ?? Date.now();
    this.#window = new PublishWindow(this.#epoch, maxInFlight, this.#ackTimeoutMs, {
      acked: (item, duplicate) => {
        this.#acked++;
        if (duplicate) this.#duplicates++;
        this.#done(item);
        this.#pump();
      },
      requeued: () => this.#pump(),
    });
    const packing = options.packing ?? "bar";
    if (packing !== "bar" && packing !== "slice") {
      throw new InvalidArgumentError(
        `packing must be "bar" or "slice", got ${JSON.stringify(packing)}`,
      );
    }
    this.#batch = packing === "slice" ? new BarBatchEncoder() : undefined;
  }

  /** Bars and barriers queued since construction. */
  get published(): number {
    return this.#seq;
  }
  /** Messages JetStream acknowledged (duplicates of a retry included). */
  get acked(): number {
    return this.#acked;
  }
  /** Messages lost (never stored): the count behind every `error` event. */
  get lost(): number {
    return this.#lost;
  }
  /** Retried publishes JetStream had already stored (it dropped the second copy). */
  get duplicates(): number {
    return this.#duplicates;
  }
  /** Publishes retried after a failure or a timeout. */
  get retried(): number {
    return this.#window.retried;
  }
  /** Messages held now: waiting, in flight or to retry. */
  get buffered(): number {
    return this.#window.size;
  }
  /** Whether the connection is up. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof NatsBarPublisherEvents>(
    event: E,
    listener: NatsBarPublisherEvents[E],
  ): () => void {
    return this.#listeners.on(event, listener);
  }

  /**
   * Connects (a {@link NatsUnavailableError} naming the URL when no server answers), creates or
   * updates the stream, then publishes every bar the store takes from now on.
   */
  async start(): Promise<void> {
    if (this.#nc !== undefined) return;
    const nc = await connectBus(this.#names.servers, "sessiondata-publisher");
    try {
      await ensureStream(await jetstreamManager(nc), this.#names, this.#maxAgeMs);
    } catch (error) {
      await nc.close();
      throw error;
    }
    this.#nc = nc;
    this.#js = jetstream(nc, { timeout: this.#ackTimeoutMs });
    this.#connected = true;
    void this.#watch(nc);
    this.#unsubscribe = this.#sd.subscribeBars({
      onBar: (sym, t, o, h, l, c, v, arrival, _regular, _date, provenance) =>
        this.#onBar(sym, t, o, h, l, c, v, arrival, provenance),
      onEvent: (event: SessionDataEvent) => this.#onEvent(event),
    });
  }

  /**
   * Declares minute `minute` (default: the latest minute with a bar) complete: queues its
   * barrier with the bars of it published and the store's clock now. A replay calls it from
   * each `slice` event; a later minute's bar does the same by itself (`autoBarrier`).
   */
  endMinute(minute: number = this.#openMinute): void {
    if (Number.isNaN(minute) || minute === this.#closedMinute) return;
    const count = minute === this.#openMinute ? this.#openCount : 0;
    this.#barrier(minute, count, this.#sd.clock);
  }

  /**
   * Resolves when JetStream has acknowledged every message queued so far; rejects with a
   * {@link BusLossError} if any message was lost since the previous `flush()` (each loss
   * fails exactly one flush, so a caller who flushes hears of every one).
   */
  flush(): Promise<void> {
    this.#sendBatch();
    const upTo = this.#seq;
    const lostBefore = this.#lostAtFlush;
    this.#lostAtFlush = this.#lost;
    return new Promise((resolve, reject) => {
      this.#waiters.push({ upTo, lostBefore, resolve, reject });
      this.#settle();
    });
  }

  /**
   * Stops publishing new bars, waits up to `timeoutMs` (default: the ack timeout, twice) for
   * the ones held, reports what is still unsent as lost, and closes the connection.
   */
  async stop(timeoutMs = this.#ackTimeoutMs * 2): Promise<void> {
    this.#sendBatch();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    const nc = this.#nc;
    if (nc === undefined) return;
    if (this.buffered > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.flush().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    const unsent = this.buffered;
    this.#window.clear();
    if (unsent > 0) this.#loseMany(unsent, "(held at stop)", "stop() before JetStream acked them");
    this.#watermark.reset(this.#seq);
    this.#nc = undefined;
    this.#js = undefined;
    this.#connected = false;
    await nc.close().catch(() => undefined);
    this.#settle();
  }

  #onBar(
    sym: SymbolSessionData,
    t: number,
    o: number,
    h: number,
    l: number,
    c: number,
    v: number,
    _arrival: BarArrival,
    provenance: Provenance,
  ): void {
    if (t > this.#openMinute || Number.isNaN(this.#openMinute)) {
      if (this.#autoBarrier && !Number.isNaN(this.#openMinute)) {
        this.#barrier(this.#openMinute, this.#openCount, this.#lastClock);
      }
      this.#openMinute = t;
      this.#openCount = 0;
    }
    if (t === this.#openMinute && t !== this.#closedMinute) this.#openCount++;
    const cached = this.#symbol(sym.symbol);
    const batch = this.#batch;
    if (batch !== undefined && t === this.#openMinute && t !== this.#closedMinute) {
      if (!batch.add(cached.bytes, t, o, h, l, c, v, provenance, this.#seq + 1)) {
        this.#sendBatch();
        batch.add(cached.bytes, t, o, h, l, c, v, provenance, this.#seq + 1);
      }
      this.#seq++;
    } else {
      // A batch carries consecutive sequences: close it before a bar outside it takes one.
      this.#sendBatch();
      const seq = ++this.#seq;
      const data = encodeBarMessage(cached.bytes, t, o, h, l, c, v, provenance, this.#epoch, seq);
      this.#enqueue({ subject: cached.subject, data, first: seq, seq });
    }
    this.#lastClock = this.#sd.clock;
  }

  /**
   * The store's other changes a replica must repeat: `clear()` and upkeep's repair counters
   * (sent when they change; a session roll resets them on both sides).
   */
  #onEvent(event: SessionDataEvent): void {
    if (event.type === "clear") {
      // Bars batched before the clear go first; the clear then reopens every minute.
      this.#sendBatch();
      this.#openMinute = this.#closedMinute = this.#lastClock = Number.NaN;
      this.#openCount = 0;
      this.#repairs.clear();
      const seq = ++this.#seq;
      const data = encodeClearMessage(this.#epoch, seq);
      this.#enqueue({ subject: this.#names.sliceSubject, data, first: seq, seq });
    } else if (event.type === "sessionStart") {
      this.#repairs.clear();
    } else if (event.type === "repairCounts") {
      const { symbol, filled, unfillable } = event;
      const last = this.#repairs.get(symbol);
      if (last !== undefined && last.filled === filled && last.unfillable === unfillable) return;
      this.#repairs.set(symbol, { filled, unfillable });
      // In sequence with the bars: close the open batch before the message takes a sequence.
      this.#sendBatch();
      const seq = ++this.#seq;
      const data = encodeRepairMessage(
        this.#symbol(symbol).bytes,
        filled,
        unfillable,
        this.#epoch,
        seq,
      );
      this.#enqueue({ subject: this.#names.sliceSubject, data, first: seq, seq });
    }
  }

  #symbol(name: string): { subject: string; bytes: Uint8Array } {
    let cached = this.#symbols.get(name);
    if (cached === undefined) {
      cached = { subject: barSubject(this.#names.prefix, name), bytes: symbolBytes(name) };
      this.#symbols.set(name, cached);
    }
    return cached;
  }

  /**
   * Queues the batch of the open minute's bars. Its bars' sequences are the ones they took in
   * `#onBar`; the message's own sequence (for acks and flush) is the last of them.
   */
  #sendBatch(): void {
    const batch = this.#batch;
    if (batch === undefined || batch.count === 0) return;
    const data = batch.finish(this.#epoch);
    const first = this.#seq - batch.lastCount + 1;
    this.#enqueue({ subject: this.#names.sliceSubject, data, first, seq: this.#seq });
  }

  #barrier(minute: number, count: number, clock: number): void {
    if (minute === this.#closedMinute) return;
    this.#sendBatch();
    this.#closedMinute = minute;
    const seq = ++this.#seq;
    const data = encodeBarrierMessage(minute, count, clock, this.#epoch, seq);
    this.#enqueue({ subject: this.#names.sliceSubject, data, first: seq, seq });
    this.#listeners.emit("barrier", minute, count);
  }

  #enqueue(item: Outgoing): void {
    if (this.buffered >= this.#maxBuffered) {
      this.#lose(item, `buffer of ${this.#maxBuffered} messages is full`);
      this.#done(item);
      return;
    }
    if (this.#losing && this.buffered < this.#maxBuffered / 2) this.#losing = false;
    this.#window.push(item);
    this.#pump();
  }

  #pump(): void {
    const js = this.#js;
    if (js === undefined || !this.#connected) return;
    this.#window.pump(js);
  }

  #lose(item: Outgoing, reason: string): void {
    this.#lost += item.seq - item.first + 1;
    if (!this.#losing) {
      // One report per stretch of losses (the counter has the total); a flood would hide it.
      this.#losing = true;
      this.#report(new BusLossError(this.#lost, item.subject, reason));
    }
  }

  #loseMany(count: number, subject: string, reason: string): void {
    this.#lost += count;
    this.#report(new BusLossError(count, subject, reason));
  }

  #report(error: Error): void {
    this.#listeners.report("error", error, "NatsBarPublisherWarning");
  }

  /** `item` is settled (acked or lost): raise the watermark flush() waits on. */
  #done(item: Outgoing): void {
    this.#watermark.settle(item.first, item.seq);
    this.#settle();
  }

  #settle(): void {
    if (this.#waiters.length === 0) return;
    const closed = this.#nc === undefined;
    const watermark = this.#watermark.value;
    if (!closed && this.#waiters[0]!.upTo > watermark) return;
    this.#waiters = this.#waiters.filter((w) => {
      if (w.upTo > watermark && !closed) return true;
      if (this.#lost > w.lostBefore) {
        w.reject(
          new BusLossError(
            this.#lost - w.lostBefore,
            this.#names.barSubjects,
            "lost before flush() could confirm them",
          ),
        );
      } else w.resolve();
      return false;
    });
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") this.#connected = false;
      else if (status.type === "reconnect") {
        this.#connected = true;
        this.#pump();
      }
    }
  }
}

function positive(name: string, value: number): number {
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}
