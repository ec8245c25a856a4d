// Test-only: reads the real bar files of ../shared/data/bars (never copied into the repo).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Requirement, sharedData } from "../../test/requirements.js";
import type { Bar } from "../domain/bar.js";

const BARS_DIR = fileURLToPath(new URL("../../../shared/data/bars/", import.meta.url));

/** One real data set: its name, file and how its timestamps read. */
export interface RealBarFile {
  readonly name: string;
  readonly file: string;
  /** Minutes to subtract from the timestamp to get the bar's open time (1 for end-stamped bars). */
  readonly endStamped: boolean;
}

/** The three minute-bar files the oracle tests run on. */
export const REAL_BAR_FILES: readonly RealBarFile[] = [
  { name: "btc-perp", file: "btc-perp-20211231-20220201_1m.csv", endStamped: false },
  { name: "gbpusd", file: "gbpusd-m1-bid-2012.csv", endStamped: false },
  { name: "6E", file: "6EH4.XCME_1min_bars_20240101_20240131.csv", endStamped: true },
];

/** The absolute path of a data file. */
export function realBarPath(file: RealBarFile): string {
  return BARS_DIR + file.file;
}

/** The requirement that every real bar file is present beside the project. */
export function realBarsPresent(): Requirement {
  return sharedData(...REAL_BAR_FILES.map((f) => `bars/${f.file}`));
}

/** Parses one file (header, then `timestamp,open,high,low,close[,volume]`; volume 0 when absent). */
export function loadRealBars(file: RealBarFile): Bar[] {
  const lines = readFileSync(realBarPath(file), "utf8").split("\n");
  const bars: Bar[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const cells = line.split(",");
    const stamp = cells[0].slice(0, 19).replace(" ", "T");
    const time = Date.parse(`${stamp}Z`) - (file.endStamped ? 60_000 : 0);
    bars.push({
      time,
      open: Number(cells[1]),
      high: Number(cells[2]),
      low: Number(cells[3]),
      close: Number(cells[4]),
      volume: cells.length > 5 ? Number(cells[5]) : 0,
    });
  }
  return bars;
}

/** `|a - b| / max(|a|, |b|)`, 0 when both are 0. */
export function relativeError(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}
