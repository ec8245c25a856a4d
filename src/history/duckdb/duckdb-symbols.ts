import type { DuckDBConnection } from "@duckdb/node-api";
import type { SymbolInfo } from "../bar-store.js";
import { bySymbol } from "../symbol-info.js";

/** What the store knows of one symbol: its row in `symbols` (or an id reserved for a new one). */
export interface SymbolRow {
  readonly id: number;
  /** Upper case. */
  readonly name: string;
  /** Whether `symbols` holds the row (committed); false while a first write is in flight. */
  stored: boolean;
  /** Committed bars of the symbol. */
  barCount: number;
  info: SymbolInfo | undefined;
}

/**
 * The `symbols` table mirrored in memory, so reads and scans name symbols without a query. Ids
 * are reserved when a write first sees a symbol and become `stored` when that write commits; an
 * id reserved by a failed write stays reserved, so it never names two symbols.
 */
export class SymbolRegistry {
  readonly #byName = new Map<string, SymbolRow>();
  readonly #byId = new Map<number, SymbolRow>();
  #next = 0;

  /** Reads every row of `symbols` (a row a crash repeated counts once, its last copy). */
  static async load(connection: DuckDBConnection): Promise<SymbolRegistry> {
    const registry = new SymbolRegistry();
    const reader = await connection.runAndReadAll(
      `SELECT id, name, calendar, time_zone, price_decimals, bar_count::DOUBLE
       FROM symbols ORDER BY rowid`,
    );
    for (const [id, name, calendar, timeZone, decimals, count] of reader.getRows()) {
      const row = registry.#add(Number(id), String(name));
      row.stored = true;
      row.barCount = Number(count);
      row.info =
        calendar === null || timeZone === null || decimals === null
          ? undefined
          : {
              symbol: row.name,
              calendar: String(calendar),
              timeZone: String(timeZone),
              priceDecimals: Number(decimals),
            };
    }
    return registry;
  }

  #add(id: number, name: string): SymbolRow {
    const row: SymbolRow = { id, name, stored: false, barCount: 0, info: undefined };
    this.#byName.set(name, row);
    this.#byId.set(id, row);
    if (id >= this.#next) this.#next = id + 1;
    return row;
  }

  /** The row of an upper-case name, stored or reserved. */
  get(name: string): SymbolRow | undefined {
    return this.#byName.get(name);
  }

  /** The row of an id. */
  byId(id: number): SymbolRow | undefined {
    return this.#byId.get(id);
  }

  /** The row of a name that has committed bars, or `undefined`. */
  withBars(name: string): SymbolRow | undefined {
    const row = this.#byName.get(name);
    return row?.stored && row.barCount > 0 ? row : undefined;
  }

  /** The id of `name`, reserving the next free one for a new symbol. */
  reserve(name: string): number {
    return (this.#byName.get(name) ?? this.#add(this.#next, name)).id;
  }

  /** Every symbol with committed bars: id to name. */
  names(): Map<number, string> {
    const out = new Map<number, string>();
    for (const row of this.#byId.values())
      if (row.stored && row.barCount > 0) out.set(row.id, row.name);
    return out;
  }

  /** Names of the symbols with committed bars, sorted. */
  symbolsWithBars(): string[] {
    return [...this.names().values()].sort();
  }

  /** Every symbol's info that was set, sorted by symbol. */
  infos(): SymbolInfo[] {
    const out: SymbolInfo[] = [];
    for (const row of this.#byId.values()) if (row.info !== undefined) out.push({ ...row.info });
    return out.sort(bySymbol);
  }
}
