/** Runs an import on the DuckDB path and on the JavaScript readers' path, for equivalence tests. */
import { expect } from "vitest";
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { fastImportPath } from "./duckdb-staged-import.js";
import { importFile } from "./import-file.js";
import type { ImportOptions } from "./import-options.js";

/** "Today" for the tests' time rule. */
export const NOW = Date.UTC(2024, 5, 1);

/** What one import did: its result or its error, the stored bars and the symbol's precision. */
export async function outcome(
  path: string,
  options: ImportOptions,
  fast: boolean,
): Promise<{ path: string[]; result: unknown; bars: unknown; decimals: unknown }> {
  const store = await DuckDbBarStore.open(":memory:");
  const taken: string[] = [];
  fastImportPath.enabled = fast;
  fastImportPath.onOutcome = (_, o) => taken.push(o);
  try {
    const result = await importFile(store, path, { now: NOW, ...options }).catch(
      (e: Error) => `${e.name}: ${e.message}`,
    );
    const symbols = await store.symbols();
    const bars = await Promise.all(symbols.map((s) => store.readBars(s, 0, 4e12)));
    const info = await Promise.all(symbols.map((s) => store.symbolInfo(s)));
    return { path: taken, result, bars, decimals: info.map((i) => i?.priceDecimals) };
  } finally {
    fastImportPath.enabled = true;
    fastImportPath.onOutcome = undefined;
    await store.close();
  }
}

/** Imports `text` on both paths; expects the same result or error, bars and precision. */
export async function sameOnBothPaths(
  path: string,
  options: ImportOptions = {},
): Promise<string[]> {
  const fast = await outcome(path, options, true);
  const slow = await outcome(path, options, false);
  expect(slow.path).toEqual(["disabled"]);
  expect({ ...fast, path: [] }, `fast path (${fast.path.join(", ")}) vs parser`).toEqual({
    ...slow,
    path: [],
  });
  return fast.path;
}
