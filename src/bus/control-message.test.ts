import fc from "fast-check";
import { expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { KIND_CLEAR, KIND_REPAIR, messageKind, symbolBytes } from "./bar-message.js";
import { BusMessageError } from "./bus-errors.js";
import {
  decodeClearMessage,
  decodeRepairMessage,
  encodeClearMessage,
  encodeRepairMessage,
} from "./control-message.js";

it("repair and clear messages round-trip every field", () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.nat(),
      fc.nat(),
      fc.nat(),
      (symbol, filled, unfillable, seq) => {
        const data = encodeRepairMessage(symbolBytes(symbol), filled, unfillable, 17, seq);
        expect(messageKind(data)).toBe(KIND_REPAIR);
        expect(decodeRepairMessage(data)).toEqual({ symbol, filled, unfillable, epoch: 17, seq });
        const clear = encodeClearMessage(17, seq);
        expect(messageKind(clear)).toBe(KIND_CLEAR);
        expect(decodeClearMessage(clear)).toEqual({ epoch: 17, seq });
      },
    ),
    { numRuns: runs(200) },
  );
});

it("refuses a malformed control message with a BusMessageError naming the field and where", () => {
  const repair = encodeRepairMessage(symbolBytes("AAPL"), 1, 2, 1, 1);
  expect(() => decodeRepairMessage(repair.subarray(0, 30), "bars.slice")).toThrow(
    /bad bus message on bars\.slice: length 30 bytes/,
  );
  expect(() => decodeRepairMessage(encodeClearMessage(1, 1))).toThrow(/kind 5 is not a repair/);
  expect(() => decodeClearMessage(repair)).toThrow(/kind 4 is not a clear/);
  const negative = encodeRepairMessage(symbolBytes("AAPL"), -1, 0, 1, 1);
  expect(() => decodeRepairMessage(negative)).toThrow(BusMessageError);
  expect(() => decodeRepairMessage(negative)).toThrow(/counts must be >= 0/);
  const unknown = encodeClearMessage(1, 1);
  unknown[1] = 6;
  expect(() => messageKind(unknown, "bars.slice")).toThrow(/kind 6 is not 1 \(bar\)/);
});
