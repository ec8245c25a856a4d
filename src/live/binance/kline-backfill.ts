import type { Bar } from "../../domain/bar.js";
import type { DeliveredMinutes } from "../delivered-minutes.js";
import { LiveFeedError } from "../feed-errors.js";
import type { BinanceKlineRest } from "./binance-rest.js";

/** A subscribed symbol as the Binance feed keeps it. */
export interface SymbolState {
  /** The upper-case symbol. */
  readonly symbol: string;
  /** What was delivered: duplicates to drop, where a backfill starts. */
  readonly delivered: DeliveredMinutes;
}

/** What {@link backfillKlines} needs from the feed. */
export interface KlineBackfillHost {
  readonly rest: BinanceKlineRest;
  /** The feed's name for errors. */
  readonly feed: string;
  /** The first minute not to ask for (the minute in progress). */
  readonly end: number;
  /** Symbols fetched at once (Binance's klines take one symbol a request). */
  readonly concurrency: number;
  /** Whether the feed closed meanwhile (no further symbol is fetched). */
  stopped(): boolean;
  /** The symbol's state now, `undefined` once unsubscribed. */
  state(symbol: string): SymbolState | undefined;
  /** Hands one backfilled bar to the feed (as `refilled`). */
  deliver(symbol: string, state: SymbolState, bar: Bar): void;
  /** A symbol whose backfill gave up. */
  failed(error: LiveFeedError): void;
}

/**
 * Fetches each symbol's minutes missed since its last delivered bar, `concurrency` symbols at a
 * time, and delivers them; a symbol that fails is reported and left to upkeep.
 */
export async function backfillKlines(
  symbols: readonly string[],
  host: KlineBackfillHost,
): Promise<void> {
  const end = host.end;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < symbols.length && !host.stopped()) {
      const symbol = symbols[next++]!;
      const state = host.state(symbol);
      if (state === undefined || state.delivered.since >= end) continue;
      try {
        const bars = await host.rest.readBars(symbol, state.delivered.since, end);
        const current = host.state(symbol);
        if (current === undefined) continue;
        for (const bar of bars) host.deliver(symbol, current, bar);
      } catch (error) {
        // Given up (or refused): upkeep repairs these minutes from the same source later.
        host.failed(
          new LiveFeedError(
            host.feed,
            "backfill",
            `backfill of ${symbol} failed: ${(error as Error).message}`,
            {
              symbol,
              cause: error,
            },
          ),
        );
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(host.concurrency, symbols.length); i++) workers.push(worker());
  await Promise.all(workers);
}
