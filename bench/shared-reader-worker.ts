// The worker side of bench/shared.bench.ts: times reads of an attached SessionDataReader.
import { parentPort, workerData } from "node:worker_threads";
import { BarBuffer } from "../src/store/bar-buffer.js";
import { SessionDataReader } from "../src/store/shared/session-data-reader.js";
import type { SharedSessionDescriptor } from "../src/store/shared/shared-layout.js";

const { descriptor, names, iters } = workerData as {
  descriptor: SharedSessionDescriptor;
  names: string[];
  iters: number;
};
const reader = SessionDataReader.attach(descriptor);
const M = names.length - 1;
const buf = new BarBuffer(20);

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

const latest = median((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += reader.getLatestBar(names[i & M]!)!.close;
  return s;
}, iters);
const last20 = median((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += reader.readLastN(names[i & M]!, 20, buf);
  return s;
}, iters / 4);
const count = median((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += reader.getBarCount(names[i & M]!);
  return s;
}, iters);
const handles = names.map((name) => reader.getSymbol(name)!);
const handleLatest = median((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += handles[i & M]!.getLatestBar()!.close;
  return s;
}, iters);
const handleLast20 = median((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += handles[i & M]!.readLastN(20, buf);
  return s;
}, iters / 4);
parentPort!.postMessage({ latest, last20, count, handleLatest, handleLast20 });
