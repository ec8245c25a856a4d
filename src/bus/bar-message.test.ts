import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { PROVENANCES } from "../domain/provenance.js";
import {
  decodeBarMessage,
  decodeBarrierMessage,
  encodeBarMessage,
  encodeBarrierMessage,
  KIND_BAR,
  KIND_BARRIER,
  messageKind,
  newBarMessage,
  newBarrierMessage,
  symbolBytes,
} from "./bar-message.js";
import { BusMessageError } from "./bus-errors.js";

describe("bar message", () => {
  it("round-trips every field exactly", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.array(fc.double(), { minLength: 6, maxLength: 6 }),
        fc.constantFrom(...PROVENANCES),
        fc.nat(),
        (symbol, [t, o, h, l, c, v], provenance, seq) => {
          const bytes = symbolBytes(symbol);
          const data = encodeBarMessage(bytes, t!, o!, h!, l!, c!, v!, provenance, 17, seq);
          expect(messageKind(data)).toBe(KIND_BAR);
          const m = decodeBarMessage(data, newBarMessage());
          expect(m, "every field survives the trip, NaN and -0 included").toEqual({
            symbol,
            time: t,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: v,
            provenance,
            epoch: 17,
            seq,
          });
        },
      ),
      { numRuns: runs(200) },
    );
  });

  it("round-trips a barrier", () => {
    const data = encodeBarrierMessage(Date.UTC(2024, 0, 2, 14, 31), 500, 1.5e12, 3, 9);
    expect(messageKind(data)).toBe(KIND_BARRIER);
    expect(decodeBarrierMessage(data, newBarrierMessage())).toEqual({
      minute: Date.UTC(2024, 0, 2, 14, 31),
      count: 500,
      clock: 1.5e12,
      epoch: 3,
      seq: 9,
    });
  });

  it("decodes a message that sits inside a larger buffer", () => {
    const data = encodeBarMessage(symbolBytes("AAPL"), 60_000, 1, 2, 0.5, 1.5, 10, "replay", 1, 2);
    const big = new Uint8Array(data.length + 7);
    big.set(data, 5);
    const m = decodeBarMessage(big.subarray(5, 5 + data.length), newBarMessage());
    expect(m.symbol).toBe("AAPL");
    expect(m.close).toBe(1.5);
    expect(m.provenance).toBe("replay");
  });

  it("refuses an unknown version with a named error quoting it and where", () => {
    const data = encodeBarMessage(symbolBytes("MSFT"), 0, 1, 1, 1, 1, 1, "live", 1, 1);
    data[0] = 9;
    expect(() => decodeBarMessage(data, newBarMessage(), "bars.1m.MSFT")).toThrow(BusMessageError);
    expect(() => decodeBarMessage(data, newBarMessage(), "bars.1m.MSFT")).toThrow(
      /bars\.1m\.MSFT: version 9 is not supported/,
    );
    const barrier = encodeBarrierMessage(0, 1, 0, 1, 1);
    barrier[0] = 0;
    expect(() => decodeBarrierMessage(barrier, newBarrierMessage())).toThrow(/version 0/);
  });

  it("refuses a wrong kind, a truncated message and a bad provenance code", () => {
    const bar = encodeBarMessage(symbolBytes("X"), 0, 1, 1, 1, 1, 1, "live", 1, 1);
    expect(() => decodeBarrierMessage(bar, newBarrierMessage())).toThrow(/is a bar/);
    expect(() => decodeBarMessage(bar.subarray(0, 20), newBarMessage())).toThrow(
      /length 20 bytes, expected 69/,
    );
    expect(() => messageKind(new Uint8Array(2))).toThrow(/too short/);
    const odd = bar.slice();
    odd[1] = 7;
    expect(() => messageKind(odd)).toThrow(/kind 7/);
    const prov = bar.slice();
    prov[2] = 0;
    expect(() => decodeBarMessage(prov, newBarMessage())).toThrow(/provenance code 0/);
  });

  it("decodes every symbol to itself on repeat (the symbol cache never hands out another name)", () => {
    const names = Array.from({ length: 5_000 }, (_, i) => `S${i.toString(36).toUpperCase()}`);
    names.push("AB", "BA", "A", "AAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAB");
    const out = newBarMessage();
    for (let round = 0; round < 2; round++) {
      for (const name of names) {
        const data = encodeBarMessage(symbolBytes(name), 0, 1, 1, 1, 1, 1, "live", 1, 1);
        expect(decodeBarMessage(data, out).symbol).toBe(name);
      }
    }
  });

  it("refuses a symbol that cannot travel", () => {
    expect(() => symbolBytes("")).toThrow(BusMessageError);
    expect(() => symbolBytes("X".repeat(256))).toThrow(/256 UTF-8 bytes/);
    expect(symbolBytes("Ä").length).toBe(2);
  });
});
