import { describeLiveFeedContract } from "../live-feed.contract.js";
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
    firstMinute: Date.UTC(2024, 0, 2, 15, 0),
    dispose: () => exchange.stop(),
  };
});
