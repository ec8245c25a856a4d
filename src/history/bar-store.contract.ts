/**
 * The contract every {@link BarStore} adapter honours, as a vitest suite. An adapter's test file
 * calls {@link barStoreContract} with a factory for a fresh, empty store. The tests live by
 * concern in bar-store-*.contract.ts; the fixtures in bar-store-fixtures.test-helpers.ts.
 */
import { afterEach, describe } from "vitest";
import type { BarStore } from "./bar-store.js";
import { countContract } from "./bar-store-count.contract.js";
import { provenanceContract } from "./bar-store-provenance.contract.js";
import { readWriteContract } from "./bar-store-read-write.contract.js";
import { scanContract } from "./bar-store-scan.contract.js";
import { symbolInfoContract } from "./bar-store-symbol-info.contract.js";

export { collectScan, contractBar, contractInfo } from "./bar-store-fixtures.test-helpers.js";

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

    readWriteContract(make);
    scanContract(make);
    provenanceContract(make);
    symbolInfoContract(make);
    countContract(make);
  });
}
