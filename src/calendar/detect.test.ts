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
    ["VOD.L", "XLON"],
    ["BARC.LN", "XLON"],
    ["7203.T", "XTKS"],
    ["0700.HK", "XHKG"],
    ["6EH4", "GLBX"],
    ["6EH4.XCME", "GLBX"],
    ["6E", "GLBX"],
    ["6J", "GLBX"],
    ["ESZ24", "GLBX"],
    ["MESH4", "GLBX"],
    ["NQM5", "GLBX"],
    ["CL=F", "GLBX"],
    ["GCQ4", "GLBX"],
    ["ZNU25", "GLBX"],
    ["SR3H5", "GLBX"],
  ])("%s trades on %s", (symbol, name) => {
    expect(detectCalendar(symbol)?.name).toBe(name);
  });

  it("takes a bare letter root for the US stock it also is, and unknown roots for no future", () => {
    expect(detectCalendar("ES")?.name, "Eversource Energy").toBe("XNYS");
    expect(detectCalendar("CL")?.name, "Colgate-Palmolive").toBe("XNYS");
    expect(detectCalendar("XXZ4"), "no Globex root").toBeUndefined();
    expect(detectCalendar("6EA4"), "A is no month code").toBeUndefined();
  });

  it("says nothing where nothing in the symbol tells", () => {
    expect(detectCalendar("AAPLUSD"), "a ticker against a fiat quote is no coin").toBeUndefined();
    expect(detectCalendar("SOME_LONG_NAME_42")).toBeUndefined();
  });

  it("takes a Binance file for crypto whatever the symbol", () => {
    expect(detectCalendar("AAPL", { format: "binance" })?.name).toBe("24/7");
  });
});
