// A worker of session-data-reader.test.ts: spins on a handle's getLatestBar (its unchanged
// check is a plain read of shared memory) until the owner's next bar shows, so a check that
// the compiler hoisted out of the loop, or that never saw the owner's write, hangs the test.
import { parentPort, workerData } from "node:worker_threads";
import { SessionDataReader } from "./session-data-reader.js";
import type { SharedSessionDescriptor } from "./shared-layout.js";

const { descriptor, symbol } = workerData as {
  descriptor: SharedSessionDescriptor;
  symbol: string;
};
const handle = SessionDataReader.attach(descriptor).getSymbol(symbol)!;
const first = handle.getLatestBar()!;
parentPort!.postMessage("ready");
let polls = 0;
let bar = handle.getLatestBar();
while (bar === first) {
  polls++;
  bar = handle.getLatestBar();
}
parentPort!.postMessage({ time: bar!.time, polls });
