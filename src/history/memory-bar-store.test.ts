import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../domain/errors.js";
import { barStoreContract, collectScan, contractBar } from "./bar-store.contract.js";
import { MemoryBarStore } from "./memory-bar-store.js";

barStoreContract("MemoryBarStore", async () => new MemoryBarStore());

describe("MemoryBarStore", () => {
  it("refuses an empty symbol and a non-positive chunk size", async () => {
    const store = new MemoryBarStore();
    await expect(store.writeBars("", [contractBar(0)])).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await store.writeBars("A", [contractBar(0)]);
    await expect(collectScan(store.scan({ from: 0, to: 1e15, chunkSize: 0 }))).rejects.toThrow(
      /chunkSize/,
    );
  });
});
