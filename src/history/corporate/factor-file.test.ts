import { describe, expect, it } from "vitest";
import { CorporateActionFileError } from "./corporate-errors.js";
import { factorsOn, formatFactorFile, IDENTITY_FACTORS, parseFactorFile } from "./factor-file.js";

// A 2-for-1 split with ex-date Monday 2024-06-10 (the row is dated the Friday before), a dividend
// of 1.00 on a close of 100 with ex-date 2024-03-15, and LEAN's closing row.
const TWO_FOR_ONE = ["20240314,0.99,0.5,100", "20240607,1,0.5,120.5", "20501231,1,1,0"].join("\n");

describe("parseFactorFile and factorsOn", () => {
  const rows = parseFactorFile(TWO_FOR_ONE, "abc.csv");

  it("reads every row as dates and numbers", () => {
    expect(rows).toEqual([
      { date: "2024-03-14", priceFactor: 0.99, splitFactor: 0.5, referencePrice: 100 },
      { date: "2024-06-07", priceFactor: 1, splitFactor: 0.5, referencePrice: 120.5 },
      { date: "2050-12-31", priceFactor: 1, splitFactor: 1, referencePrice: 0 },
    ]);
    expect(parseFactorFile(formatFactorFile(rows), "again.csv"), "format round-trips").toEqual(
      rows,
    );
  });

  it("applies a row on its own date (the last day its factors hold)", () => {
    expect(factorsOn(rows, "2024-03-14").priceFactor).toBe(0.99);
    expect(factorsOn(rows, "2024-06-07").splitFactor, "the Friday before the split").toBe(0.5);
  });

  it("applies the first row to every date before it", () => {
    expect(factorsOn(rows, "2001-01-02")).toBe(rows[0]);
  });

  it("applies the next row between two rows", () => {
    const between = factorsOn(rows, "2024-03-15");
    expect(between.priceFactor, "the dividend's ex-date has the later dividend factor").toBe(1);
    expect(between.splitFactor, "but still the pre-split factor").toBe(0.5);
    expect(factorsOn(rows, "2024-06-10").splitFactor, "the split's ex-date").toBe(1);
  });

  it("gives 1, 1 after the last row and for an empty file", () => {
    expect(factorsOn(rows, "2051-01-02")).toBe(IDENTITY_FACTORS);
    expect(factorsOn([], "2024-01-02")).toBe(IDENTITY_FACTORS);
  });

  it("reads a 1-for-8 reverse split (split factor 8 before it)", () => {
    const reverse = parseFactorFile("20240105,1,8,2.1\n20501231,1,1,0\n", "rev.csv");
    expect(factorsOn(reverse, "2024-01-05").splitFactor).toBe(8);
    expect(factorsOn(reverse, "2024-01-08").splitFactor).toBe(1);
  });

  it("reads a dividend-only file (split factor 1 throughout)", () => {
    const dividend = parseFactorFile("20240314,0.98,1,50\n20501231,1,1,0\n", "div.csv");
    const f = factorsOn(dividend, "2024-03-01");
    expect([f.priceFactor, f.splitFactor]).toEqual([0.98, 1]);
  });

  it("allows a header, blank lines, CRLF and a missing reference price", () => {
    const rows2 = parseFactorFile(
      "date,pf,sf,ref\r\n\r\n20240105,1,0.25\r\n20501231,1,1,0\r\n",
      "h.csv",
    );
    expect(rows2[0]).toEqual({
      date: "2024-01-05",
      priceFactor: 1,
      splitFactor: 0.25,
      referencePrice: 0,
    });
  });

  const bad: [string, string, RegExp][] = [
    [
      "unsorted",
      "20240607,1,0.5,1\n20240314,1,0.5,1\n",
      /bad\.csv:2: date 20240314 is not after the previous row's 20240607/,
    ],
    ["a repeated date", "20240607,1,0.5,1\n20240607,1,1,0\n", /bad\.csv:2: date/],
    [
      "a zero split factor",
      "20240607,1,0,1\n",
      /bad\.csv:1: splitFactor must be a positive number, got "0"/,
    ],
    [
      "a negative price factor",
      "20240607,-1,1,1\n",
      /bad\.csv:1: priceFactor must be a positive number/,
    ],
    ["a bad date", "20241307,1,1,1\n", /bad\.csv:1: date "20241307" is not a yyyymmdd date/],
    ["too few fields", "20240607,1\n", /bad\.csv:1: expected yyyymmdd,priceFactor,splitFactor/],
    [
      "a negative reference price",
      "20240607,1,1,-3\n",
      /bad\.csv:1: referencePrice must be a number >= 0/,
    ],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what} with the file and line`, () => {
      expect(() => parseFactorFile(text, "bad.csv")).toThrow(CorporateActionFileError);
      expect(() => parseFactorFile(text, "bad.csv")).toThrow(message);
    });
  }
});
