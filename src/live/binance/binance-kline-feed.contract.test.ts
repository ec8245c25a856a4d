import {
  CONTRACT_FEED_TIMING,
  contractHarness,
  describeLiveFeedContract,
} from "../live-feed.contract.js";
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
    ...CONTRACT_FEED_TIMING,
  });
  return contractHarness(feed, exchange, symbols, Date.UTC(2024, 0, 2, 10, 0));
});
