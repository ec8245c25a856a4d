/**
 * Imports corporate actions from files: LEAN's factor and map file folders (as LEAN ships them,
 * `equity/usa/factor_files/<permtick>.csv` and `equity/usa/map_files/<permtick>.csv`, found
 * by themselves beside a `minute/` folder being imported) and the plain CSV of splits and
 * dividends. Every file is read and checked first; then one all-or-nothing write.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { TradingCalendar } from "../../calendar/trading-calendar.js";
import { xnysCalendar } from "../../calendar/xnys.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import type { BarStore } from "../bar-store.js";
import { normalizeSymbol } from "../symbol-info.js";
import {
  type CorporateActionRow,
  factorRowsFromActions,
  parseCorporateActionCsv,
} from "./action-csv.js";
import { corporateActionsOf } from "./corporate-action-store.js";
import { CorporateActionFileError } from "./corporate-errors.js";
import { type FactorRow, parseFactorFile } from "./factor-file.js";
import { type MapRow, parseMapFile } from "./map-file.js";

/** What {@link importCorporateActions} reads. */
export interface CorporateImportOptions {
  /** A folder of LEAN factor files (`<symbol>.csv`). */
  readonly factorFiles?: string;
  /** A folder of LEAN map files (`<permtick>.csv`). */
  readonly mapFiles?: string;
  /** A plain CSV `date,symbol,split_ratio,dividend[,reference_price]` (see action-csv.ts). */
  readonly actionsCsv?: string;
  /** The calendar whose previous session dates the CSV's factor rows (default XNYS). */
  readonly calendar?: TradingCalendar;
}

/** What {@link importCorporateActions} stored. */
export interface CorporateImportResult {
  /** Symbols whose factor rows were stored (from factor files and the CSV), sorted. */
  readonly factorSymbols: string[];
  /** Permanent tickers whose map rows were stored, sorted. */
  readonly mapFiles: string[];
  /** Factor rows and map rows stored. */
  readonly factorRows: number;
  readonly mapRows: number;
}

/** The `.csv` files of a folder, sorted by name, each with the symbol its name gives. */
async function csvFiles(folder: string, what: string): Promise<{ path: string; symbol: string }[]> {
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new InvalidArgumentError(`${what} ${folder} is not a folder`);
  }
  const names = (await readdir(folder)).filter((n) => extname(n).toLowerCase() === ".csv").sort();
  return names.map((name) => {
    const path = join(folder, name);
    try {
      return { path, symbol: normalizeSymbol(basename(name, extname(name))) };
    } catch (error) {
      throw new CorporateActionFileError(
        path,
        0,
        undefined,
        `its name gives no symbol: ${(error as Error).message}`,
      );
    }
  });
}

/** The raw close of `symbol`'s last regular-session bar of `date`, from the store. */
function closeLookup(barStore: BarStore, calendar: TradingCalendar) {
  return async (symbol: string, date: string): Promise<number | undefined> => {
    const session = calendar.session(date);
    if (session === undefined) return undefined;
    const bars = await barStore.readBars(symbol, session.open, session.close);
    return bars[bars.length - 1]?.close;
  };
}

/** The files of an import, read and checked, not yet stored (see {@link readCorporateFiles}). */
export interface CorporateFiles {
  readonly factorFiles: ReadonlyMap<string, FactorRow[]>;
  readonly mapFiles: ReadonlyMap<string, MapRow[]>;
  /** The plain CSV's rows, converted when stored (they need the stored closes). */
  readonly actions?: { readonly path: string; readonly rows: readonly CorporateActionRow[] };
  readonly calendar: TradingCalendar;
}

/**
 * Reads and checks every file of an import without touching a store (the CLI does this before
 * it opens the database). Throws {@link CorporateActionFileError} for the first bad file.
 */
export async function readCorporateFiles(options: CorporateImportOptions): Promise<CorporateFiles> {
  const factorFiles = new Map<string, FactorRow[]>();
  const mapFiles = new Map<string, MapRow[]>();
  if (options.factorFiles !== undefined) {
    for (const { path, symbol } of await csvFiles(options.factorFiles, "--factor-files")) {
      factorFiles.set(symbol, parseFactorFile(await readFile(path, "utf8"), path));
    }
  }
  if (options.mapFiles !== undefined) {
    for (const { path, symbol } of await csvFiles(options.mapFiles, "--map-files")) {
      mapFiles.set(symbol, parseMapFile(await readFile(path, "utf8"), path));
    }
  }
  const path = options.actionsCsv;
  const actions =
    path === undefined
      ? undefined
      : { path, rows: parseCorporateActionCsv(await readFile(path, "utf8"), path) };
  return {
    factorFiles,
    mapFiles,
    ...(actions === undefined ? {} : { actions }),
    calendar: options.calendar ?? xnysCalendar,
  };
}

