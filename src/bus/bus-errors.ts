import { SessiondataError } from "../domain/errors.js";

/** A bus message that cannot be decoded: unknown version or kind, or the wrong length. */
export class BusMessageError extends SessiondataError {
  /** What was wrong (`version`, `kind`, `length`, `symbol`). */
  readonly field: string;
  /** The offending value. */
  readonly value: unknown;
  constructor(field: string, value: unknown, reason: string, where?: string) {
    super(`bad bus message${where === undefined ? "" : ` on ${where}`}: ${field} ${reason}`);
    this.field = field;
    this.value = value;
  }
}

/** No NATS server answered at `url` (or it has no JetStream). */
export class NatsUnavailableError extends SessiondataError {
  /** The server address(es) tried. */
  readonly url: string;
  constructor(url: string, reason: string, options?: ErrorOptions) {
    super(`NATS at ${url} is not reachable: ${reason}`, options);
    this.url = url;
  }
}

/**
 * The publisher could not keep bars it was asked to send: its buffer (bounded by
 * `maxBuffered`) was full while the server was away, or JetStream refused them. The bars are
 * counted in `NatsBarPublisher.lost`; this error is emitted, never swallowed.
 */
export class BusLossError extends SessiondataError {
  /** How many messages were lost by this event. */
  readonly lost: number;
  /** The first lost message's subject. */
  readonly subject: string;
  constructor(lost: number, subject: string, reason: string, options?: ErrorOptions) {
    super(`lost ${lost} bus message(s) starting with ${subject}: ${reason}`, options);
    this.lost = lost;
    this.subject = subject;
  }
}
