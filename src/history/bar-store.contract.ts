/**
 * The contract every {@link BarStore} adapter honours, as a vitest suite. An adapter's test file
 * calls {@link barStoreContract} with a factory for a fresh, empty store.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError, InvalidBarError } from "../domain/errors.js";
import type { BarChunk, BarStore } from "./bar-store.js";

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;

/** A valid bar at `T0 + minute` whose prices derive from `seed`. */
export function contractBar(minute: number, seed = minute): Bar {
  const open = 100 + (seed % 17) * 0.25;
  const close = open + ((seed % 5) - 2) * 0.125;
  return {
    time: T0 + minute * M,
    open,
    high: Math.max(open, close) + 0.5,
    low: Math.min(open, close) - 0.5,
    close,
    volume: 1000 + seed,
  };
}

/** Every bar of the chunks, flattened to `[symbol, bar]` pairs in order. */
export async function collectScan(
  chunks: AsyncIterable<BarChunk>,
): Promise<{ rows: [string, Bar][]; sizes: number[] }> {
  const rows: [string, Bar][] = [];
  const sizes: number[] = [];
  for await (const c of chunks) {
    sizes.push(c.length);
    for (let i = 0; i < c.length; i++) {
      rows.push([
        c.symbol[i]!,
        {
          time: c.time[i]!,
          open: c.open[i]!,
          high: c.high[i]!,
          low: c.low[i]!,
          close: c.close[i]!,
          volume: c.volume[i]!,
        },
      ]);
    }
  }
  return { rows, sizes };
}

/**
 * Registers the shared `BarStore` contract tests for one adapter.
 *
 * @param name - the adapter's name, used as the suite title.
 * @param create - makes a fresh, empty store for each test (it is closed after the test).
 * @example
 * ```ts
 * barStoreContract("MemoryBarStore", async () => new MemoryBarStore());
 * ```
 */
