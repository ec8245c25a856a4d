/**
 * The {@link BarStore} contract on provenance: stored per bar by `writeBars` and the bulk path,
 * replaced on upsert, unknown ones refused.
 */
import { expect, it } from "vitest";
import type { Provenance } from "../domain/provenance.js";
import type { BarStore } from "./bar-store.js";
import { collectScan, contractBar, M, T0 } from "./bar-store-fixtures.test-helpers.js";
import { openBulkWriter } from "./bulk-writer.js";

/** Registers the contract's tests of provenance (inside `barStoreContract`'s suite). */
export function provenanceContract(make: () => Promise<BarStore>): void {
  it("stores each bar's provenance, 0 when none is given, and replaces it on upsert", async () => {
    const store = await make();
    await store.writeBars("AAPL", [contractBar(0), contractBar(1), contractBar(2)]);
    await store.writeBars("AAPL", [contractBar(1, 9)], { provenance: "corrected" });
    await store.writeBars("AAPL", [contractBar(3)], { provenance: "live" });
    await store.writeBars("MSFT", [contractBar(0)], { provenance: "refilled" });
    await store.writeBars("MSFT", [contractBar(1)], { provenance: "replay" });
    const { rows, codes } = await collectScan(store.scan({ from: T0, to: T0 + 10 * M }));
    expect(
      rows.map(([s, b], i) => `${(b.time - T0) / M}${s}=${codes[i]}`),
      "codes: 0 not recorded, 1 live, 2 replay, 3 refilled, 4 corrected",
    ).toEqual(["0AAPL=0", "0MSFT=3", "1AAPL=4", "1MSFT=2", "2AAPL=0", "3AAPL=1"]);
    expect((await store.readBars("AAPL", T0 + M, T0 + 2 * M))[0]).toEqual(contractBar(1, 9));
  });

  it("refuses an unknown provenance and writes nothing", async () => {
    const store = await make();
    await expect(
      store.writeBars("AAPL", [contractBar(0)], { provenance: "guessed" as Provenance }),
    ).rejects.toThrow(/provenance must be one of live, replay, refilled, corrected/);
    expect(await store.symbols()).toEqual([]);
  });

  it("takes provenance codes through the bulk path, and refuses a code that names none", async () => {
    const store = await make();
    const n = 4;
    const columns = {
      time: Float64Array.from({ length: n }, (_, i) => T0 + i * M),
      open: new Float64Array(n).fill(10),
      high: new Float64Array(n).fill(11),
      low: new Float64Array(n).fill(9),
      close: new Float64Array(n).fill(10.5),
      volume: new Float64Array(n).fill(100),
      provenance: Uint8Array.from([1, 1, 3, 0]),
    };
    const writer = await openBulkWriter(store);
    writer.append("eurusd", columns, n);
    expect(() =>
      writer.append("GBPUSD", { ...columns, provenance: Uint8Array.from([5]) }, 1),
    ).toThrow(/provenance code 5 of bar 0 for GBPUSD/);
    expect(await writer.commit()).toBe(n);
    const { rows, codes } = await collectScan(store.scan({ from: T0, to: T0 + n * M }));
    expect(rows.map(([s]) => s)).toEqual(["EURUSD", "EURUSD", "EURUSD", "EURUSD"]);
    expect(codes).toEqual([1, 1, 3, 0]);
    const plain = await openBulkWriter(store);
    const { provenance: _, ...without } = columns;
    plain.append("EURUSD", without, 2);
    await plain.commit();
    const again = await collectScan(store.scan({ from: T0, to: T0 + n * M }));
    expect(again.codes, "columns without provenance store 0").toEqual([0, 0, 3, 0]);
  });
}
