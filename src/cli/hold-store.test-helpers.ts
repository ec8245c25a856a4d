/**
 * A child that holds a DuckDB file open, for the lock tests: `argv[2]` the path, `argv[3]`
 * "read-only" or "write". It prints "held" once the file is open and keeps it until killed.
 */
import { DuckDbBarStore } from "../history/duckdb/duckdb-bar-store.js";

const store = await DuckDbBarStore.open(process.argv[2]!, {
  readOnly: process.argv[3] === "read-only",
  create: false,
});
process.stdout.write("held\n");
setInterval(() => undefined, 1 << 30);
process.on("SIGTERM", () => {
  void store.close().then(() => process.exit(0));
});
