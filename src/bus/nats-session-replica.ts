import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { InvalidArgumentError, SessiondataError } from "../domain/errors.js";
import type { SessionData } from "../store/session-data.js";
import { decodeBatchMessage } from "./bar-batch-message.js";
import {
  type BarMessage,
  decodeBarMessage,
  decodeBarrierMessage,
  KIND_BAR,
  KIND_BARRIER,
  KIND_BATCH,
  KIND_REPAIR,
  messageKind,
  newBarMessage,
  newBarrierMessage,
} from "./bar-message.js";
import { type BusLocation, type BusNames, busNames, connectBus } from "./bus-config.js";
import {
  type ClearMessage,
  decodeClearMessage,
  decodeRepairMessage,
  type RepairMessage,
} from "./control-message.js";
import { Listeners } from "./listeners.js";

/** Options of {@link NatsSessionReplica}. */
export interface NatsSessionReplicaOptions extends BusLocation {
  /** The local store the replica feeds. Nothing else should write to it. */
  readonly sessionData: SessionData;
  /** The durable consumer's name on the server (one per replica). */
  readonly durable: string;
  /**
   * Messages asked of the server at once (default 1,024): the replica never holds more than
   * this many unapplied, however far behind it is; the rest waits in the stream.
   */
  readonly maxBuffered?: number;
}

/** What {@link NatsSessionReplica} reports. */
export interface NatsSessionReplicaEvents {
  /** Every bar of minute `minute` published before its barrier is in the local store. */
  barrier: (minute: number, count: number, streamSequence: number) => void;
  /** A message the replica could not apply (a bad message, a bar the store refused, a gap). */
  error: (error: Error) => void;
}

/** Messages missing from the stream (expired by its age limit before the replica read them). */
export class BusGapError extends SessiondataError {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    super(`stream sequences ${from}..${to} are gone from the stream; the replica skipped them`);
  }
}

/**
 * Feeds a local {@link SessionData} from the bar stream, in stream order, each message once.
 *
 * Exactly once: the replica remembers the last stream sequence it applied and ignores any
 * message at or below it (a redelivery), and a bar whose (publisher epoch, publisher sequence)
 * it has already applied (a publisher's retry stored twice). A gap in the sequence (messages
 * lost in flight while the server restarted) makes it recreate its durable consumer at the
 * first missing sequence, as does every reconnect, so nothing is skipped.
 *
 * Restart: `stop()` then `start()` resumes after the last applied message. A replica in a new
 * process (an empty store) starts from the stream's first message, so it rebuilds the session;
 * the durable consumer is moved to where the local store actually is.
 *
 * @example
 * ```ts
 * const replica = new NatsSessionReplica({ servers: "nats://127.0.0.1:4222", sessionData: sd, durable: "strategy-a" });
 * replica.on("barrier", (minute) => strategy.onMinute(minute));
 * await replica.start();
 * await replica.caughtUp();          // every message in the stream now is applied
 * sd.getLatestBar("AAPL");
 * ```
 */
export class NatsSessionReplica {
  readonly #sd: SessionData;
  readonly #names: BusNames;
  readonly #durable: string;
  readonly #maxBuffered: number;
  readonly #listeners = new Listeners<NatsSessionReplicaEvents>();
  readonly #bar = newBarMessage();
  readonly #barrierMsg = newBarrierMessage();
  #nc: NatsConnection | undefined;
  #jsm: JetStreamManager | undefined;
  #messages: ConsumerMessages | undefined;
  /** Bumped at every (re)subscription: callbacks of an older one are ignored. */
  #generation = 0;
  #resyncing: Promise<void> | undefined;
  /** The first message after a (re)subscription may start past `#lastSeq + 1` only if the stream lost them. */
  #fresh = true;
  #lastSeq = 0;
  #lastEpoch = Number.NaN;
  #lastPubSeq = 0;
  #applied = 0;
  #duplicates = 0;
  #barriers = 0;
  #resyncs = 0;
  /** Bars seen of the latest minute, so a barrier waits for the bars it counts. */
  #seenMinute = Number.NaN;
  #seenCount = 0;
  #held: { minute: number; count: number; seq: number }[] = [];
  #waiters: { seq: number; resolve: () => void }[] = [];

