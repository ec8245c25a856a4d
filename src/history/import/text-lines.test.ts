import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ImportError } from "../../domain/errors.js";
import { openBulkWriter } from "../bulk-writer.js";
import { MemoryBarStore } from "../memory-bar-store.js";
import { readDelimited } from "./delimited.js";
import { ImportSink } from "./import-sink.js";
import { RowRules } from "./row-rules.js";
import { forEachLine } from "./text-lines.js";
import { TimestampParser } from "./timestamps.js";

const CHUNK = 64 << 10;
const T = Date.UTC(2024, 0, 2, 14, 30);

/** One long line of `total` characters in 64 KiB chunks, then a good row; counts the chunks taken. */
function longLine(total: number, after = `${T},1,2,1,2,3\n`) {
  const counter = { taken: 0 };
  const piece = "x".repeat(CHUNK);
  function* chunks(): Generator<string> {
    for (let sent = 0; sent < total; sent += CHUNK) {
      counter.taken++;
      yield piece;
    }
    counter.taken++;
    yield `\n${after}`;
  }
  return { chunks: chunks(), counter };
}

async function sinkFor(skipInvalid: boolean) {
  const store = new MemoryBarStore();
  const writer = await openBulkWriter(store);
  return {
    store,
    writer,
    sink: new ImportSink(writer, "long.csv", skipInvalid, new RowRules({ now: T })),
  };
}

const spec = {
  file: "long.csv",
  symbol: "LONG",
  timestamps: new TimestampParser(),
  priceScale: 1,
  timeShift: 0,
};

describe("a line over the limit", () => {
  it("is refused once 1 MiB of it has arrived, not after the whole 64 MiB line is gathered", async () => {
    const { chunks, counter } = longLine(64 << 20);
    const { sink } = await sinkFor(false);
    const error = await readDelimited(chunks, spec, sink).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toMatch(
      /^long\.csv:1: the line is longer than 1,048,576 bytes; --max-line-bytes raises the limit \(--skip-invalid/,
    );
    expect(counter.taken, "the read stops within a chunk or two of the limit").toBeLessThanOrEqual(
      (1 << 20) / CHUNK + 2,
    );
  });

  it("is passed over unread with skipInvalid, and the lines after it are read and numbered", async () => {
    const { chunks } = longLine(8 << 20);
    const { sink, writer, store } = await sinkFor(true);
    await readDelimited(chunks, { ...spec, maxLineBytes: 1000 }, sink);
    await writer.commit();
    expect(sink.skipped.map((s) => [s.line, s.reason.slice(0, 29)])).toEqual([
      [1, "the line is longer than 1,000"],
    ]);
    expect((await store.readBars("LONG", 0, Number.POSITIVE_INFINITY)).map((b) => b.time)).toEqual([
      T,
    ]);
  });
});

describe("forEachLine", () => {
  it("gives the same lines for any split of the text, any line ending (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-z0-9,.]{0,12}$/), { minLength: 1, maxLength: 20 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (lines, eol, cuts) => {
          const text = lines.join(eol);
          const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...at, text.length]
            .slice(1)
            .map((end, k, ends) => text.slice(k === 0 ? 0 : ends[k - 1], end))
            .filter((c) => c.length > 0);
          const seen: string[] = [];
          await forEachLine(chunks, { maxLineBytes: 100, tooLong: () => {} }, (t, s, e) => {
            seen.push(t.slice(s, e));
          });
          const expected = text.split(/\r\n|\r|\n/);
          if (expected.at(-1) === "") expected.pop();
          expect(seen, JSON.stringify(chunks)).toEqual(expected);
        },
      ),
    );
  });

  it("counts a refused line and goes on at the next one", async () => {
    const lines: [number, string][] = [];
    const refused: number[] = [];
    await forEachLine(
      ["ok\n", "y".repeat(30), "y".repeat(30), "\nnext\r\n", "z".repeat(40), "\nlast"],
      { maxLineBytes: 20, tooLong: (line) => refused.push(line) },
      (t, s, e, line) => lines.push([line, t.slice(s, e)]),
    );
    expect(lines).toEqual([
      [1, "ok"],
      [3, "next"],
      [5, "last"],
    ]);
    expect(refused).toEqual([2, 4]);
  });
});
