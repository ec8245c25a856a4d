/**
 * Child process for the "killed mid-write" test: opens the DuckDB file given as argv[2], stages
 * argv[3] bars of symbol KILLED through the bulk writer, prints "committing" and commits. The
 * parent kills it with SIGKILL at some point and checks the file holds all or nothing.
 */
import { DuckDbBarStore } from "./duckdb-bar-store.js";

const path = process.argv[2]!;
const n = Number(process.argv[3]);
const store = await DuckDbBarStore.open(path);
const writer = await store.bulkWriter();
const t0 = Date.UTC(2020, 0, 1);
const block = 65_536;
const cols = {
  time: new Float64Array(block),
  open: new Float64Array(block).fill(10),
  high: new Float64Array(block).fill(11),
  low: new Float64Array(block).fill(9),
  close: new Float64Array(block).fill(10.5),
  volume: new Float64Array(block).fill(100),
};
for (let start = 0; start < n; start += block) {
  const m = Math.min(block, n - start);
  for (let i = 0; i < m; i++) cols.time[i] = t0 + (start + i) * 60_000;
  writer.append("KILLED", cols, m);
  if (start === 0) process.stdout.write("staging\n");
}
process.stdout.write("committing\n");
await writer.commit();
process.stdout.write("committed\n");
await store.close();
