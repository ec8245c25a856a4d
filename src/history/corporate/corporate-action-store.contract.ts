/**
 * The contract every {@link CorporateActionStore} adapter passes: run it from each adapter's
 * test file with a factory of empty stores.
 */
import { describe, expect, it } from "vitest";
import type { CorporateActionStore } from "./corporate-action-store.js";
import type { FactorRow } from "./factor-file.js";
import type { MapRow } from "./map-file.js";

const SPLIT: FactorRow[] = [
  { date: "2024-03-14", priceFactor: 0.8893653, splitFactor: 0.5, referencePrice: 100.25 },
  { date: "2024-06-07", priceFactor: 1, splitFactor: 0.5, referencePrice: 120.5 },
  { date: "2050-12-31", priceFactor: 1, splitFactor: 1, referencePrice: 0 },
];
const RENAME: MapRow[] = [
  { date: "2010-01-04", ticker: "OLDCO", exchange: "Q" },
  { date: "2024-02-29", ticker: "OLDCO", exchange: "Q" },
  { date: "2050-12-31", ticker: "NEWCO" },
];

/** Registers the contract's tests for stores made by `make`. */
export function corporateActionStoreContract(
  name: string,
  make: () => Promise<{ store: CorporateActionStore; done: () => Promise<void> }>,
): void {
  describe(`${name} (CorporateActionStore contract)`, () => {
    it("stores factor and map rows and gives them back exactly, upper case on every entry point", async () => {
      const { store, done } = await make();
      try {
        await store.writeCorporateActions({
          factorFiles: new Map([["abc", SPLIT]]),
          mapFiles: new Map([["newco", RENAME]]),
        });
        expect(await store.factorRows("ABC"), "factors round-trip to the last bit").toEqual(SPLIT);
        expect(await store.factorRows("abc")).toEqual(SPLIT);
        expect(await store.mapRows("NEWCO")).toEqual(RENAME);
        expect(await store.factorSymbols()).toEqual(["ABC"]);
        expect(await store.mapTickers()).toEqual(new Map([["NEWCO", ["NEWCO", "OLDCO"]]]));
        expect(await store.factorRows("XYZ"), "a symbol without rows").toEqual([]);
        expect(await store.mapRows("XYZ")).toEqual([]);
      } finally {
        await done();
      }
    });

    it("replaces a symbol's rows and leaves the others", async () => {
      const { store, done } = await make();
      try {
        await store.writeCorporateActions({
          factorFiles: new Map([
            ["ABC", SPLIT],
            ["DEF", SPLIT.slice(1)],
          ]),
        });
        await store.writeCorporateActions({ factorFiles: new Map([["ABC", SPLIT.slice(2)]]) });
        expect(await store.factorRows("ABC")).toEqual(SPLIT.slice(2));
        expect(await store.factorRows("DEF")).toEqual(SPLIT.slice(1));
      } finally {
        await done();
      }
    });

    it("stores nothing of a batch with one bad file", async () => {
      const { store, done } = await make();
      try {
        const unsorted = [SPLIT[1]!, SPLIT[0]!];
        await expect(
          store.writeCorporateActions({
            factorFiles: new Map([
              ["ABC", SPLIT],
              ["BAD", unsorted],
            ]),
            mapFiles: new Map([["NEWCO", RENAME]]),
          }),
        ).rejects.toThrow(/factor row 1 of BAD is out of date order/);
        expect(await store.factorSymbols(), "all or nothing").toEqual([]);
        expect(await store.mapTickers()).toEqual(new Map());
        const zero = [{ ...SPLIT[0]!, splitFactor: 0 }];
        await expect(
          store.writeCorporateActions({ factorFiles: new Map([["Z", zero]]) }),
        ).rejects.toThrow(/non-positive factor/);
      } finally {
        await done();
      }
    });
  });
}