export function barStoreContract(name: string, create: () => Promise<BarStore>): void {
  describe(`BarStore contract: ${name}`, () => {
    const open: BarStore[] = [];
    const make = async (): Promise<BarStore> => {
      const store = await create();
      open.push(store);
      return store;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
    });

    it("starts empty", async () => {
      const store = await make();
      expect(await store.symbols()).toEqual([]);
      expect(await store.coverage("AAPL")).toBeUndefined();
      expect(await store.readBars("AAPL", 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
      expect(
        (await collectScan(store.scan({ from: 0, to: Number.MAX_SAFE_INTEGER }))).rows,
      ).toEqual([]);
    });

    it("reads back written bars in time order within [from, to)", async () => {
      const store = await make();
      const bars = [3, 0, 2, 1, 4].map((m) => contractBar(m));
      await store.writeBars("AAPL", bars);
      const all = await store.readBars("AAPL", T0, T0 + 5 * M);
      expect(all.map((b) => b.time)).toEqual([0, 1, 2, 3, 4].map((m) => T0 + m * M));
      expect(all[2]).toEqual(contractBar(2));
      const part = await store.readBars("AAPL", T0 + M, T0 + 3 * M);
      expect(
        part.map((b) => b.time),
        "from is inclusive, to exclusive",
      ).toEqual([T0 + M, T0 + 2 * M]);
      expect(await store.readBars("AAPL", T0 + 3 * M, T0 + 3 * M), "empty range").toEqual([]);
      expect(await store.readBars("MSFT", T0, T0 + 5 * M), "unknown symbol").toEqual([]);
    });

    it("refuses a NaN bound instead of answering nothing", async () => {
      const store = await make();
      await store.writeBars("AAPL", [contractBar(0)]);
      await expect(store.readBars("AAPL", Number.NaN, T0 + M)).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(store.readBars("AAPL", T0, Number.NaN)).rejects.toThrow(/readBars range/);
      expect(
        await store.readBars("AAPL", Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY),
        "open ends are allowed",
      ).toHaveLength(1);
    });

    it("keeps prices and volumes exactly (doubles round-trip)", async () => {
      const store = await make();
      const odd: Bar = {
        time: T0,
        open: 0.1 + 0.2,
        high: 1e9 + 0.000123,
        low: 1e-9,
        close: 1 / 3,
        volume: 123456789012.5,
      };
      await store.writeBars("X", [odd]);
      expect(await store.readBars("X", T0, T0 + M)).toEqual([odd]);
      const { rows } = await collectScan(store.scan({ from: T0, to: T0 + M }));
      expect(rows).toEqual([["X", odd]]);
    });

    it("upserts: a bar at an existing time replaces it, and rewriting is idempotent", async () => {
      const store = await make();
      await store.writeBars("AAPL", [contractBar(0), contractBar(1), contractBar(2)]);
      const fix = contractBar(1, 99);
      await store.writeBars("AAPL", [fix, contractBar(3)]);
      await store.writeBars("AAPL", [fix, contractBar(3)]);
      const bars = await store.readBars("AAPL", T0, T0 + 10 * M);
      expect(bars).toEqual([contractBar(0), fix, contractBar(2), contractBar(3)]);
      expect(await store.coverage("AAPL")).toEqual({ first: T0, last: T0 + 3 * M, count: 4 });
    });

    it("takes the last of two bars with one time in the same write", async () => {
      const store = await make();
      await store.writeBars("AAPL", [contractBar(0, 1), contractBar(0, 2), contractBar(1)]);
      expect(await store.readBars("AAPL", T0, T0 + 2 * M)).toEqual([
        contractBar(0, 2),
        contractBar(1),
      ]);
    });

    it("refuses a batch with an invalid bar and leaves the store as it was", async () => {
      const store = await make();
      await store.writeBars("AAPL", [contractBar(0), contractBar(1)]);
      const bad = { ...contractBar(5), high: 1 };
      await expect(
        store.writeBars("AAPL", [contractBar(1, 42), contractBar(2), bad]),
      ).rejects.toBeInstanceOf(InvalidBarError);
      await expect(store.writeBars("MSFT", [contractBar(2), bad])).rejects.toThrow(/MSFT.*high/);
      expect(await store.readBars("AAPL", T0, T0 + 10 * M)).toEqual([
        contractBar(0),
        contractBar(1),
      ]);
      expect(await store.symbols(), "no symbol appears from a refused write").toEqual(["AAPL"]);
    });

    it("copies bars in and out", async () => {
      const store = await make();
      const bar = { ...contractBar(0) };
      await store.writeBars("AAPL", [bar]);
      bar.close = -1;
      const [read] = await store.readBars("AAPL", T0, T0 + M);
      (read as { close: number }).close = -2;
      expect((await store.readBars("AAPL", T0, T0 + M))[0]).toEqual(contractBar(0));
    });

    it("lists symbols sorted and reports coverage", async () => {
      const store = await make();
      await store.writeBars("MSFT", [contractBar(5), contractBar(9)]);
      await store.writeBars("AAPL", [contractBar(1)]);
      await store.writeBars("EMPTY", []);
      await store.writeBars("BRK.B", [contractBar(2), contractBar(3), contractBar(4)]);
      expect(await store.symbols()).toEqual(["AAPL", "BRK.B", "MSFT"]);
      expect(await store.coverage("MSFT")).toEqual({
        first: T0 + 5 * M,
        last: T0 + 9 * M,
        count: 2,
      });
      expect(await store.coverage("EMPTY")).toBeUndefined();
    });

    it("scans in (time, symbol) order, in chunks of at most chunkSize", async () => {
      const store = await make();
      await store.writeBars(
        "MSFT",
        [0, 1, 2, 3].map((m) => contractBar(m, m + 10)),
      );
      await store.writeBars(
        "AAPL",
        [1, 2, 4].map((m) => contractBar(m)),
      );
      await store.writeBars(
        "ZZ",
        [0, 4, 5].map((m) => contractBar(m, m + 20)),
      );
      const { rows, sizes } = await collectScan(
        store.scan({ from: T0 + M, to: T0 + 5 * M, chunkSize: 2 }),
      );
      expect(rows.map(([s, b]) => `${(b.time - T0) / M}${s}`)).toEqual([
        "1AAPL",
        "1MSFT",
        "2AAPL",
        "2MSFT",
        "3MSFT",
        "4AAPL",
        "4ZZ",
      ]);
      expect(rows[1]![1]).toEqual(contractBar(1, 11));
      expect(
        sizes.every((n) => n >= 1 && n <= 2),
        `chunk sizes ${sizes}`,
      ).toBe(true);
    });

    it("scans only the symbols asked for, and nothing for unknown ones", async () => {
      const store = await make();
      await store.writeBars("A", [contractBar(0), contractBar(1)]);
      await store.writeBars("B", [contractBar(0)]);
      await store.writeBars("C", [contractBar(1)]);
      const { rows } = await collectScan(
        store.scan({ symbols: ["C", "A", "NOPE"], from: T0, to: T0 + 2 * M }),
      );
      expect(rows.map(([s, b]) => `${(b.time - T0) / M}${s}`)).toEqual(["0A", "1A", "1C"]);
      const none = await collectScan(store.scan({ symbols: [], from: T0, to: T0 + 2 * M }));
      expect(none.rows, "an empty symbol list scans nothing").toEqual([]);
    });

    it("scans many bars across several chunks without losing or repeating one", async () => {
      const store = await make();
      const n = 5000;
      const names = ["S1", "S2", "S3"];
      for (const [k, s] of names.entries()) {
        await store.writeBars(
          s,
          Array.from({ length: n }, (_, m) => contractBar(m * (k + 1), m + k)),
        );
      }
      const { rows, sizes } = await collectScan(
        store.scan({ from: T0, to: T0 + 3 * n * M, chunkSize: 1000 }),
      );
      expect(rows.length).toBe(3 * n);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
      for (let i = 1; i < rows.length; i++) {
        const [ps, pb] = rows[i - 1]!;
        const [s, b] = rows[i]!;
        const ordered = pb.time < b.time || (pb.time === b.time && ps < s);
        if (!ordered) expect.fail(`row ${i} (${s} ${b.time}) is not after (${ps} ${pb.time})`);
      }
    });

    it("matches a model of upserts under random writes (property)", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              fc.constantFrom("A", "B", "C"),
              fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 99 })), {
                maxLength: 12,
              }),
            ),
            { maxLength: 8 },
          ),
          fc.integer({ min: 0, max: 30 }),
          fc.integer({ min: 0, max: 31 }),
          async (writes, a, b) => {
            const store = await make();
            const model = new Map<string, Map<number, Bar>>();
            for (const [symbol, items] of writes) {
              const bars = items.map(([m, seed]) => contractBar(m, seed));
              await store.writeBars(symbol, bars);
              const series = model.get(symbol) ?? new Map<number, Bar>();
              for (const bar of bars) series.set(bar.time, bar);
              if (series.size > 0) model.set(symbol, series);
            }
            const from = T0 + Math.min(a, b) * M;
            const to = T0 + Math.max(a, b) * M;
            const expected: [string, Bar][] = [];
            for (const [symbol, series] of model) {
              const inRange = [...series.values()].filter((x) => x.time >= from && x.time < to);
              expect(await store.readBars(symbol, from, to)).toEqual(
                inRange.sort((x, y) => x.time - y.time),
              );
              for (const bar of inRange) expected.push([symbol, bar]);
            }
            expected.sort((x, y) => x[1].time - y[1].time || (x[0] < y[0] ? -1 : 1));
            const { rows } = await collectScan(store.scan({ from, to, chunkSize: 7 }));
            expect(rows).toEqual(expected);
            expect(await store.symbols()).toEqual([...model.keys()].sort());
            await store.close();
          },
        ),
        { numRuns: runs(25) },
      );
    });

    it("fails further calls after close", async () => {
      const store = await make();
      await store.writeBars("AAPL", [contractBar(0)]);
      await store.close();
      await expect(store.readBars("AAPL", T0, T0 + M)).rejects.toThrow();
      await expect(store.writeBars("AAPL", [contractBar(1)])).rejects.toThrow();
    });
  });
}