/**
 * Stores files read by {@link readCorporateFiles} in one all-or-nothing write, converting the
 * plain CSV's rows to factor rows first (their dividends take the stored closes: see
 * {@link importCorporateActions}).
 */
export async function storeCorporateFiles(
  barStore: BarStore,
  files: CorporateFiles,
): Promise<CorporateImportResult> {
  const target = corporateActionsOf(barStore);
  if (target === undefined) {
    throw new InvalidArgumentError(
      "this bar store keeps no corporate actions (DuckDB, PostgreSQL and memory stores do)",
    );
  }
  const factorFiles = new Map(files.factorFiles);
  if (files.actions !== undefined) {
    const { path, rows } = files.actions;
    const converted = await factorRowsFromActions(
      rows,
      path,
      files.calendar,
      closeLookup(barStore, files.calendar),
    );
    for (const [symbol, factors] of converted) {
      if (factorFiles.has(symbol)) {
        throw new CorporateActionFileError(
          path,
          0,
          undefined,
          `${symbol} has a factor file too: give its actions in one place`,
        );
      }
      factorFiles.set(symbol, factors);
    }
  }
  const mapFiles = files.mapFiles;
  await target.writeCorporateActions({ factorFiles, mapFiles });
  const count = (m: ReadonlyMap<string, unknown[]>) =>
    [...m.values()].reduce((n, rows) => n + rows.length, 0);
  return {
    factorSymbols: [...factorFiles.keys()].sort(),
    mapFiles: [...mapFiles.keys()].sort(),
    factorRows: count(factorFiles),
    mapRows: count(mapFiles),
  };
}

/**
 * Reads the named folders and file and stores their rows in `barStore`'s corporate-action store
 * (`corporateActionsOf`), replacing the rows of every symbol they name. A bad file throws
 * {@link CorporateActionFileError} (file and line) and nothing is stored. The CSV's dividends
 * take their reference close from the store's bars when the file has none: import bars first.
 *
 * @example
 * ```ts
 * const store = await DuckDbBarStore.open("sessiondata.duckdb");
 * await importCorporateActions(store, {
 *   factorFiles: "data/equity/usa/factor_files",
 *   mapFiles: "data/equity/usa/map_files",
 * });
 * ```
 */
export async function importCorporateActions(
  barStore: BarStore,
  options: CorporateImportOptions,
): Promise<CorporateImportResult> {
  if (corporateActionsOf(barStore) === undefined) {
    throw new InvalidArgumentError(
      "this bar store keeps no corporate actions (DuckDB, PostgreSQL and memory stores do)",
    );
  }
  return storeCorporateFiles(barStore, await readCorporateFiles(options));
}

/** The folders of LEAN's bar resolutions, beside which `factor_files` and `map_files` sit. */
const LEAN_RESOLUTIONS = new Set(["minute", "second", "hour", "daily", "tick"]);

/**
 * The LEAN `factor_files` and `map_files` folders beside the resolution folder (`minute/`, …)
 * that holds one of `paths` (or is one), or inside a path given itself (`equity/usa/`), when they
 * exist: what `sessiondata import` picks up by
 * itself. `{}` when none of the paths lies in a LEAN layout.
 */
export async function findLeanCorporateFolders(
  paths: readonly string[],
): Promise<{ factorFiles?: string; mapFiles?: string }> {
  for (const path of paths) {
    let folder = resolve(path);
    for (;;) {
      const name = basename(folder).toLowerCase();
      // The resolution folder (minute/) or its parent (equity/usa/, imported whole).
      const isResolution = LEAN_RESOLUTIONS.has(name);
      if (isResolution || folder === resolve(path)) {
        const root = isResolution ? dirname(folder) : folder;
        const found: { factorFiles?: string; mapFiles?: string } = {};
        for (const [key, folderName] of [
          ["factorFiles", "factor_files"],
          ["mapFiles", "map_files"],
        ] as const) {
          const candidate = join(root, folderName);
          if ((await stat(candidate).catch(() => undefined))?.isDirectory()) found[key] = candidate;
        }
        if (found.factorFiles !== undefined || found.mapFiles !== undefined) return found;
      }
      const parent = dirname(folder);
      if (parent === folder) break;
      folder = parent;
    }
  }
  return {};
}
