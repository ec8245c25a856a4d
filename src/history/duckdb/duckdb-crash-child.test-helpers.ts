/**
 * The crash test's child: opens the DuckDB file in `argv[2]` with the lowered WAL bound,
 * re-imports the plan's bars in version 2 (duckdb-crash.test-helpers.ts), printing "ready" after
 * the open, "begin X"/"done X" around each commit and "closed" at the end. The parent kills it
 * with SIGKILL somewhere on the way.
 */
import { DuckDbBarStore } from "./duckdb-bar-store.js";
import { CRASH_WAL_BOUND, writeVersion } from "./duckdb-crash.test-helpers.js";

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const store = await DuckDbBarStore.open(process.argv[2]!, { checkpointWalBytes: CRASH_WAL_BOUND });
say("ready");
await writeVersion(store, 2, say);
await store.close();
say("closed");
