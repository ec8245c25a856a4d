/**
 * sessiondata: the market data of a trading session, in memory.
 *
 * Each layer keeps its own hand-written export list in `public.ts`; internals stay internal.
 * @packageDocumentation
 */

export * from "./analysis/public.js";
export * from "./bus/public.js";
export * from "./calendar/public.js";
export * from "./domain/public.js";
export * from "./history/public.js";
export * from "./live/public.js";
export * from "./store/public.js";
export * from "./stream/public.js";
export * from "./system/public.js";
export * from "./upkeep/public.js";
