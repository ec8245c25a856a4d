// The live layer's public surface, exported by hand: the LiveFeed port, its errors, the
// adapters (Binance, Alpaca), the sim feed and the fake Binance it runs on.
// The Alpaca adapter's own list (feed, REST, errors, stats, FakeAlpaca).
export * from "./alpaca/public.js";
export type { KlineEvent, KlinePayload, KlineRow } from "./binance/binance-format.js";
export { BinanceKlineFeed, type BinanceKlineFeedOptions } from "./binance/binance-kline-feed.js";
export { BinanceKlineRest, type BinanceKlineRestOptions } from "./binance/binance-rest.js";
export { FakeBinance, type FakeBinanceOptions } from "./binance/fake-binance.js";
export type { FakeExchange } from "./fake-exchange.js";
export { type FeedErrorKind, LiveFeedError } from "./feed-errors.js";
export type { FeedState, FeedStatus, LiveFeed, LiveFeedEvents } from "./live-feed.js";
export { DEFAULT_RECONNECT, type ReconnectBackoff, reconnectDelay } from "./reconnect-backoff.js";
export { ScaledClock } from "./sim/scaled-clock.js";
export { type SimFeed, type SimFeedOptions, startSimFeed } from "./sim/sim-exchange.js";
