import type { Bar } from "../../domain/bar.js";
import type { DeliveredMinutes } from "../delivered-minutes.js";
import { LiveFeedError } from "../feed-errors.js";
import type { AlpacaBarsRest } from "./alpaca-rest.js";

/** What {@link backfillBars} needs from the feed. */
export interface AlpacaBackfillHost {
  readonly rest: AlpacaBarsRest;
  /** The feed's name for errors. */
  readonly feed: string;
  /** The first minute not to ask for (the minute in progress). */
  readonly end: number;
  /** Whether the feed closed meanwhile (no further request is made). */
  stopped(): boolean;
  /** The symbol's delivered minutes now, `undefined` once unsubscribed. */
  state(symbol: string): DeliveredMinutes | undefined;
  /** Hands one backfilled bar to the feed (as `refilled`). */
  deliver(symbol: string, state: DeliveredMinutes, bar: Bar): void;
  /** A group of symbols whose backfill gave up. */
  failed(error: LiveFeedError): void;
}

/**
 * Fetches each symbol's minutes missed since its last delivered bar and delivers them. Symbols
 * missing the same minutes share requests (after a drop: nearly all of them), groups one after
 * the other, oldest first; a group that fails is reported and left to upkeep.
 */
export async function backfillBars(
  symbols: readonly string[],
  host: AlpacaBackfillHost,
): Promise<void> {
  const end = host.end;
  const bySince = new Map<number, string[]>();
  for (const symbol of symbols) {
    const state = host.state(symbol);
    if (state === undefined || state.since >= end) continue;
    let list = bySince.get(state.since);
    if (list === undefined) bySince.set(state.since, (list = []));
    list.push(symbol);
  }
  for (const [since, group] of [...bySince].sort((x, y) => x[0] - y[0])) {
    if (host.stopped()) return;
    try {
      const bars = await host.rest.readBarsMulti(group, since, end);
      for (const [symbol, list] of bars) {
        const state = host.state(symbol);
        if (state === undefined) continue;
        for (const bar of list) host.deliver(symbol, state, bar);
      }
    } catch (error) {
      // Given up (or refused): upkeep repairs these minutes from the same source later.
      host.failed(
        new LiveFeedError(
          host.feed,
          "backfill",
          `backfill of ${group.length === 1 ? group[0] : `${group.length} symbols`} failed: ${(error as Error).message}`,
          { symbol: group.length === 1 ? group[0] : undefined, cause: error },
        ),
      );
    }
  }
}
