import { describe, expect, it } from "vitest";
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { importFile } from "./import-file.js";
import { ImportInterruptedError } from "./import-options.js";
import { tempFiles } from "./import-test-support.test-helpers.js";

const { dir, write } = tempFiles("abort");
const T = Date.UTC(2024, 0, 2);
const M = 60_000;

/** A CSV of `n` one-minute bars from `start`. */
function csv(n: number, start = T): string {
  let text = "time,open,high,low,close,volume\n";
  for (let i = 0; i < n; i++) text += `${start + i * M},10.25,10.5,10,10.25,${100 + i}\n`;
  return text;
}

write("a.csv", csv(10));
// Several 1 MiB chunks: the abort is seen between two of them.
write("b.csv", csv(60_000, T + 10 * M));
write("c.csv", csv(5, T + 70_000 * M));

async function interrupted(work: Promise<unknown>): Promise<ImportInterruptedError> {
  const error = await work.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ImportInterruptedError);
  return error as ImportInterruptedError;
}

describe("importFile: an AbortSignal stops between files or rolls back the file in flight", () => {
  it("after a file's commit: that file stays, the rest are not started", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const controller = new AbortController();
    const e = await interrupted(
      importFile(store, dir, { signal: controller.signal, onFile: () => controller.abort() }),
    );
    expect(e.result.files.map((f) => f.file)).toEqual([`${dir}/a.csv`]);
    expect([e.rolledBack, e.notStarted]).toEqual([undefined, [`${dir}/b.csv`, `${dir}/c.csv`]]);
    expect(e.message).toBe("import interrupted: 1 file committed, 2 not started");
    expect(await store.coverage("A")).toMatchObject({ count: 10 });
    expect(await store.symbols()).toEqual(["A"]);
    await store.close();
  });

  it("inside a file: nothing of it is written, and importing again completes exactly", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const controller = new AbortController();
    const e = await interrupted(
      importFile(store, dir, {
        signal: controller.signal,
        onProgress: ({ file, done, total }) => {
          if (file.endsWith("b.csv") && done < total) controller.abort();
        },
      }),
    );
    expect([e.rolledBack, e.notStarted]).toEqual([`${dir}/b.csv`, [`${dir}/c.csv`]]);
    expect(e.message).toBe(
      `import interrupted: 1 file committed, ${dir}/b.csv rolled back, 1 not started`,
    );
    expect(await store.symbols(), "b.csv left nothing").toEqual(["A"]);
    const again = await importFile(store, dir);
    expect([again.rows, again.bars]).toEqual([60_015, 60_015]);
    for (const [symbol, count] of [
      ["A", 10],
      ["B", 60_000],
      ["C", 5],
    ] as const) {
      expect(await store.coverage(symbol), symbol).toMatchObject({ count });
    }
    await store.close();
  });

  it("refuses to start when the signal has already fired", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const e = await interrupted(importFile(store, dir, { signal: AbortSignal.abort() }));
    expect(e.notStarted).toHaveLength(3);
    expect(await store.symbols()).toEqual([]);
    await store.close();
  });
});
