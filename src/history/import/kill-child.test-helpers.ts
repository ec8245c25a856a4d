/**
 * Child process for the "killed mid-write" tests. `argv`: the DuckDB file, then either a bar
 * count (stage that many bars of symbol KILLED through the bulk writer and commit) or `import`
 * and a CSV path (importFile it as symbol KILLED). It prints "staging" once rows flow,
 * "committing" when all are staged and "committed" at the end; the parent kills it with SIGKILL
 * at one of those points and checks the file holds all or nothing.
 */
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { importFile } from "./import-file.js";

const say = (word: string) => process.stdout.write(`${word}\n`);
const path = process.argv[2]!;
const store = await DuckDbBarStore.open(path);
if (process.argv[3] === "import") {
  let staging = false;
  await importFile(store, process.argv[4]!, {
    symbol: "KILLED",
    onProgress: ({ done, total }) => {
      if (!staging) say("staging");
      staging = true;
      if (done === total) say("committing");
    },
  });
} else {
  const n = Number(process.argv[3]);
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
    if (start === 0) say("staging");
  }
  say("committing");
  await writer.commit();
}
say("committed");
await store.close();
