import { daysFromCivil } from "../domain/time.js";

/**
 * The Chinese lunisolar dates Hong Kong's holidays follow, 1990–2099, as the Hong Kong
 * Observatory's Gregorian–lunar conversion tables give them (Beijing/Hong Kong time, UTC+8).
 *
 * One line per year: the year, then as `MMDD` the first day of the first lunar month (Lunar New
 * Year), the 8th of the 4th month (Buddha's Birthday), the 5th of the 5th (Tuen Ng), the 15th of
 * the 8th (Mid-Autumn) and the 9th of the 9th (Chung Yeung). Months are the regular ones, never
 * a leap month (2033's leap month is the 11th, after the resolution of the "2033 problem").
 *
 * Cross-checked: every date agrees with ICU's Chinese calendar (what `Intl` computes) except
 * the Lunar New Years of 2027 and 2030, whose new moons fall within minutes of midnight
 * (2027-02-06 23:56 and 2030-02-03 00:07 Beijing time) where ICU's coarser astronomy errs; the
 * years to 2049 also agree with exchange_calendars' NOVAS computations (but for its 2034, a
 * month early through the 2033 problem). `lunisolar-dates.test.ts` checks both.
 */
const TABLE = `
1990 0127 0502 0528 1003 1026
1991 0215 0521 0616 0922 1016
1992 0204 0510 0605 0911 1004
1993 0123 0528 0624 0930 1023
1994 0210 0518 0613 0920 1013
1995 0131 0507 0602 0909 1101
1996 0219 0524 0620 0927 1020
1997 0207 0514 0609 0916 1010
1998 0128 0503 0530 1005 1028
1999 0216 0522 0618 0924 1017
2000 0205 0511 0606 0912 1006
2001 0124 0430 0625 1001 1025
2002 0212 0519 0615 0921 1014
2003 0201 0508 0604 0911 1004
2004 0122 0526 0622 0928 1022
2005 0209 0515 0611 0918 1011
2006 0129 0505 0531 1006 1030
2007 0218 0524 0619 0925 1019
2008 0207 0512 0608 0914 1007
2009 0126 0502 0528 1003 1026
2010 0214 0521 0616 0922 1016
2011 0203 0510 0606 0912 1005
2012 0123 0428 0623 0930 1023
2013 0210 0517 0612 0919 1013
2014 0131 0506 0602 0908 1002
2015 0219 0525 0620 0927 1021
2016 0208 0514 0609 0915 1009
2017 0128 0503 0530 1004 1028
2018 0216 0522 0618 0924 1017
2019 0205 0512 0607 0913 1007
2020 0125 0430 0625 1001 1025
2021 0212 0519 0614 0921 1014
2022 0201 0508 0603 0910 1004
2023 0122 0526 0622 0929 1023
2024 0210 0515 0610 0917 1011
2025 0129 0505 0531 1006 1029
2026 0217 0524 0619 0925 1018
2027 0206 0513 0609 0915 1008
2028 0126 0502 0528 1003 1026
2029 0213 0520 0616 0922 1016
2030 0203 0509 0605 0912 1005
2031 0123 0528 0624 1001 1024
2032 0211 0516 0612 0919 1012
2033 0131 0506 0601 0908 1001
2034 0219 0525 0620 0927 1020
2035 0208 0515 0610 0916 1009
2036 0128 0503 0530 1004 1027
2037 0215 0522 0618 0924 1017
2038 0204 0511 0607 0913 1007
2039 0124 0430 0527 1002 1026
2040 0212 0518 0614 0920 1014
2041 0201 0507 0603 0910 1003
2042 0122 0526 0622 0928 1022
2043 0210 0516 0611 0917 1011
2044 0130 0505 0531 1005 1029
2045 0217 0524 0619 0925 1018
2046 0206 0513 0608 0915 1008
2047 0126 0502 0529 1004 1027
2048 0214 0520 0615 0922 1016
2049 0202 0509 0604 0911 1005
2050 0123 0528 0623 0930 1024
2051 0211 0517 0613 0919 1013
2052 0201 0506 0601 0907 1030
2053 0219 0525 0620 0926 1020
2054 0208 0515 0610 0916 1009
2055 0128 0504 0530 1005 1028
2056 0215 0522 0617 0924 1017
2057 0204 0511 0606 0913 1007
2058 0124 0430 0625 1002 1025
2059 0212 0519 0614 0921 1014
2060 0202 0507 0603 0909 1002
2061 0121 0526 0622 0928 1021
2062 0209 0516 0611 0917 1011
2063 0129 0505 0601 1006 1030
2064 0217 0523 0619 0925 1018
2065 0205 0512 0608 0915 1008
2066 0126 0501 0528 1003 1027
2067 0214 0520 0616 0923 1016
2068 0203 0509 0604 0911 1004
2069 0123 0428 0623 0929 1023
2070 0211 0517 0613 0919 1012
2071 0131 0507 0602 0908 1031
2072 0219 0525 0620 0926 1020
2073 0207 0514 0610 0916 1009
2074 0127 0503 0530 1005 1028
2075 0215 0522 0617 0924 1018
2076 0205 0510 0606 0912 1006
2077 0124 0430 0624 1001 1025
2078 0212 0519 0614 0920 1014
2079 0202 0508 0604 0910 1003
2080 0122 0526 0622 0928 1021
2081 0209 0516 0611 0917 1011
2082 0129 0505 0601 1006 1030
2083 0217 0524 0619 0926 1019
2084 0206 0512 0607 0914 1008
2085 0126 0501 0527 1003 1027
2086 0214 0520 0615 0922 1016
2087 0203 0510 0605 0911 1005
2088 0124 0428 0623 0929 1022
2089 0210 0517 0613 0918 1012
2090 0130 0507 0602 0908 1031
2091 0218 0525 0621 0927 1021
2092 0207 0513 0609 0916 1009
2093 0127 0503 0529 1005 1028
2094 0215 0521 0617 0924 1017
2095 0205 0511 0606 0913 1006
2096 0125 0430 0624 0930 1024
2097 0212 0519 0614 0920 1013
2098 0201 0508 0604 0909 1003
2099 0121 0527 0623 0929 1022
`;