  constructor(options: NatsSessionReplicaOptions) {
    this.#sd = options.sessionData;
    this.#names = busNames(options);
    if (typeof options.durable !== "string" || !/^[A-Za-z0-9_-]+$/.test(options.durable)) {
      throw new InvalidArgumentError(
        `durable must be a consumer name of [A-Za-z0-9_-], got ${JSON.stringify(options.durable)}`,
      );
    }
    this.#durable = options.durable;
    const max = options.maxBuffered ?? 1_024;
    if (!Number.isInteger(max) || max < 1) {
      throw new InvalidArgumentError(`maxBuffered must be an integer >= 1, got ${max}`);
    }
    this.#maxBuffered = max;
  }

  /** The last stream sequence applied (0 before any). */
  get lastSequence(): number {
    return this.#lastSeq;
  }
  /** Bars written to the local store. */
  get applied(): number {
    return this.#applied;
  }
  /** Messages ignored as already applied. */
  get duplicates(): number {
    return this.#duplicates;
  }
  /** Barriers passed. */
  get barriers(): number {
    return this.#barriers;
  }
  /** How often the consumer was recreated after a gap or a reconnect. */
  get resyncs(): number {
    return this.#resyncs;
  }
  /** Messages received from the server but not applied yet (bounded by `maxBuffered`). */
  get buffered(): number {
    return this.#messages?.getPending() ?? 0;
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof NatsSessionReplicaEvents>(
    event: E,
    listener: NatsSessionReplicaEvents[E],
  ): () => void {
    return this.#listeners.on(event, listener);
  }

  /** Connects ({@link NatsUnavailableError} naming the URL if no server answers) and starts consuming. */
  async start(): Promise<void> {
    if (this.#nc !== undefined) return;
    const nc = await connectBus(this.#names.servers, `sessiondata-replica-${this.#durable}`);
    this.#nc = nc;
    this.#jsm = await jetstreamManager(nc);
    void this.#watch(nc);
    try {
      await this.#subscribe();
    } catch (error) {
      this.#nc = undefined;
      await nc.close();
      throw error;
    }
  }

  /**
   * Resolves once every message the stream holds now is applied (at once if it is empty).
   */
  async caughtUp(): Promise<void> {
    const jsm = this.#jsm;
    if (jsm === undefined) throw new InvalidArgumentError("caughtUp() before start()");
    let target = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        target = (await jsm.streams.info(this.#names.stream)).state.last_seq;
        break;
      } catch (error) {
        // Just after a server restart JetStream may not answer yet.
        if (attempt >= 20 || this.#jsm === undefined) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    if (this.#lastSeq >= target) return;
    await new Promise<void>((resolve) => this.#waiters.push({ seq: target, resolve }));
  }

  /** Stops consuming and closes the connection; `start()` resumes after the last applied message. */
  async stop(): Promise<void> {
    const nc = this.#nc;
    if (nc === undefined) return;
    this.#nc = undefined;
    this.#generation++;
    await this.#messages?.close().catch(() => undefined);
    this.#messages = undefined;
    this.#jsm = undefined;
    await nc.close().catch(() => undefined);
  }

  /** Points the durable consumer at `#lastSeq + 1` (recreating it if it is elsewhere), then consumes. */
  async #subscribe(): Promise<void> {
    const jsm = this.#jsm!;
    const stream = this.#names.stream;
    const info = await jsm.consumers.info(stream, this.#durable).catch(() => undefined);
    const inPlace =
      info !== undefined &&
      info.delivered.stream_seq === this.#lastSeq &&
      info.config.ack_policy === AckPolicy.None;
    if (!inPlace) {
      if (info !== undefined) await jsm.consumers.delete(stream, this.#durable);
      await jsm.consumers.add(stream, {
        durable_name: this.#durable,
        // Acks would cost a round trip per batch; the replica tracks its own position instead.
        ack_policy: AckPolicy.None,
        ...(this.#lastSeq === 0
          ? { deliver_policy: DeliverPolicy.All }
          : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.#lastSeq + 1 }),
      });
    }
    const consumer = await jetstream(this.#nc!).consumers.get(stream, this.#durable);
    const generation = ++this.#generation;
    this.#fresh = true;
    this.#messages = await consumer.consume({
      max_messages: this.#maxBuffered,
      callback: (m) => {
        if (generation === this.#generation) this.#onMessage(m);
      },
    });
  }

  #resync(): void {
    if (this.#resyncing !== undefined || this.#nc === undefined) return;
    this.#resyncs++;
    this.#generation++;
    const old = this.#messages;
    this.#messages = undefined;
    this.#resyncing = (async () => {
      try {
        await old?.close().catch(() => undefined);
        if (this.#nc !== undefined) await this.#subscribe();
      } catch (error) {
        this.#report(error);
        // The server may still be coming back: try again shortly.
        setTimeout(() => this.#resync(), 250);
      } finally {
        this.#resyncing = undefined;
      }
    })();
  }

  #onMessage(m: JsMsg): void {
    const seq = m.seq;
    if (seq <= this.#lastSeq) {
      this.#duplicates++;
      return;
    }
    if (seq !== this.#lastSeq + 1) {
      if (!this.#fresh) {
        // Lost in flight: read again from the first missing message.
        this.#resync();
        return;
      }
      if (this.#lastSeq > 0) this.#report(new BusGapError(this.#lastSeq + 1, seq - 1));
    }
    this.#fresh = false;
    this.#lastSeq = seq;
    const data = m.data;
    try {
      const kind = messageKind(data, m.subject);
      if (kind === KIND_BAR) this.#apply(decodeBarMessage(data, this.#bar, m.subject));
      else if (kind === KIND_BATCH) decodeBatchMessage(data, this.#bar, this.#applyOne, m.subject);
      else if (kind === KIND_BARRIER) this.#applyBarrier(data, m.subject, seq);
      else if (kind === KIND_REPAIR) this.#applyRepair(decodeRepairMessage(data, m.subject));
      else this.#applyClear(decodeClearMessage(data, m.subject));
    } catch (error) {
      this.#report(error);
    }
    if (this.#waiters.length > 0) {
      this.#waiters = this.#waiters.filter((w) => {
        if (w.seq > seq) return true;
        w.resolve();
        return false;
      });
    }
  }

  readonly #applyOne = (bar: BarMessage): void => this.#apply(bar);

  /** Whether (epoch, seq) is new, recording it if so (a publisher's retry stored twice is not). */
  #firstCopy(epoch: number, seq: number): boolean {
    if (epoch === this.#lastEpoch && seq <= this.#lastPubSeq) {
      this.#duplicates++;
      return false;
    }
    this.#lastEpoch = epoch;
    this.#lastPubSeq = seq;
    return true;
  }

  #apply(bar: BarMessage): void {
    if (!this.#firstCopy(bar.epoch, bar.seq)) return;
    try {
      // The store copies the numbers: the reused message object is never kept.
      this.#sd.addBar(bar.symbol, bar, bar.provenance);
    } catch (error) {
      // Refused like the primary would have (it is counted in the store's rejections too);
      // the rest of a batch still goes in.
      this.#report(error);
      return;
    }
    this.#applied++;
    const t = bar.time;
    if (t === this.#seenMinute) this.#seenCount++;
    else if (t > this.#seenMinute || Number.isNaN(this.#seenMinute)) {
      this.#seenMinute = t;
      this.#seenCount = 1;
    }
    if (this.#held.length > 0) this.#release();
  }

  #applyBarrier(data: Uint8Array, subject: string, seq: number): void {
    const barrier = decodeBarrierMessage(data, this.#barrierMsg, subject);
    if (Number.isFinite(barrier.clock)) this.#sd.advanceClock(barrier.clock);
    this.#held.push({ minute: barrier.minute, count: barrier.count, seq });
    this.#release();
  }

  #applyRepair(repair: RepairMessage): void {
    if (!this.#firstCopy(repair.epoch, repair.seq)) return;
    this.#sd.setRepairCounts(repair.symbol, repair);
  }

  #applyClear(clear: ClearMessage): void {
    if (!this.#firstCopy(clear.epoch, clear.seq)) return;
    this.#sd.clear();
    // Every minute is open again; a barrier held for bars before the clear has nothing to wait for.
    this.#seenMinute = Number.NaN;
    this.#seenCount = 0;
    this.#release();
  }

  /** Passes held barriers whose bars are all in (a retried bar can land after its barrier). */
  #release(): void {
    while (this.#held.length > 0) {
      const b = this.#held[0]!;
      const seen = b.minute === this.#seenMinute ? this.#seenCount : 0;
      if (b.count > 0 && seen < b.count && b.minute >= this.#seenMinute) return;
      this.#held.shift();
      this.#barriers++;
      this.#listeners.emit("barrier", b.minute, b.count, b.seq);
    }
  }

  #report(error: unknown): void {
    this.#listeners.report(
      "error",
      error instanceof Error ? error : new Error(String(error)),
      "NatsSessionReplicaWarning",
    );
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      // Pulls in flight when the server went away may have been lost: read from our position.
      if (status.type === "reconnect" && this.#nc === nc) this.#resync();
    }
  }
}
