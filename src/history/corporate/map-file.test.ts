import { describe, expect, it } from "vitest";
import { CorporateActionFileError } from "./corporate-errors.js";
import { formatMapFile, parseMapFile, tickerOn } from "./map-file.js";

// OLDCO renamed to NEWCO with effect from Friday 2024-03-01: the last day as OLDCO is 02-29.
const RENAME = "20100104,oldco,Q\n20240229,oldco,Q\n20501231,newco,Q\n";

describe("parseMapFile and tickerOn", () => {
  const rows = parseMapFile(RENAME, "newco.csv");

  it("reads dates, upper-case tickers and exchanges", () => {
    expect(rows).toEqual([
      { date: "2010-01-04", ticker: "OLDCO", exchange: "Q" },
      { date: "2024-02-29", ticker: "OLDCO", exchange: "Q" },
      { date: "2050-12-31", ticker: "NEWCO", exchange: "Q" },
    ]);
    expect(parseMapFile(formatMapFile(rows), "again.csv")).toEqual(rows);
  });

  it("answers the old ticker up to and including the rename's last day, the new one after", () => {
    expect(tickerOn(rows, "2024-02-29")).toBe("OLDCO");
    expect(tickerOn(rows, "2024-03-01")).toBe("NEWCO");
    expect(tickerOn(rows, "2015-06-01"), "between rows").toBe("OLDCO");
  });

  it("answers the first ticker before the file begins, none after it ends", () => {
    expect(tickerOn(rows, "2001-01-02")).toBe("OLDCO");
    expect(tickerOn(rows, "2051-01-02"), "delisted").toBeUndefined();
  });

  it("reads rows without an exchange and ignores extra columns", () => {
    expect(parseMapFile("20240229,abc\n20501231,abd,Q,1\n", "m.csv")).toEqual([
      { date: "2024-02-29", ticker: "ABC" },
      { date: "2050-12-31", ticker: "ABD", exchange: "Q" },
    ]);
  });

  it("refuses dates going backwards, with the file and line", () => {
    const text = "20240229,oldco\n20240101,newco\n";
    expect(() => parseMapFile(text, "newco.csv")).toThrow(CorporateActionFileError);
    expect(() => parseMapFile(text, "newco.csv")).toThrow(
      /newco\.csv:2: date 20240101 is not after the previous row's 20240229: map dates must go forwards/,
    );
  });

  it("refuses a missing ticker and a bad date", () => {
    expect(() => parseMapFile("20240229,\n", "m.csv")).toThrow(/m\.csv:1: ticker is missing/);
    expect(() => parseMapFile("2024-02-29,abc\n", "m.csv")).toThrow(/m\.csv:1: date "2024-02-29"/);
  });
});
