import type { ProvenanceCounts } from "../domain/provenance.js";
import type { Coverage } from "./bar-store.js";

/**
 * The symbol's first and last bar and count, for every stored symbol (see
 * `DuckDbBarStore.summary` and `PostgresBarStore.summary`).
 */
export interface SymbolSummary extends Coverage {
  readonly symbol: string;
  /** Bars by provenance. */
  readonly provenance: ProvenanceCounts;
  /** Bars stored without a provenance (imported from files). */
  readonly unrecorded: number;
}

/**
 * A {@link SymbolSummary} from one result row of a store's summary query, whose per-provenance
 * counts come in code order (0 not recorded, 1 live, 2 replay, 3 refilled, 4 corrected). Values
 * may be any type `Number` reads (drivers return strings or bigints for counts).
 */
export function symbolSummaryOf(
  symbol: string,
  first: unknown,
  last: unknown,
  count: unknown,
  byCode: readonly unknown[],
): SymbolSummary {
  return {
    symbol,
    first: Number(first),
    last: Number(last),
    count: Number(count),
    provenance: {
      live: Number(byCode[1]),
      replay: Number(byCode[2]),
      refilled: Number(byCode[3]),
      corrected: Number(byCode[4]),
    },
    unrecorded: Number(byCode[0]),
  };
}
