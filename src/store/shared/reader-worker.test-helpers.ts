// A worker of session-data-reader.test.ts: attaches to the shared session and checks every read
// against the invariants of the writer's bars until told to stop, then reports what it saw.
import { parentPort, workerData } from "node:worker_threads";
import { BarBuffer } from "../bar-buffer.js";
import { SessionDataReader } from "./session-data-reader.js";
import type { SharedSessionDescriptor } from "./shared-layout.js";

const { descriptor, symbols } = workerData as {
  descriptor: SharedSessionDescriptor;
  symbols: string[];
};
const reader = SessionDataReader.attach(descriptor);
const buf = new BarBuffer(32);
let reads = 0;
let torn = 0;
const problems: string[] = [];
let stop = false;
parentPort!.on("message", () => {
  stop = true;
});

/** The writer's bar k: every field derived from k, so a bar mixed from two writes shows. */
function consistent(
  time: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): boolean {
  const k = volume;
  return (
    open === k + 0.25 &&
    high === k + 0.5 &&
    low === k &&
    close === k + 0.375 &&
    time === Date.UTC(2024, 0, 1) + k * 60_000 &&
    high >= Math.max(open, close) &&
    low <= Math.min(open, close)
  );
}

function note(problem: string): void {
  torn++;
  if (problems.length < 5) problems.push(problem);
}

const lastCount = new Map<string, { day: string | undefined; count: number }>();
function loop(): void {
  for (let round = 0; round < 2_000 && !stop; round++) {
    for (const s of symbols) {
      const day = reader.currentSession;
      const count = reader.getBarCount(s);
      const seen = lastCount.get(s);
      if (seen !== undefined && seen.day === day && day !== undefined && count < seen.count) {
        // A new session may start between the two reads; only a drop within one session counts.
        if (reader.currentSession === day)
          note(`${s}: count went from ${seen.count} to ${count} in ${day}`);
      }
      lastCount.set(s, { day, count });
      const bar = reader.getLatestBar(s);
      reads++;
      if (
        bar !== undefined &&
        !consistent(bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume)
      ) {
        note(`${s}: torn latest bar ${JSON.stringify(bar)}`);
      }
      // The handle's unchanged check is a plain read: its bars must be as whole as the locked ones.
      const viaHandle = reader.getSymbol(s)?.getLatestBar();
      reads++;
      if (
        viaHandle !== undefined &&
        !consistent(
          viaHandle.time,
          viaHandle.open,
          viaHandle.high,
          viaHandle.low,
          viaHandle.close,
          viaHandle.volume,
        )
      ) {
        note(`${s}: torn handle bar ${JSON.stringify(viaHandle)}`);
      }
      const n = reader.readLastN(s, 32, buf);
      reads++;
      for (let i = 0; i < n; i++) {
        if (
          !consistent(
            buf.time[i]!,
            buf.open[i]!,
            buf.high[i]!,
            buf.low[i]!,
            buf.close[i]!,
            buf.volume[i]!,
          )
        ) {
          note(`${s}: torn bar ${i} of ${n} in readLastN`);
          break;
        }
        if (i > 0 && !(buf.time[i]! > buf.time[i - 1]!)) {
          note(`${s}: times not increasing at ${i} of ${n}`);
          break;
        }
      }
    }
  }
  if (stop) parentPort!.postMessage({ reads, torn, problems });
  else setImmediate(loop);
}
loop();
