/**
 * The port that keeps corporate actions beside the bars: each symbol's factor rows and each
 * permanent ticker's map rows. Separate from {@link BarStore} (whose bar members stay as they
 * are); a store that keeps both offers it through {@link corporateActionsOf}.
 */
import { InvalidArgumentError } from "../../domain/errors.js";
import type { BarStore } from "../bar-store.js";
import { normalizeSymbol } from "../symbol-info.js";
import type { FactorRow } from "./factor-file.js";
import type { MapRow } from "./map-file.js";

/** What one {@link CorporateActionStore.writeCorporateActions} stores, all or nothing. */
export interface CorporateActionBatch {
  /** Factor rows by symbol (a LEAN factor file's name); each replaces the symbol's rows. */
  readonly factorFiles?: ReadonlyMap<string, readonly FactorRow[]>;
  /** Map rows by permanent ticker (a LEAN map file's name); each replaces that file's rows. */
  readonly mapFiles?: ReadonlyMap<string, readonly MapRow[]>;
}

/**
 * Factor rows (`factorRows`) and map rows (`mapRows`) by symbol, upper case on every entry
 * point. Adapters: `MemoryCorporateActionStore`, `DuckDbCorporateActionStore` and
 * `PostgresCorporateActionStore` (reached with `corporateActionsOf(barStore)`).
 */
export interface CorporateActionStore {
  /**
   * Stores a batch: every named symbol's rows are replaced. All or nothing: rows out of date
   * order or with non-positive factors throw `InvalidArgumentError` and nothing is stored.
   */
  writeCorporateActions(batch: CorporateActionBatch): Promise<void>;
  /** The symbol's factor rows, ascending by date; empty when it has none. */
  factorRows(symbol: string): Promise<FactorRow[]>;
  /** The map rows of a permanent ticker, ascending by date; empty when it has none. */
  mapRows(permtick: string): Promise<MapRow[]>;
  /** Every symbol with factor rows, sorted. */
  factorSymbols(): Promise<string[]>;
  /** Every permanent ticker with a map file and the tickers it lists (each sorted). */
  mapTickers(): Promise<Map<string, string[]>>;
}

/** A bar store that keeps corporate actions too (the DuckDB, PostgreSQL and memory stores). */
export interface WithCorporateActions {
  corporateActions(): CorporateActionStore;
}

/** The corporate-action store kept beside `barStore`'s bars, or `undefined` when it keeps none. */
export function corporateActionsOf(barStore: BarStore): CorporateActionStore | undefined {
  const candidate = barStore as Partial<WithCorporateActions>;
  return typeof candidate.corporateActions === "function"
    ? candidate.corporateActions()
    : undefined;
}

/**
 * Checks a batch before anything is written and returns it with upper-case names: factor rows
 * strictly ascending with positive finite factors, map rows strictly ascending with tickers.
 */
export function checkBatch(batch: CorporateActionBatch): {
  factorFiles: [string, readonly FactorRow[]][];
  mapFiles: [string, readonly MapRow[]][];
} {
  const factorFiles = [...(batch.factorFiles ?? new Map<string, readonly FactorRow[]>())].map(
    ([symbol, rows]): [string, readonly FactorRow[]] => {
      const name = normalizeSymbol(symbol);
      rows.forEach((row, i) => {
        const ok =
          Number.isFinite(row.priceFactor) &&
          row.priceFactor > 0 &&
          Number.isFinite(row.splitFactor) &&
          row.splitFactor > 0 &&
          Number.isFinite(row.referencePrice) &&
          row.referencePrice >= 0 &&
          (i === 0 || row.date > rows[i - 1]!.date);
        if (!ok) {
          throw new InvalidArgumentError(
            `factor row ${i} of ${name} is out of date order or has a non-positive factor: ${JSON.stringify(row)}`,
          );
        }
      });
      return [name, rows];
    },
  );
  const mapFiles = [...(batch.mapFiles ?? new Map<string, readonly MapRow[]>())].map(
    ([permtick, rows]): [string, readonly MapRow[]] => {
      const name = normalizeSymbol(permtick);
      rows.forEach((row, i) => {
        if (!(row.ticker !== "" && (i === 0 || row.date > rows[i - 1]!.date))) {
          throw new InvalidArgumentError(
            `map row ${i} of ${name} is out of date order or has no ticker: ${JSON.stringify(row)}`,
          );
        }
      });
      return [name, rows.map((r) => ({ ...r, ticker: normalizeSymbol(r.ticker) }))];
    },
  );
  return { factorFiles, mapFiles };
}

/** The {@link CorporateActionStore} in memory (beside `MemoryBarStore`, and for tests). */
export class MemoryCorporateActionStore implements CorporateActionStore {
  readonly #factors = new Map<string, readonly FactorRow[]>();
  readonly #maps = new Map<string, readonly MapRow[]>();

  async writeCorporateActions(batch: CorporateActionBatch): Promise<void> {
    const { factorFiles, mapFiles } = checkBatch(batch);
    for (const [symbol, rows] of factorFiles)
      this.#factors.set(
        symbol,
        rows.map((r) => ({ ...r })),
      );
    for (const [permtick, rows] of mapFiles) this.#maps.set(permtick, rows);
  }

  async factorRows(symbol: string): Promise<FactorRow[]> {
    return [...(this.#factors.get(normalizeSymbol(symbol)) ?? [])];
  }

  async mapRows(permtick: string): Promise<MapRow[]> {
    return [...(this.#maps.get(normalizeSymbol(permtick)) ?? [])];
  }

  async factorSymbols(): Promise<string[]> {
    return [...this.#factors.keys()].sort();
  }

  async mapTickers(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const permtick of [...this.#maps.keys()].sort()) {
      out.set(permtick, [...new Set(this.#maps.get(permtick)!.map((r) => r.ticker))].sort());
    }
    return out;
  }
}
