/**
 * Fixtures of the {@link BarStore} contract suite (see bar-store.contract.ts), also used by the
 * adapters' own tests: bars, symbol info, and a scan collected into rows.
 */
import { expect } from "vitest";
import type { Bar } from "../domain/bar.js";
import type { BarChunk, SymbolInfo } from "./bar-store.js";

/** The contract's first bar time. */
export const T0 = Date.UTC(2024, 0, 2, 14, 30);
/** One minute in ms. */
export const M = 60_000;

/** A valid bar at `T0 + minute` whose prices derive from `seed`. */
export function contractBar(minute: number, seed = minute): Bar {
  const open = 100 + (seed % 17) * 0.25;
  const close = open + ((seed % 5) - 2) * 0.125;
  return {
    time: T0 + minute * M,
    open,
    high: Math.max(open, close) + 0.5,
    low: Math.min(open, close) - 0.5,
    close,
    volume: 1000 + seed,
  };
}

/**
 * Every bar of the chunks, flattened to `[symbol, bar]` pairs in order, with each bar's
 * provenance code in `codes` (same order).
 */
export async function collectScan(
  chunks: AsyncIterable<BarChunk>,
): Promise<{ rows: [string, Bar][]; sizes: number[]; codes: number[] }> {
  const rows: [string, Bar][] = [];
  const sizes: number[] = [];
  const codes: number[] = [];
  for await (const c of chunks) {
    sizes.push(c.length);
    expect(c.provenance.length, "a chunk has one provenance code per bar").toBe(c.length);
    for (let i = 0; i < c.length; i++) {
      codes.push(c.provenance[i]!);
      rows.push([
        c.symbol[i]!,
        {
          time: c.time[i]!,
          open: c.open[i]!,
          high: c.high[i]!,
          low: c.low[i]!,
          close: c.close[i]!,
          volume: c.volume[i]!,
        },
      ]);
    }
  }
  return { rows, sizes, codes };
}

/** A valid {@link SymbolInfo} for the contract's tests. */
export function contractInfo(symbol: string, overrides: Partial<SymbolInfo> = {}): SymbolInfo {
  return { symbol, calendar: "XNYS", timeZone: "America/New_York", priceDecimals: 2, ...overrides };
}
