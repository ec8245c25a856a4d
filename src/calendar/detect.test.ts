import { describe, expect, it } from "vitest";
import { detectCalendar } from "./detect.js";

describe("detectCalendar", () => {
  it.each([
    ["ADABTC", "24/7"],
    ["BTCUSDT", "24/7"],
    ["ETHUSD", "24/7"],
    ["BTC-USD", "24/7"],
    ["BTC-PERP", "24/7"],
    ["SOLUSDC", "24/7"],
    ["GBPUSD", "24/5"],
    ["EUR/USD", "24/5"],
    ["usdjpy", "24/5"],
    ["AAPL", "XNYS"],
    ["BRK.B", "XNYS"],
    ["spy", "XNYS"],
  ])("%s trades on %s", (symbol, name) => {
    expect(detectCalendar(symbol)?.name).toBe(name);
  });

  it("says nothing where nothing in the symbol tells", () => {
    expect(detectCalendar("AAPLUSD"), "a ticker against a fiat quote is no coin").toBeUndefined();
    expect(detectCalendar("SOME_LONG_NAME_42")).toBeUndefined();
  });

  it("takes a Binance file for crypto whatever the symbol", () => {
    expect(detectCalendar("AAPL", { format: "binance" })?.name).toBe("24/7");
  });
});
