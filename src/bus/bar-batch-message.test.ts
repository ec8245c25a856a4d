import { describe, expect, it } from "vitest";
import { BarBatchEncoder, decodeBatchMessage } from "./bar-batch-message.js";
import { newBarMessage, symbolBytes } from "./bar-message.js";

describe("batch message", () => {
  it("round-trips bars with consecutive sequences, and splits when full", () => {
    const enc = new BarBatchEncoder(300);
    const names = ["AAPL", "BRK.B", "Ä", "MSFT", "X", "NVDA", "TSLA"];
    const added: string[] = [];
    for (let i = 0; i < names.length; i++) {
      if (
        !enc.add(symbolBytes(names[i]!), i * 60_000, 1 + i, 2 + i, 0.5, 1.5, i, "refilled", 10 + i)
      )
        break;
      added.push(names[i]!);
    }
    expect(
      added.length,
      "a 325-byte batch (the least it takes) holds only some of the bars",
    ).toBeLessThan(names.length);
    const data = enc.finish(7);
    expect(enc.lastCount).toBe(added.length);
    expect(enc.count).toBe(0);
    const seen: unknown[] = [];
    const n = decodeBatchMessage(data, newBarMessage(), (b) => seen.push({ ...b }));
    expect(n).toBe(added.length);
    expect(seen).toEqual(
      added.map((symbol, i) => ({
        symbol,
        time: i * 60_000,
        open: 1 + i,
        high: 2 + i,
        low: 0.5,
        close: 1.5,
        volume: i,
        provenance: "refilled",
        epoch: 7,
        seq: 10 + i,
      })),
    );
  });

  it("refuses a truncated batch before applying any bar", () => {
    const enc = new BarBatchEncoder();
    enc.add(symbolBytes("A"), 0, 1, 1, 1, 1, 1, "live", 1);
    enc.add(symbolBytes("B"), 0, 1, 1, 1, 1, 1, "live", 2);
    const data = enc.finish(1);
    let applied = 0;
    expect(() =>
      decodeBatchMessage(data.subarray(0, data.length - 3), newBarMessage(), () => applied++),
    ).toThrow(/do not hold exactly the 2 bars/);
    expect(applied).toBe(0);
  });
});
