import { describeLiveFeedContract } from "../live-feed.contract.js";
import { BinanceKlineFeed } from "./binance-kline-feed.js";
import { FakeBinance } from "./fake-binance.js";

describeLiveFeedContract("BinanceKlineFeed on FakeBinance", async (clock) => {
  const symbols = ["BTCUSDT", "ETHUSDT", "BNBUSDT"];
  const exchange = new FakeBinance({ clock, symbols });
  await exchange.start();
  const feed = new BinanceKlineFeed({
    wsUrl: exchange.wsUrl,
    restUrl: exchange.restUrl,
    clock,
    heartbeatTimeoutMs: 30_000,
    reconnect: { initialMs: 1_000, maxMs: 8_000 },
    random: () => 0.5,
  });
  return {
    feed,
    exchange,
    symbols,
    heartbeatTimeoutMs: 30_000,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    firstMinute: Date.UTC(2024, 0, 2, 10, 0),
    dispose: () => exchange.stop(),
  };
});
