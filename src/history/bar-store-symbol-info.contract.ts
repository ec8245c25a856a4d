/**
 * The {@link BarStore} contract on symbol info: `setSymbolInfo`, `symbolInfo`, `listSymbolInfo`.
 */
import { expect, it } from "vitest";
import { InvalidArgumentError } from "../domain/errors.js";
import type { BarStore, SymbolInfo } from "./bar-store.js";
import { contractBar, contractInfo } from "./bar-store-fixtures.test-helpers.js";

/** Registers the contract's tests of symbol info (inside `barStoreContract`'s suite). */
export function symbolInfoContract(make: () => Promise<BarStore>): void {
  it("keeps symbol info: none until set, set before any bar, upserted, sorted", async () => {
    const store = await make();
    expect(await store.symbolInfo("AAPL"), "nothing stored by default").toBeUndefined();
    await store.writeBars("AAPL", [contractBar(0)]);
    expect(await store.symbolInfo("AAPL"), "a write stores no info").toBeUndefined();
    expect(await store.listSymbolInfo()).toEqual([]);
    await store.setSymbolInfo(
      contractInfo("btcusdt", { calendar: "24/7", timeZone: "UTC", priceDecimals: 8 }),
    );
    expect(await store.symbols(), "info alone is not a symbol with bars").toEqual(["AAPL"]);
    expect(await store.coverage("BTCUSDT")).toBeUndefined();
    await store.setSymbolInfo(contractInfo("AAPL", { calendar: "xnys" }));
    expect(await store.symbolInfo("AAPL"), "the calendar is kept by its canonical name").toEqual(
      contractInfo("AAPL"),
    );
    await store.setSymbolInfo(contractInfo("AAPL", { priceDecimals: 4 }));
    await store.writeBars("BTCUSDT", [contractBar(1)]);
    expect(await store.listSymbolInfo()).toEqual([
      contractInfo("AAPL", { priceDecimals: 4 }),
      contractInfo("BTCUSDT", { calendar: "24/7", timeZone: "UTC", priceDecimals: 8 }),
    ]);
    expect(await store.symbols()).toEqual(["AAPL", "BTCUSDT"]);
    const info = await store.symbolInfo("AAPL");
    (info as { priceDecimals: number }).priceDecimals = 9;
    expect((await store.symbolInfo("AAPL"))?.priceDecimals, "info is copied out").toBe(4);
  });

  it("refuses symbol info with an unknown calendar or zone or impossible decimals", async () => {
    const store = await make();
    for (const [bad, pattern] of [
      [{ calendar: "NASDAQ" }, /unknown calendar "NASDAQ"/],
      [{ timeZone: "Mars/Olympus" }, /time zone "Mars\/Olympus" is not an IANA zone/],
      [{ priceDecimals: 11 }, /priceDecimals must be an integer from 0 to 10, got 11/],
      [{ priceDecimals: 1.5 }, /priceDecimals/],
      [{ symbol: "" }, /symbol "" is not a valid symbol/],
    ] as const) {
      await expect(
        store.setSymbolInfo(contractInfo("AAPL", bad as Partial<SymbolInfo>)),
        JSON.stringify(bad),
      ).rejects.toThrow(pattern);
    }
    await expect(
      store.setSymbolInfo(contractInfo("AAPL", { calendar: "nasdaq" })),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await store.listSymbolInfo(), "nothing stored by a refused call").toEqual([]);
  });
}
