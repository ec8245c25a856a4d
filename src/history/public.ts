// The history layer's public surface, exported by hand.
export type { BarChunk, BarSource, BarStore, Coverage, ScanOptions } from "./bar-store.js";
export { MemoryBarStore } from "./memory-bar-store.js";
