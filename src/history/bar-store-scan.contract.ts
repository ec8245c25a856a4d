/**
 * The {@link BarStore} contract on `scan`: order, chunk sizes, symbol filters, and a model of
 * upserts under random writes.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Bar } from "../domain/bar.js";
import { PROVENANCE_CODES, type Provenance } from "../domain/provenance.js";
import type { BarStore } from "./bar-store.js";
import { collectScan, contractBar, M, T0 } from "./bar-store-fixtures.test-helpers.js";

/** Registers the contract's tests of scans (inside `barStoreContract`'s suite). */
export function scanContract(make: () => Promise<BarStore>): void {
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
            fc.constantFrom("A", "B", "c"),
            fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 99 })), {
              maxLength: 12,
            }),
            fc.constantFrom<Provenance | undefined>(undefined, "live", "replay", "corrected"),
          ),
          { maxLength: 8 },
        ),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 31 }),
        async (writes, a, b) => {
          const store = await make();
          const model = new Map<string, Map<number, Bar>>();
          const codes = new Map<string, number>();
          for (const [given, items, provenance] of writes) {
            const symbol = given.toUpperCase();
            const bars = items.map(([m, seed]) => contractBar(m, seed));
            await store.writeBars(given, bars, provenance === undefined ? {} : { provenance });
            const series = model.get(symbol) ?? new Map<number, Bar>();
            for (const bar of bars) {
              series.set(bar.time, bar);
              codes.set(`${symbol}@${bar.time}`, provenance ? PROVENANCE_CODES[provenance] : 0);
            }
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
          const scanned = await collectScan(store.scan({ from, to, chunkSize: 7 }));
          expect(scanned.rows).toEqual(expected);
          expect(
            scanned.codes,
            "each bar keeps the provenance of the write that stored it",
          ).toEqual(expected.map(([symbol, bar]) => codes.get(`${symbol}@${bar.time}`)));
          expect(await store.symbols()).toEqual([...model.keys()].sort());
          await store.close();
        },
      ),
      { numRuns: runs(25) },
    );
  });
}
