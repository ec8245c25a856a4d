import { describe, expect, it } from "vitest";
import { xnysCalendar } from "../../calendar/xnys.js";
import { factorRowsFromActions, parseCorporateActionCsv } from "./action-csv.js";
import { CorporateActionFileError } from "./corporate-errors.js";
import { factorsOn } from "./factor-file.js";

const closes: Record<string, number> = {
  "ABC 2024-03-14": 100,
  "ABC 2024-06-07": 120,
  "REV 2024-01-05": 2,
};
const lookup = async (symbol: string, date: string) => closes[`${symbol} ${date}`];

describe("the plain CSV of splits and dividends", () => {
  it("converts a dividend and a later 2-for-1 split the way LEAN does", async () => {
    const rows = parseCorporateActionCsv(
      "date,symbol,split_ratio,dividend\n2024-06-10,abc,2,\n2024-03-15,abc,,1.00\n",
      "actions.csv",
    );
    const factors = (await factorRowsFromActions(rows, "actions.csv", xnysCalendar, lookup)).get(
      "ABC",
    )!;
    expect(factors, "one row per ex-date, dated the session before it, plus 20501231").toEqual([
      { date: "2024-03-14", priceFactor: 0.99, splitFactor: 0.5, referencePrice: 100 },
      { date: "2024-06-07", priceFactor: 1, splitFactor: 0.5, referencePrice: 120 },
      { date: "2050-12-31", priceFactor: 1, splitFactor: 1, referencePrice: 0 },
    ]);
    const before = factorsOn(factors, "2024-03-14");
    expect(
      100 * before.priceFactor,
      "the adjusted close before the ex-date drops by the dividend",
    ).toBeCloseTo(99, 12);
  });

  it("converts a 1-for-8 reverse split to a split factor of 8", async () => {
    const rows = parseCorporateActionCsv(
      "date,symbol,split_ratio,dividend\n20240108,REV,0.125,0\n",
      "a.csv",
    );
    const factors = (await factorRowsFromActions(rows, "a.csv", xnysCalendar, lookup)).get("REV")!;
    expect(factors[0]).toEqual({
      date: "2024-01-05",
      priceFactor: 1,
      splitFactor: 8,
      referencePrice: 2,
    });
  });

  it("takes the reference price from the file when it has the column", async () => {
    const rows = parseCorporateActionCsv(
      "symbol,date,dividend,split_ratio,reference_price\nXYZ,2024-03-15,0.5,1,50\n",
      "a.csv",
    );
    const factors = (
      await factorRowsFromActions(rows, "a.csv", xnysCalendar, async () => undefined)
    ).get("XYZ")!;
    expect(factors[0]!.priceFactor).toBeCloseTo(0.99, 15);
  });

  it("refuses a dividend without a reference close, naming the line and the session", async () => {
    const rows = parseCorporateActionCsv(
      "date,symbol,split_ratio,dividend\n2024-03-15,XYZ,1,0.5\n",
      "a.csv",
    );
    await expect(
      factorRowsFromActions(rows, "a.csv", xnysCalendar, async () => undefined),
    ).rejects.toThrow(/a\.csv:2: dividend of XYZ on 2024-03-15 needs the raw close of 2024-03-14/);
  });

  it("refuses bad rows with the file and line", () => {
    const head = "date,symbol,split_ratio,dividend\n";
    expect(() => parseCorporateActionCsv(`${head}2024-03-15,XYZ,0,0\n`, "a.csv")).toThrow(
      /a\.csv:2: split_ratio must be a positive number/,
    );
    expect(() => parseCorporateActionCsv(`${head}2024-03-15,XYZ,1,-1\n`, "a.csv")).toThrow(
      /a\.csv:2: dividend must be a number >= 0/,
    );
    expect(() => parseCorporateActionCsv(`${head}2024-02-30,XYZ,1,0\n`, "a.csv")).toThrow(
      CorporateActionFileError,
    );
    expect(() =>
      parseCorporateActionCsv(`${head}2024-03-15,XYZ,2,0\n2024-03-15,XYZ,1,1\n`, "a.csv"),
    ).toThrow(/a\.csv:3: XYZ on 2024-03-15 appears twice/);
    expect(() => parseCorporateActionCsv("date,ticker,split_ratio,dividend\n", "a.csv")).toThrow(
      /a\.csv:1: the header .* lacks the column symbol/,
    );
  });
});
