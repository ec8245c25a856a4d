/**
 * The corporate-action part of `sessiondata import`: `--factor-files DIR`, `--map-files DIR`,
 * `--corporate-actions FILE`, and LEAN's folders found by themselves beside `minute/`.
 */
import type { TradingCalendar } from "../../calendar/trading-calendar.js";
import type { BarStore } from "../../history/bar-store.js";
import {
  type CorporateFiles,
  type CorporateImportOptions,
  type CorporateImportResult,
  findLeanCorporateFolders,
  readCorporateFiles,
  storeCorporateFiles,
} from "../../history/public.js";

/** The corporate-action flags of `sessiondata import`. */
export interface CorporateImportFlags {
  readonly factorFiles?: string;
  readonly mapFiles?: string;
  readonly corporateActions?: string;
}

/** Whether any corporate-action flag was given (then `import` needs no bar files). */
export function hasCorporateFlags(flags: CorporateImportFlags): boolean {
  return (
    flags.factorFiles !== undefined ||
    flags.mapFiles !== undefined ||
    flags.corporateActions !== undefined
  );
}

/**
 * What to import, read and checked (before the database is opened): the flags, else the LEAN
 * folders beside the imported `minute/` folder, else nothing (`undefined`).
 */
export async function corporateFiles(
  paths: readonly string[],
  flags: CorporateImportFlags,
  calendar: TradingCalendar | undefined,
): Promise<CorporateFiles | undefined> {
  const sources = await corporateSources(paths, flags, calendar);
  return sources === undefined ? undefined : readCorporateFiles(sources);
}

async function corporateSources(
  paths: readonly string[],
  flags: CorporateImportFlags,
  calendar: TradingCalendar | undefined,
): Promise<CorporateImportOptions | undefined> {
  const found = hasCorporateFlags(flags) ? {} : await findLeanCorporateFolders(paths);
  const options: CorporateImportOptions = {
    ...found,
    ...(flags.factorFiles === undefined ? {} : { factorFiles: flags.factorFiles }),
    ...(flags.mapFiles === undefined ? {} : { mapFiles: flags.mapFiles }),
    ...(flags.corporateActions === undefined ? {} : { actionsCsv: flags.corporateActions }),
    ...(calendar === undefined ? {} : { calendar }),
  };
  const any =
    options.factorFiles !== undefined ||
    options.mapFiles !== undefined ||
    options.actionsCsv !== undefined;
  return any ? options : undefined;
}

/** Stores them in `store` (after the bars, whose closes the CSV's dividends may need). */
export async function importCorporate(
  store: BarStore,
  files: CorporateFiles,
  json: boolean | undefined,
): Promise<CorporateImportResult> {
  const result = await storeCorporateFiles(store, files);
  if (!json) {
    process.stdout.write(
      `imported corporate actions: ${result.factorRows} factor rows of ${result.factorSymbols.length} symbols, ${result.mapRows} map rows of ${result.mapFiles.length} map files\n`,
    );
  }
  return result;
}
