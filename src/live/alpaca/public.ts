// The Alpaca adapter's public surface (re-exported by src/live/public.ts).
export {
  AlpacaBarFeed,
  type AlpacaBarFeedOptions,
  type AlpacaFeedName,
} from "./alpaca-bar-feed.js";
export {
  ALPACA_ERROR_MESSAGES,
  AlpacaError,
  type AlpacaErrorAction,
  alpacaErrorAction,
} from "./alpaca-errors.js";
export { AlpacaBarsRest, type AlpacaBarsRestOptions } from "./alpaca-rest.js";
export type { AlpacaFeedStats } from "./alpaca-stats.js";
export { FakeAlpaca, type FakeAlpacaOptions } from "./fake-alpaca.js";
