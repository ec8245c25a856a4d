import {
  CONTRACT_FEED_TIMING,
  contractHarness,
  describeLiveFeedContract,
} from "../live-feed.contract.js";
import { AlpacaBarFeed } from "./alpaca-bar-feed.js";
import { FakeAlpaca } from "./fake-alpaca.js";

describeLiveFeedContract("AlpacaBarFeed on FakeAlpaca", async (clock) => {
  const symbols = ["AAPL", "MSFT", "SPY"];
  const exchange = new FakeAlpaca({ clock, symbols });
  await exchange.start();
  const feed = new AlpacaBarFeed({
    wsUrl: exchange.wsUrl,
    restUrl: exchange.restUrl,
    keyId: exchange.keyId,
    secretKey: exchange.secretKey,
    feed: "iex",
    clock,
    ...CONTRACT_FEED_TIMING,
  });
  return contractHarness(feed, exchange, symbols, Date.UTC(2024, 0, 2, 15, 0));
});
