/**
 * `npm run bench -- shared`: reads of a shared session (`sd.share()`) from a worker thread
 * beside the same reads on the owner thread, in one run (issue #19's goal: a worker's read
 * ≤ 1.5× the owner's). Both stores hold a full XNYS day of 500 symbols. Like with like: a read by
 * name on the owner beside the same read by name in the worker, a handle's beside a handle's.
 */
import { Worker } from "node:worker_threads";
import { xnysCalendar } from "../src/calendar/xnys.js";
import { BarBuffer } from "../src/store/bar-buffer.js";
import { SessionData } from "../src/store/session-data.js";
import { SessionDataReader } from "../src/store/shared/session-data-reader.js";

const SYMBOLS = 500;
const ROTATE = 64;
const ITERS = 2_000_000;

function median(loop: (n: number) => number, n: number): number {
  let sink = loop(10_000);
  const samples: number[] = [];
  for (let b = 0; b < 9; b++) {
    const t0 = process.hrtime.bigint();
    sink += loop(n);
    samples.push(Number(process.hrtime.bigint() - t0) / n);
  }
  if (sink === Number.NEGATIVE_INFINITY) console.log(sink);
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

export async function run(): Promise<void> {
  const sd = new SessionData({ calendar: xnysCalendar });
  const descriptor = sd.share();
  const s = xnysCalendar.session("2024-01-03")!;
  const names = Array.from({ length: SYMBOLS }, (_, i) => `SYM${String(i).padStart(4, "0")}`);
  for (let t = s.preOpen, k = 0; t < s.postClose; t += 60_000, k++) {
    for (let i = 0; i < SYMBOLS; i++) {
      const open = 100 + (i % 50) + (k % 13) * 0.01;
      sd.addBar(names[i]!, {
        time: t,
        open,
        high: open + 0.05,
        low: open - 0.05,
        close: open,
        volume: 100,
      });
    }
  }
  const hot = names.slice(0, ROTATE);
  const M = ROTATE - 1;
  const buf = new BarBuffer(20);
  const handles = hot.map((name) => sd.getSymbol(name)!);
  const owner = {
    latest: median((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) x += sd.getLatestBar(hot[i & M]!)!.close;
      return x;
    }, ITERS),
    last20: median((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) x += sd.readLastN(hot[i & M]!, 20, buf);
      return x;
    }, ITERS / 4),
    count: median((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) x += sd.getBarCount(hot[i & M]!);
      return x;
    }, ITERS),
    handleLatest: median((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) x += handles[i & M]!.getLatestBar()!.close;
      return x;
    }, ITERS),
    handleLast20: median((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) x += handles[i & M]!.readLastN(20, buf);
      return x;
    }, ITERS / 4),
  };
  const sameThread = SessionDataReader.attach(descriptor);
  const readerHere = median((n) => {
    let x = 0;
    for (let i = 0; i < n; i++) x += sameThread.getLatestBar(hot[i & M]!)!.close;
    return x;
  }, ITERS);
  const worker = new Worker(
    `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(
      new URL("./shared-reader-worker.ts", import.meta.url).href,
    )}); });`,
    { eval: true, workerData: { descriptor, names: hot, iters: ITERS } },
  );
  const inWorker = await new Promise<{
    latest: number;
    last20: number;
    count: number;
    handleLatest: number;
    handleLast20: number;
  }>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  console.log(
    "\nShared session reads (500 symbols × a full XNYS day; median ns/op; goal: worker ≤ 1.5× owner)",
  );
  console.table([
    {
      read: "getLatestBar",
      "owner ns": f(owner.latest),
      "worker ns": f(inWorker.latest),
      "worker / owner": `${(inWorker.latest / owner.latest).toFixed(2)}×`,
    },
    {
      read: "readLastN(20, buf)",
      "owner ns": f(owner.last20),
      "worker ns": f(inWorker.last20),
      "worker / owner": `${(inWorker.last20 / owner.last20).toFixed(2)}×`,
    },
    {
      read: "getBarCount",
      "owner ns": f(owner.count),
      "worker ns": f(inWorker.count),
      "worker / owner": `${(inWorker.count / owner.count).toFixed(2)}×`,
    },
    {
      read: "handle.getLatestBar()",
      "owner ns": f(owner.handleLatest),
      "worker ns": f(inWorker.handleLatest),
      "worker / owner": `${(inWorker.handleLatest / owner.handleLatest).toFixed(2)}×`,
    },
    {
      read: "handle.readLastN(20, buf)",
      "owner ns": f(owner.handleLast20),
      "worker ns": f(inWorker.handleLast20),
      "worker / owner": `${(inWorker.handleLast20 / owner.handleLast20).toFixed(2)}×`,
    },
  ]);
  console.log(
    "(by name: sd.x(name) beside reader.x(name); handle: sd.getSymbol(name) beside reader.getSymbol(name))",
  );
  console.log(`(a reader attached on the owner's own thread: getLatestBar ${f(readerHere)} ns)`);
}
