/**
 * The {@link BarStore} contract on `writeBars`, `readBars`, `symbols`, `coverage` and `close`:
 * upserts, validation, copies and symbol case.
 */
import { expect, it } from "vitest";
import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError, InvalidBarError } from "../domain/errors.js";
import type { BarStore } from "./bar-store.js";
import {
  collectScan,
  contractBar,
  contractInfo,
  M,
  T0,
} from "./bar-store-fixtures.test-helpers.js";

/** Registers the contract's tests of writing and reading bars (inside `barStoreContract`'s suite). */
export function readWriteContract(make: () => Promise<BarStore>): void {
  it("starts empty", async () => {
    const store = await make();
    expect(await store.symbols()).toEqual([]);
    expect(await store.coverage("AAPL")).toBeUndefined();
    expect(await store.readBars("AAPL", 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect((await collectScan(store.scan({ from: 0, to: Number.MAX_SAFE_INTEGER }))).rows).toEqual(
      [],
    );
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
    await expect(store.readBars("AAPL", Number.NaN, T0 + M)).rejects.toThrow(InvalidArgumentError);
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
    expect(await store.readBars("AAPL", T0, T0 + 10 * M)).toEqual([contractBar(0), contractBar(1)]);
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

  it("fails further calls after close", async () => {
    const store = await make();
    await store.writeBars("AAPL", [contractBar(0)]);
    await store.close();
    await expect(store.readBars("AAPL", T0, T0 + M)).rejects.toThrow();
    await expect(store.writeBars("AAPL", [contractBar(1)])).rejects.toThrow();
    await expect(store.setSymbolInfo(contractInfo("AAPL"))).rejects.toThrow();
    await expect(store.symbolInfo("AAPL")).rejects.toThrow();
  });

  it("stores symbols upper case and takes any case on every entry point", async () => {
    const store = await make();
    await store.writeBars("aapl", [contractBar(0), contractBar(1)]);
    await store.writeBars("Aapl", [contractBar(1, 50)]);
    await store.writeBars("brk.b", [contractBar(0)]);
    expect(await store.symbols(), "one upper-case symbol per name").toEqual(["AAPL", "BRK.B"]);
    expect(await store.readBars("AaPl", T0, T0 + 2 * M)).toEqual([
      contractBar(0),
      contractBar(1, 50),
    ]);
    expect((await store.coverage("aapl"))?.count).toBe(2);
    const { rows } = await collectScan(
      store.scan({ symbols: ["brk.B", "aapl"], from: T0, to: T0 + M }),
    );
    expect(rows.map(([s]) => s)).toEqual(["AAPL", "BRK.B"]);
    await store.setSymbolInfo(contractInfo("msft"));
    expect((await store.symbolInfo("MsFt"))?.symbol).toBe("MSFT");
    await expect(store.writeBars(" aapl", [contractBar(2)])).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
}
