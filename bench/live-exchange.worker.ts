/**
 * The fake Binance of `live.bench.ts`, in a worker thread so that sending never shares an event
 * loop with the receiving side being timed. Send instants go into a shared Float64Array as
 * `performance.timeOrigin + performance.now()` (comparable across threads).
 */
import { parentPort, workerData } from "node:worker_threads";
import { MINUTE_MS } from "../src/domain/bar.js";
import { systemClock } from "../src/domain/wall-clock.js";
import { FakeBinance } from "../src/live/binance/fake-binance.js";

const { symbols, sent } = workerData as { symbols: string[]; sent: SharedArrayBuffer };
const sentAt = new Float64Array(sent);
const exchange = new FakeBinance({ clock: systemClock });
await exchange.start();
parentPort!.postMessage({ wsUrl: exchange.wsUrl, restUrl: exchange.restUrl });

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

parentPort!.on(
  "message",
  async (m: { cmd: string; minute: number; slot: number; spread: boolean; truth: boolean }) => {
    if (m.cmd === "stop") {
      await exchange.stop();
      parentPort!.close();
      return;
    }
    if (m.cmd === "subscribed") {
      while (exchange.subscribed().length < symbols.length) await pause(2);
      parentPort!.postMessage("ok");
      return;
    }
    for (let i = 0; i < symbols.length; i++) {
      const open = 100 + (i % 50) + ((m.minute / MINUTE_MS) % 7);
      const bar = {
        time: m.minute,
        open,
        high: open + 1,
        low: open - 1,
        close: open + 0.5,
        volume: 10,
      };
      sentAt[m.slot * symbols.length + i] = performance.timeOrigin + performance.now();
      if (m.truth) exchange.emitBar(symbols[i]!, bar);
      else exchange.sendBar(symbols[i]!, bar);
      if (m.spread) await pause(1);
    }
    parentPort!.postMessage("ok");
  },
);
