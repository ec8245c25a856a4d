import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { runs } from "../../../test/fast-check.js";
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { fastImportPath } from "./duckdb-staged-import.js";
import { NOW, sameOnBothPaths } from "./fast-path.test-helpers.js";
import { importFile } from "./import-file.js";
import type { ImportOptions } from "./import-options.js";
import { tempFiles } from "./import-test-support.test-helpers.js";

const { write } = tempFiles("fast-csv");
const same = (name: string, text: string, options: ImportOptions = {}) =>
  sameOnBothPaths(write(name, text), options);
const T = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;

const iso = (t: number): string => new Date(t).toISOString().slice(0, 19).replace("T", " ");

/** A clean file of `n` bars: header, ISO times, two-decimal prices. */
function rows(n: number, time: (t: number) => string = iso, start = T): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      `${time(start + i * M)},${(10 + i / 100).toFixed(2)},${(10.5 + i / 100).toFixed(2)},${(9.5 + i / 100).toFixed(2)},${(10.25 + i / 100).toFixed(2)},${100 + i}`,
  );
}
const HEADER = "timestamp,open,high,low,close,volume";

afterEach(() => {
  fastImportPath.enabled = true;
});

describe("the DuckDB CSV path imports what the parser imports, the same way", () => {
  it.each([
    ["ISO with a header", [HEADER, ...rows(50)].join("\n"), {}],
    [
      "ISO T…Z, CRLF",
      [HEADER, ...rows(50, (t) => `${new Date(t).toISOString().slice(0, 19)}Z`)].join("\r\n"),
      {},
    ],
    ["minutes without seconds, no header", rows(50, (t) => iso(t).slice(0, 16)).join("\n"), {}],
    ["epoch ms, semicolons", rows(50, String).join("\n").replaceAll(",", ";"), {}],
    ["epoch seconds", rows(50, (t) => String(t / 1000)).join("\n"), {}],
    [
      "end-stamped, price scale",
      [HEADER, ...rows(50)].join("\n"),
      { stamp: "end", priceScale: 100 },
    ],
    [
      "no volume column",
      [HEADER.replace(",volume", ""), ...rows(50).map((r) => r.replace(/,\d+$/, ""))].join("\n"),
      {},
    ],
    ["a BOM and a trailing blank line", `\uFEFF${[HEADER, ...rows(50)].join("\n")}\n\n`, {}],
    [
      "repeated and earlier times",
      [HEADER, ...rows(20), ...rows(10), ...rows(5, iso, T - 100 * M)].join("\n"),
      {},
    ],
    [
      "prices of eight decimals",
      [HEADER, ...rows(20).map((r) => r.replace(/,10\.(\d\d),/, ",10.$1345678,"))].join("\n"),
      {},
    ],
  ] as const)("%s", async (name, text, options) => {
    const path = await same(`${name.replace(/\W+/g, "-")}.csv`, text, options as ImportOptions);
    expect(path, "the fast path took the file").toEqual(["imported"]);
  });

  // Each fault: the parser's refusal (or, with skipInvalid, its listing) must be what the user
  // sees, so the fast path must hand the file back.
  const faults: [string, (line: string) => string][] = [
    ["a price that is not a number", (l) => l.replace(/,(\d+\.\d+),/, ",abc,")],
    ["an empty field", (l) => l.replace(/,(\d+\.\d+),/, ",,")],
    ["an underscore in a number", (l) => l.replace(/,10\.(\d)/, ",1_0.$1")],
    ["a sign pair", (l) => l.replace(/,10\./, ",+-10.")],
    ["a one-digit month", (l) => l.replace("2024-01-", "2024-1-")],
    ["a time off the minute", (l) => l.replace(/:00,/, ":30,")],
    ["a time before 1971", (l) => l.replace(/^2024/, "1960")],
    ["high below low", (l) => l.replace(/,10\.5\d,/, ",1.00,")],
    ["a negative volume", (l) => l.replace(/,(\d+)$/, ",-$1")],
    ["a zero price", (l) => l.replace(/,10\.\d\d,/, ",0,")],
    ["a price beyond 1e12", (l) => l.replace(/^([^,]+),[^,]+,[^,]+/, "$1,2e12,3e12")],
    ["NaN and Infinity", (l) => l.replace(/,(\d+)$/, ",NaN").replace(/,10\.\d\d,/, ",Infinity,")],
    ["a short line", (l) => l.replace(/,[^,]+$/, "")],
    ["an extra field", (l) => `${l},7`],
    ["a whitespace-only line", (l) => `${l}\n   `],
    ["a quoted field", (l) => l.replace(/,(10\.\d\d),/, ',"$1",')],
    ["a time with spaces", (l) => ` ${l}`],
    ["a long line", (l) => `${l}${" ".repeat(300)}`],
  ];
  for (const skipInvalid of [false, true]) {
    it.each(faults)(
      `${skipInvalid ? "lists" : "refuses"} %s exactly as the parser does`,
      async (name, fault) => {
        const lines = [HEADER, ...rows(40)];
        lines[17] = fault(lines[17]!);
        await same(`fault-${name.replace(/\W+/g, "-")}-${skipInvalid}.csv`, lines.join("\n"), {
          skipInvalid,
          maxLineBytes: 200,
        });
      },
    );
  }

  it("gives the parser's result on generated files with injected faults (property)", async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 60 }),
          header: fc.boolean(),
          epoch: fc.boolean(),
          crlf: fc.boolean(),
          shuffle: fc.boolean(),
          skipInvalid: fc.boolean(),
          faults: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: faults.length - 1 })), {
            maxLength: 2,
          }),
        }),
        async ({ n, header, epoch, crlf, shuffle, skipInvalid, faults: injected }) => {
          let body = rows(n, epoch ? String : iso);
          if (shuffle) body = body.map((_, i) => body[(i * 7) % n]!);
          for (const [at, f] of injected) body[at % n] = faults[f]![1](body[at % n]!);
          const text = [...(header ? [HEADER] : []), ...body].join(crlf ? "\r\n" : "\n");
          await same(`prop-${k++}.csv`, text, { skipInvalid, maxLineBytes: 200 });
        },
      ),
      { numRuns: runs(25) },
    );
  }, 120_000);

  it("leaves nothing of a file the commit of which fails, and the store usable", async () => {
    const path = write("ok.csv", [HEADER, ...rows(30)].join("\n"));
    const store = await DuckDbBarStore.open(":memory:");
    const taken: string[] = [];
    fastImportPath.onOutcome = (_, o) => taken.push(o);
    try {
      await importFile(store, path, { symbol: "OK", now: NOW });
      const bad = write(
        "bad.csv",
        [HEADER, ...rows(30, iso, T + 30 * M), "2024-01-02 99:00:00,1,1,1,1,1"].join("\n"),
      );
      const error = await importFile(store, bad, { symbol: "OK", now: NOW }).catch((e: Error) => e);
      expect(String(error)).toMatch(/bad\.csv:32: time "2024-01-02 99:00:00" is not a timestamp/);
      expect(taken[0]).toBe("imported");
      expect(taken[1]).toMatch(/^rejected by read_csv/);
      expect(await store.coverage("OK"), "the refused file left nothing").toMatchObject({
        count: 30,
      });
    } finally {
      fastImportPath.onOutcome = undefined;
      await store.close();
    }
  });
});
