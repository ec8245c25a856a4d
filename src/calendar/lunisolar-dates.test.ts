import { describe, expect, it } from "vitest";
import { DAY_MS, formatDay, weekdayOfDay } from "../domain/time.js";
import {
  chingMingDayOfApril,
  LUNISOLAR_FIRST_YEAR,
  LUNISOLAR_LAST_YEAR,
  lunisolarYear,
} from "./lunisolar-dates.js";

/** Lunar month/day of a day as ICU's Chinese calendar reckons it (UTC+8), or undefined without ICU. */
const icu = (() => {
  try {
    const f = new Intl.DateTimeFormat("en-u-ca-chinese", {
      timeZone: "UTC",
      month: "numeric",
      day: "numeric",
    });
    if (f.resolvedOptions().calendar !== "chinese") return undefined;
    return (day: number) => {
      const parts = f.formatToParts(day * DAY_MS);
      return `${parts.find((p) => p.type === "month")!.value}/${parts.find((p) => p.type === "day")!.value}`;
    };
  } catch {
    return undefined;
  }
})();
if (icu === undefined)
  console.warn("skipping the ICU cross-check: this Node has no Chinese calendar");

describe("the lunisolar table", () => {
  it.skipIf(icu === undefined)(
    "agrees with ICU's Chinese calendar on every festival of 1990-2099 but two Lunar New Years",
    () => {
      const wrong: string[] = [];
      for (let y = LUNISOLAR_FIRST_YEAR; y <= LUNISOLAR_LAST_YEAR; y++) {
        const t = lunisolarYear(y)!;
        const want: [number, string][] = [
          [t.lunarNewYear, "1/1"],
          [t.buddhasBirthday, "4/8"],
          [t.tuenNg, "5/5"],
          [t.midAutumn, "8/15"],
          [t.chungYeung, "9/9"],
        ];
        for (const [day, md] of want) {
          if (icu!(day) !== md) wrong.push(`${formatDay(day)} is ${icu!(day)} for ICU, not ${md}`);
        }
      }
      // The new moons of these two fall minutes from midnight Beijing time (2027-02-06 23:56,
      // 2030-02-03 00:07, Meeus ch. 49); HKO's tables and exchange_calendars' NOVAS computation
      // keep the dates in the table, ICU's coarser astronomy moves them by a day.
      expect(wrong).toEqual([
        "2027-02-06 is 12/30 for ICU, not 1/1",
        "2030-02-03 is 1/2 for ICU, not 1/1",
      ]);
    },
  );

  it("has the Lunar New Years Hong Kong gazetted and the festivals in their seasons", () => {
    const lny = (y: number) => formatDay(lunisolarYear(y)!.lunarNewYear);
    // Government Gazette general-holiday lists (gov.hk/en/about/abouthk/holiday).
    expect([2020, 2021, 2022, 2023, 2024, 2025, 2026].map(lny)).toEqual([
      "2020-01-25",
      "2021-02-12",
      "2022-02-01",
      "2023-01-22",
      "2024-02-10",
      "2025-01-29",
      "2026-02-17",
    ]);
    for (let y = LUNISOLAR_FIRST_YEAR; y <= LUNISOLAR_LAST_YEAR; y++) {
      const t = lunisolarYear(y)!;
      const mmdd = (d: number) => formatDay(d).slice(5);
      expect(mmdd(t.lunarNewYear) >= "01-21" && mmdd(t.lunarNewYear) <= "02-20", `${y} LNY`).toBe(
        true,
      );
      // Whole lunar months separate the festivals: 4/8 to 5/5 is one month of 29 or 30 days
      // less 3, and 8/15 to 9/9 one less 6, or a month more when a leap month lies between.
      expect([26, 27, 55, 56, 57], `${y} Buddha to Tuen Ng`).toContain(
        t.tuenNg - t.buddhasBirthday,
      );
      expect([23, 24, 52, 53, 54], `${y} Mid-Autumn to Chung Yeung`).toContain(
        t.chungYeung - t.midAutumn,
      );
      expect(mmdd(t.midAutumn) >= "09-07" && mmdd(t.midAutumn) <= "10-08", `${y} Mid-Autumn`).toBe(
        true,
      );
    }
  });

  it("puts Ching Ming on April 4 or 5 as the solar term falls", () => {
    // Published solar-term dates (HKO): 2023-04-05, 2024-04-04, 2025-04-04, 2026-04-05,
    // 2071-04-05 (the term falls minutes after midnight that year).
    expect([2023, 2024, 2025, 2026, 2071].map(chingMingDayOfApril)).toEqual([5, 4, 4, 5, 5]);
    expect(chingMingDayOfApril(1996), "1996 was a leap year: April 4").toBe(4);
    for (let y = LUNISOLAR_FIRST_YEAR; y <= LUNISOLAR_LAST_YEAR; y++) {
      expect([4, 5]).toContain(chingMingDayOfApril(y));
    }
    expect(weekdayOfDay(lunisolarYear(2024)!.chingMing), "2024-04-04 was a Thursday").toBe(4);
  });

  it("has no year outside 1990-2099", () => {
    expect(lunisolarYear(1989)).toBeUndefined();
    expect(lunisolarYear(2100)).toBeUndefined();
  });
});
