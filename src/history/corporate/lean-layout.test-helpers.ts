/**
 * A LEAN data folder written by the tests, with our own numbers: `equity/usa/minute/<ticker>/`
 * trade zips, `factor_files/abc.csv` (a 0.50 dividend with ex-date 2024-06-07 and a 2-for-1
 * split with ex-date 2024-06-10) and `map_files/newco.csv` (OLDCO renamed NEWCO from
 * 2024-06-10), laid out exactly as LEAN ships them.
 *
 * Each session 2024-06-05..06-11 has five regular bars (09:30–09:34 New York). ABC trades near
 * 100 before the split and near 50 after; OLDCO/NEWCO near 20 throughout.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync } from "fflate";

/** The sessions of the fixture. */
export const LEAN_SESSIONS = ["2024-06-05", "2024-06-06", "2024-06-07", "2024-06-10", "2024-06-11"];
/** Bars per session and symbol. */
export const BARS_PER_SESSION = 5;

/** ABC's factor file: the dividend of 0.50 on the 06-06 close of 100, then the split. */
export const ABC_FACTOR_FILE = "20240606,0.995,0.5,100\n20240607,1,0.5,101\n20501231,1,1,0\n";
/** NEWCO's map file: OLDCO up to 06-07, NEWCO from 06-10. */
export const NEWCO_MAP_FILE = "20100104,oldco,Q\n20240607,oldco,Q\n20501231,newco,Q\n";

/**
 * ABC's raw close of bar `i` of session `s`: 98 + s + 0.25 i (the 06-06 close is 100, the
 * dividend's reference price), halved from the split's ex-date (session 3) on.
 */
export function abcClose(s: number, i: number): number {
  const price = 98 + s + i * 0.25;
  return s >= 3 ? price / 2 : price;
}

/** OLDCO/NEWCO's raw close: one security, continuous across the rename. */
export function renamedClose(s: number, i: number): number {
  return 20 + s * 0.5 + i * 0.1;
}

const enc = new TextEncoder();

function writeZip(root: string, ticker: string, date: string, closes: (i: number) => number): void {
  const folder = join(root, "equity", "usa", "minute", ticker);
  mkdirSync(folder, { recursive: true });
  const compact = date.replaceAll("-", "");
  const rows: string[] = [];
  for (let i = 0; i < BARS_PER_SESSION; i++) {
    const close = Math.round(closes(i) * 10_000);
    const open = i === 0 ? close : Math.round(closes(i - 1) * 10_000);
    const high = Math.max(open, close) + 100;
    const low = Math.min(open, close) - 100;
    rows.push(`${34_200_000 + i * 60_000},${open},${high},${low},${close},${1000 + 100 * i}`);
  }
  const zip = zipSync({
    [`${compact}_${ticker}_minute_trade.csv`]: enc.encode(`${rows.join("\r\n")}\r\n`),
  });
  writeFileSync(join(folder, `${compact}_trade.zip`), zip);
}

/** Writes the layout under `root` (`root/equity/usa/…`); returns the `minute` folder. */
export function writeLeanLayout(root: string): string {
  LEAN_SESSIONS.forEach((date, s) => {
    writeZip(root, "abc", date, (i) => abcClose(s, i));
    writeZip(root, s < 3 ? "oldco" : "newco", date, (i) => renamedClose(s, i));
  });
  const usa = join(root, "equity", "usa");
  mkdirSync(join(usa, "factor_files"), { recursive: true });
  mkdirSync(join(usa, "map_files"), { recursive: true });
  writeFileSync(join(usa, "factor_files", "abc.csv"), ABC_FACTOR_FILE);
  writeFileSync(join(usa, "map_files", "newco.csv"), NEWCO_MAP_FILE);
  // LEAN ships a map file for every ticker, also those never renamed.
  writeFileSync(join(usa, "map_files", "abc.csv"), "19980102,abc,Q\n20501231,abc,Q\n");
  return join(usa, "minute");
}
