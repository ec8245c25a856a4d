import type { Bar } from "../domain/bar.js";

/** What a test can make a fake exchange do: the faults a real provider shows, on demand. */
export interface FakeExchange {
  /** WebSocket connections accepted so far. */
  readonly connections: number;
  /** The clock time of every connection attempt (accepted or refused), oldest first. */
  readonly attempts: readonly number[];
  /** REST history requests answered so far (scripted failures included). */
  readonly restRequests: number;
  /** Symbols (upper case) subscribed on the open connections, sorted. */
  subscribed(): string[];
  /**
   * Publishes a closed bar: it becomes the exchange's truth for (symbol, bar.time), replacing an
   * earlier bar there, and goes to every connection subscribed to `symbol` (unless stalled).
   * With `force`, it goes to every connection whether subscribed or not (a provider's mistake).
   * Times need not increase: publishing an older minute is an out-of-order bar; the same bar
   * twice is a duplicate.
   */
  emitBar(symbol: string, bar: Bar, options?: { readonly force?: boolean }): void;
  /** Sends an update of a bar still open (`k.x: false`); it is never truth. */
  emitPartial(symbol: string, bar: Bar): void;
  /**
   * Sends a provider's correction of a bar already published (Alpaca's `updatedBars`); absent
   * where the provider has none (a closed Binance kline is final).
   */
  emitCorrection?(symbol: string, bar: Bar): void;
  /** Sends `text` as one message to every connection (malformed JSON, unknown shapes). */
  emitRaw(text: string): void;
  /** Sends a bar that breaks a validity rule (`high < low`); it is never truth. */
  emitInvalid(symbol: string, time: number): void;
  /** Closes every connection abruptly (no close frame, like a network failure). */
  dropConnections(): void;
  /** From now on refuses (`true`) or accepts (`false`) new connections. */
  refuseConnections(refuse: boolean): void;
  /** The open connections go silent: no data, no heartbeats; the sockets stay open. */
  stall(): void;
  /**
   * Proves liveness to every connected, non-stalled client (a ping, or the provider's
   * heartbeat) and resolves once each has answered or seen it.
   */
  heartbeat(): Promise<void>;
  /** The status codes the next REST requests answer with, in order (500, 429 …), then data. */
  scriptRest(statuses: readonly number[]): void;
  /** The exchange's truth for `symbol`: every closed bar published, in time order. */
  truth(symbol: string): Bar[];
}
