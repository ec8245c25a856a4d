/**
 * The memory-store twin of the LEAN-layout fixture (lean-layout.test-helpers.ts): the same
 * sessions, bars, factor file and map file, written straight into a `MemoryBarStore`.
 */
import type { Bar } from "../../domain/bar.js";
import { MemoryBarStore } from "../memory-bar-store.js";
import { corporateActionsOf } from "./corporate-action-store.js";
import { parseFactorFile } from "./factor-file.js";
import {
  ABC_FACTOR_FILE,
  abcClose,
  BARS_PER_SESSION,
  LEAN_SESSIONS,
  NEWCO_MAP_FILE,
  renamedClose,
} from "./lean-layout.test-helpers.js";
import { parseMapFile } from "./map-file.js";

/** 09:30 New York (EDT) of a June 2024 session date, epoch ms. */
export function openOf(date: string): number {
  return Date.parse(`${date}T13:30:00Z`);
}

/** The fixture's bars of one symbol: `close(s, i)` for bar i of session s. */
export function fixtureBars(
  close: (s: number, i: number) => number,
  sessions = [0, 1, 2, 3, 4],
): Bar[] {
  const bars: Bar[] = [];
  for (const s of sessions) {
    for (let i = 0; i < BARS_PER_SESSION; i++) {
      const c = close(s, i);
      const o = i === 0 ? c : close(s, i - 1);
      bars.push({
        time: openOf(LEAN_SESSIONS[s]!) + i * 60_000,
        open: o,
        high: Math.max(o, c) + 0.01,
        low: Math.min(o, c) - 0.01,
        close: c,
        volume: 1000 + 100 * i,
      });
    }
  }
  return bars;
}

/** A memory store with ABC (split and dividend), OLDCO then NEWCO (a rename), and their files. */
export async function corporateFixtureStore(): Promise<MemoryBarStore> {
  const store = new MemoryBarStore();
  await store.writeBars("ABC", fixtureBars(abcClose));
  await store.writeBars("OLDCO", fixtureBars(renamedClose, [0, 1, 2]));
  await store.writeBars("NEWCO", fixtureBars(renamedClose, [3, 4]));
  await corporateActionsOf(store)!.writeCorporateActions({
    factorFiles: new Map([["ABC", parseFactorFile(ABC_FACTOR_FILE, "abc.csv")]]),
    mapFiles: new Map([["NEWCO", parseMapFile(NEWCO_MAP_FILE, "newco.csv")]]),
  });
  return store;
}