/** The first and last year of the table. */
export const LUNISOLAR_FIRST_YEAR = 1990;
export const LUNISOLAR_LAST_YEAR = 2099;

/** One year's lunisolar dates, as day numbers. */
export interface LunisolarYear {
  readonly lunarNewYear: number;
  readonly buddhasBirthday: number;
  readonly tuenNg: number;
  readonly midAutumn: number;
  readonly chungYeung: number;
  /** Ching Ming (清明), a solar term rather than a lunar date: the sun at longitude 15°. */
  readonly chingMing: number;
}

const YEARS: LunisolarYear[] = [];
for (const line of TABLE.trim().split("\n")) {
  const [y, ...dates] = line.split(" ");
  const year = Number(y);
  const [lny, buddha, tuenNg, midAutumn, chungYeung] = dates.map((mmdd) =>
    daysFromCivil(year, Number(mmdd.slice(0, 2)), Number(mmdd.slice(2))),
  );
  YEARS.push(
    Object.freeze({
      lunarNewYear: lny!,
      buddhasBirthday: buddha!,
      tuenNg: tuenNg!,
      midAutumn: midAutumn!,
      chungYeung: chungYeung!,
      chingMing: daysFromCivil(year, 4, chingMingDayOfApril(year)),
    }),
  );
}

/**
 * The April day of Ching Ming, 1901–2099, by the standard solar-term formula
 * `floor(Y × 0.2422 + C) − floor(Y / 4)` (Y = the year's last two digits, C = 5.59 in the 20th
 * century and 4.81 in the 21st). It agrees with the sun's longitude reaching 15° (Meeus's solar
 * theory, in UTC+8) in every year of 1990–2099; the closest call, 2071, falls minutes after midnight.
 */
export function chingMingDayOfApril(year: number): number {
  const y = year % 100;
  const c = year < 2000 ? 5.59 : 4.81;
  return Math.floor(y * 0.2422 + c) - Math.floor(y / 4);
}

/** The lunisolar dates of `year` (1990–2099), or `undefined` outside the table. */
export function lunisolarYear(year: number): LunisolarYear | undefined {
  return YEARS[year - LUNISOLAR_FIRST_YEAR];
}
