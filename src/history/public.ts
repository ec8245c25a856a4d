// The history layer's public surface, exported by hand.
export type {
  BarChunk,
  BarSource,
  BarStore,
  Coverage,
  ScanOptions,
  SymbolInfo,
  WriteOptions,
} from "./bar-store.js";
export {
  type BarBulkWriter,
  type BarColumns,
  type BulkWritableBarStore,
  isBulkWritable,
  openBulkWriter,
} from "./bulk-writer.js";
export {
  type CorporateActionRow,
  factorRowsFromActions,
  parseCorporateActionCsv,
} from "./corporate/action-csv.js";
// Corporate actions: LEAN factor and map files, the split/dividend CSV, their store, adjustment.
export {
  ADJUST_MODES,
  type AdjustMode,
  actionBetween,
  checkAdjustMode,
  DEFAULT_ADJUST,
  scalesOf,
} from "./corporate/adjust-mode.js";
export { AdjustedBarStore, type AdjustedBarStoreOptions } from "./corporate/adjusted-bar-store.js";
export {
  type CorporateActionBatch,
  type CorporateActionStore,
  corporateActionsOf,
  MemoryCorporateActionStore,
  type WithCorporateActions,
} from "./corporate/corporate-action-store.js";
export { CorporateActionFileError } from "./corporate/corporate-errors.js";
export {
  type CorporateFiles,
  type CorporateImportOptions,
  type CorporateImportResult,
  findLeanCorporateFolders,
  importCorporateActions,
  readCorporateFiles,
  storeCorporateFiles,
} from "./corporate/corporate-import.js";
export {
  type FactorRow,
  factorsOn,
  formatFactorFile,
  IDENTITY_FACTORS,
  parseFactorFile,
} from "./corporate/factor-file.js";
export { formatMapFile, type MapRow, parseMapFile, tickerOn } from "./corporate/map-file.js";
export { DEFAULT_DB_FILE, defaultDbPath } from "./default-db.js";
export { DuckDbBarStore, type DuckDbBarStoreOptions } from "./duckdb/duckdb-bar-store.js";
export { DuckDbCorporateActionStore } from "./duckdb/duckdb-corporate.js";
export type { DuckDbMemory, DuckDbSettings } from "./duckdb/duckdb-diagnostics.js";
export type { CountMismatch, StoreIntegrity } from "./duckdb/duckdb-integrity.js";
export { importFile, importFiles, planFiles } from "./import/import-file.js";
export {
  checkImportOptions,
  type FileImport,
  type ImportFormat,
  ImportInterruptedError,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
} from "./import/import-options.js";
export type { ImportPlan, PlannedFile } from "./import/import-plan.js";
export type { SkippedLine } from "./import/import-sink.js";
export {
  DEFAULT_MAX_LINE_BYTES,
  EARLIEST_TIME,
  MAX_PRICE,
  MAX_VOLUME,
} from "./import/row-rules.js";
export { MemoryBarStore } from "./memory-bar-store.js";
export {
  PostgresBarStore,
  type PostgresBarStoreOptions,
} from "./postgres/postgres-bar-store.js";
export { PostgresCorporateActionStore } from "./postgres/postgres-corporate.js";
export {
  PostgresAuthError,
  PostgresConnectionError,
  PostgresConnectionLostError,
  type PostgresFailure,
  PostgresNoDatabaseError,
  PostgresUnreachableError,
} from "./postgres/postgres-errors.js";
export { openPostgresFromUrl, PG_URL_ENV, resolvePgUrl } from "./postgres/postgres-open.js";
export { PG_SCHEMA_VERSION } from "./postgres/postgres-schema.js";
export { DEFAULT_PG_SCHEMA } from "./postgres/postgres-url.js";
export {
  checkSampleOptions,
  generateSampleBars,
  type SampleOptions,
  type SampleResult,
  symbolsWithBars,
} from "./sample/sample-data.js";
export { SAMPLE_START_PRICES, SAMPLE_TICKERS, sampleTickers } from "./sample/sample-tickers.js";
export {
  NoDatabaseError,
  ReadOnlyStoreError,
  StoreIntegrityError,
  StoreLockedError,
  StoreVersionError,
} from "./store-errors.js";
export { storedSessionRange } from "./stored-range.js";
export { checkSymbolInfo, MAX_PRICE_DECIMALS, normalizeSymbol } from "./symbol-info.js";
export type { SymbolSummary } from "./symbol-summary.js";
