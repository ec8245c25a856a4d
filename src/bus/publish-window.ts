import type { JetStreamClient } from "@nats-io/jetstream";

/** One message on its way to JetStream: a bar, a barrier or a batch of bars. */
export interface Outgoing {
  readonly subject: string;
  readonly data: Uint8Array;
  /** The first sequence the message carries (a batch carries `first..seq`, one per bar). */
  readonly first: number;
  /** The last sequence it carries. */
  readonly seq: number;
}

/** What a {@link PublishWindow} tells its owner. */
export interface PublishWindowHost {
  /** JetStream stored `item` (`duplicate`: it already had it, a retry's second copy). */
  acked(item: Outgoing, duplicate: boolean): void;
  /** Failed publishes are queued again (in sequence order, ahead of the rest): pump again. */
  requeued(): void;
}

/**
 * The {@link NatsBarPublisher}'s bounded in-flight window and retry queue: messages wait in
 * sequence order, at most `maxInFlight` await their ack at once, and a failed publish is resent
 * later with the same message id (JetStream's duplicate window drops a copy it did store).
 * Bounding what is held (`maxBuffered`) and the loss accounting stay with the publisher.
 */
export class PublishWindow {
  readonly #epoch: number;
  readonly #maxInFlight: number;
  readonly #ackTimeoutMs: number;
  readonly #host: PublishWindowHost;
  /** Waiting to be sent, in sequence order from `#head`. */
  #queue: (Outgoing | undefined)[] = [];
  #head = 0;
  readonly #inFlight = new Set<Outgoing>();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #retries: Outgoing[] = [];
  #retried = 0;

  constructor(epoch: number, maxInFlight: number, ackTimeoutMs: number, host: PublishWindowHost) {
    this.#epoch = epoch;
    this.#maxInFlight = maxInFlight;
    this.#ackTimeoutMs = ackTimeoutMs;
    this.#host = host;
  }

  /** Messages held now: waiting, in flight or to retry. */
  get size(): number {
    return this.#queue.length - this.#head + this.#inFlight.size + this.#retries.length;
  }

  /** Publishes retried after a failure or a timeout. */
  get retried(): number {
    return this.#retried;
  }

  /** Queues `item` behind every message waiting (send it with {@link pump}). */
  push(item: Outgoing): void {
    this.#queue.push(item);
  }

  /** Sends waiting messages through `js` while the window has room. */
  pump(js: JetStreamClient): void {
    while (this.#inFlight.size < this.#maxInFlight && this.#head < this.#queue.length) {
      const item = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined;
      this.#send(js, item);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Stops the retry timer and drops every message held; an ack arriving later is ignored. */
  clear(): void {
    clearTimeout(this.#retryTimer);
    // Forgotten too, or a restarted publisher would never schedule a retry again (`??=`).
    this.#retryTimer = undefined;
    this.#queue = [];
    this.#head = 0;
    this.#inFlight.clear();
    this.#retries.length = 0;
  }

  #send(js: JetStreamClient, item: Outgoing): void {
    this.#inFlight.add(item);
    js.publish(item.subject, item.data, {
      msgID: `${this.#epoch}-${item.seq}`,
      timeout: this.#ackTimeoutMs,
    }).then(
      (ack) => {
        if (!this.#inFlight.delete(item)) return;
        this.#host.acked(item, ack.duplicate);
      },
      () => {
        if (!this.#inFlight.delete(item)) return;
        // Resent later, in sequence order, with the same id: a copy JetStream did store is dropped.
        this.#retried++;
        this.#retries.push(item);
        this.#retryTimer ??= setTimeout(() => this.#requeue(), 200);
      },
    );
  }

  #requeue(): void {
    this.#retryTimer = undefined;
    if (this.#retries.length === 0) return;
    this.#retries.sort((a, b) => a.seq - b.seq);
    const pending = this.#queue.slice(this.#head) as Outgoing[];
    this.#queue = [...this.#retries, ...pending];
    this.#head = 0;
    this.#retries.length = 0;
    this.#host.requeued();
  }
}
