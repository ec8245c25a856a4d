/**
 * `npm run bench -- bus`: the NATS bar bus on loopback (the server at $SESSIONDATA_TEST_NATS_URL
 * or 127.0.0.1:4222), each figure beside a baseline measured in the same run:
 *
 * - wire format: encode + decode of one bar, the binary message vs JSON of the same fields;
 * - throughput through one replica: a stream pre-filled with 500 symbols × N minutes (a barrier
 *   per minute), drained by a `NatsSessionReplica` into a SessionData, beside a bare core-NATS
 *   publish/subscribe of the same payloads (no JetStream, no store) and a bare JetStream
 *   consume of the same stream (no store);
 * - barrier latency: a publisher writing one 500-bar minute at a time, from `endMinute()` to
 *   the replica's `barrier` event, p50/p99, split into the barrier message's own hop (a core
 *   subscriber of its subject) and what JetStream and the replica add, beside the same
 *   payloads' last-message latency over bare core NATS, interleaved minute by minute.
 * - the sharded replay is `bus-shards.bench.ts`.
 */

import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  decodeBarMessage,
  decodeBarrierMessage,
  encodeBarMessage,
  KIND_BARRIER,
  newBarMessage,
  newBarrierMessage,
  symbolBytes,
} from "../src/bus/bar-message.js";
import type { BusLocation } from "../src/bus/bus-config.js";
import { NatsBarPublisher } from "../src/bus/nats-bar-publisher.js";
import type { NatsBarPublisherOptions } from "../src/bus/nats-bar-publisher-options.js";
import { NatsSessionReplica } from "../src/bus/nats-session-replica.js";
import { alwaysOpenCalendar } from "../src/calendar/utc-day-calendar.js";
import { SessionData } from "../src/store/session-data.js";

const URL = process.env.SESSIONDATA_TEST_NATS_URL || "nats://127.0.0.1:4222";
const SYMBOLS = Array.from({ length: 500 }, (_, i) => `SYM${String(i).padStart(4, "0")}`);
const T0 = Date.UTC(2024, 0, 2, 0, 0);

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function store(): SessionData {
  return new SessionData({ calendar: alwaysOpenCalendar });
}

function writeMinute(sd: SessionData, k: number, symbols = SYMBOLS.length): void {
  const t = T0 + k * 60_000;
  for (let i = 0; i < symbols; i++) {
    const open = 100 + i * 0.1 + (k % 13) * 0.01;
    const close = open + ((k + i) % 7) * 0.01 - 0.03;
    sd.addBar(
      SYMBOLS[i]!,
      {
        time: t,
        open,
        high: Math.max(open, close) + 0.02,
        low: Math.min(open, close) - 0.02,
        close,
        volume: 100 + ((k * 31 + i) % 97),
      },
      "replay",
    );
  }
}

function wireFormat(): void {
  const n = 200_000;
  const sym = symbolBytes("SYM0042");
  const out = newBarMessage();
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let sink = 0;
  const time = (f: () => void): number => {
    f();
    const t0 = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - t0) / n;
  };
  const binary = time(() => {
    for (let i = 0; i < n; i++) {
      const m = encodeBarMessage(
        sym,
        T0 + i * 60_000,
        100.25,
        100.5,
        100,
        100.3,
        1234,
        "replay",
        1,
        i,
      );
      sink += decodeBarMessage(m, out).close;
    }
  });
  let jsonBytes = 0;
  const json = time(() => {
    for (let i = 0; i < n; i++) {
      const m = enc.encode(
        JSON.stringify({
          v: 1,
          s: "SYM0042",
          t: T0 + i * 60_000,
          o: 100.25,
          h: 100.5,
          l: 100,
          c: 100.3,
          vol: 1234,
          p: 2,
          e: 1,
          q: i,
        }),
      );
      jsonBytes = m.length;
      sink += (JSON.parse(dec.decode(m)) as { c: number }).c;
    }
  });
  const binaryBytes = encodeBarMessage(sym, 0, 0, 0, 0, 0, 0, "live", 0, 0).length;
  console.log("wire format (encode + decode one bar)");
  console.table([
    { format: "binary v1 (ours)", "ns/bar": fmt(binary), bytes: binaryBytes },
    { format: "JSON (baseline)", "ns/bar": fmt(json), bytes: jsonBytes },
  ]);
  console.log(
    `binary is ${fmt(json / binary, 1)}× faster, ${fmt(jsonBytes / binaryBytes, 1)}× smaller (sink ${sink > 0})`,
  );
}

async function deleteStream(name: string): Promise<void> {
  const nc = await connect({ servers: URL });
  await (await jetstreamManager(nc)).streams.delete(name).catch(() => undefined);
  await nc.close();
}

/** Bare core NATS: the same payloads published and received, nothing else. */
async function barePubSub(payloads: Uint8Array[]): Promise<number> {
  const sub = await connect({ servers: URL });
  const pub = await connect({ servers: URL });
  let got = 0;
  const done = new Promise<void>((resolve) => {
    sub.subscribe("bench.bare.>", {
      callback: () => {
        if (++got === payloads.length) resolve();
      },
    });
  });
  await sub.flush();
  const t0 = performance.now();
  for (let i = 0; i < payloads.length; i++) {
    pub.publish("bench.bare.x", payloads[i]!);
    if ((i & 1023) === 1023) await pub.flush(); // let the subscriber keep up rather than drop
  }
  await done;
  const ms = performance.now() - t0;
  await pub.close();
  await sub.close();
  return (payloads.length / ms) * 1000;
}

type Packing = "bar" | "slice";

/** A figure's own stream and subjects (named after the figure, the packing and this process). */
function benchBus(
  streamTag: string,
  prefixTag: string,
  packing: Packing,
): BusLocation & { stream: string } {
  return {
    servers: URL,
    stream: `BENCH_${streamTag}_${packing.toUpperCase()}_${process.pid}`,
    subjectPrefix: `${prefixTag}.${packing}.${process.pid}`,
  };
}

/** A publisher of `primary` on `bus` (not started). */
function publisherOn(
  bus: BusLocation,
  primary: SessionData,
  packing: Packing,
  window: Pick<NatsBarPublisherOptions, "maxBuffered" | "maxInFlight"> = {},
): NatsBarPublisher {
  return new NatsBarPublisher({ ...bus, sessionData: primary, packing, ...window });
}

/** A replica of `bus` into `local` (not started). */
function replicaOn(bus: BusLocation, local: SessionData, durable: string): NatsSessionReplica {
  return new NatsSessionReplica({ ...bus, sessionData: local, durable });
}

async function throughput(packing: Packing, minutes: number): Promise<void> {
  const bus = benchBus("BUS", "bench", packing);
  const { stream } = bus;
  try {
    const primary = store();
    const publisher = publisherOn(bus, primary, packing, {
      maxBuffered: 2_000_000,
      maxInFlight: 4096,
    });
    const payloads: Uint8Array[] = [];
    await publisher.start();
    const tp = performance.now();
    for (let k = 0; k < minutes; k++) {
      writeMinute(primary, k);
      publisher.endMinute();
      if (k % 20 === 19) await publisher.flush();
    }
    await publisher.flush();
    // Bars per second from the first write to the last ack (the store's writes included).
    const publishRate = ((minutes * SYMBOLS.length) / (performance.now() - tp)) * 1000;
    await publisher.stop();
    const bars = minutes * SYMBOLS.length;
    // The same payloads for the bare baseline (one bar message per bar, a barrier per minute).
    for (let k = 0; k < minutes; k++) {
      for (let i = 0; i < SYMBOLS.length; i++) {
        payloads.push(
          encodeBarMessage(
            symbolBytes(SYMBOLS[i]!),
            T0 + k * 60_000,
            1,
            1,
            1,
            1,
            1,
            "replay",
            1,
            k,
          ),
        );
      }
    }

    // Bare JetStream consume of the same stream: the consumer's cost without the store.
    const nc = await connect({ servers: URL });
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(stream, {
      durable_name: "bare",
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = await jetstream(nc).consumers.get(stream, "bare");
    const total = (await jsm.streams.info(stream)).state.messages;
    let got = 0;
    const tj = performance.now();
    await new Promise<void>((resolve) => {
      void consumer.consume({
        max_messages: 1024,
        callback: () => {
          if (++got === total) resolve();
        },
      });
    });
    const bareJs = (total / (performance.now() - tj)) * 1000;
    await nc.close();

    const replica = replicaOn(bus, store(), "bench");
    const tr = performance.now();
    await replica.start();
    await replica.caughtUp();
    const replicaRate = (replica.applied / (performance.now() - tr)) * 1000;
    await replica.stop();
    if (replica.applied !== bars) throw new Error(`replica applied ${replica.applied} of ${bars}`);

    const bare = await barePubSub(payloads);
    const messages = total;
    const perBar = (rate: number): number => (rate * bars) / messages;
    console.log(
      `\nthroughput on loopback, packing "${packing}": ${fmt(bars)} bars (500 symbols × ${minutes} minutes) + ${minutes} barriers = ${fmt(messages)} JetStream messages`,
    );
    console.table([
      { path: "NatsSessionReplica → SessionData (ours)", "bars/s": fmt(replicaRate) },
      {
        path: "bare JetStream consume of the same stream, no store (baseline)",
        "bars/s": fmt(perBar(bareJs)),
      },
      { path: "bare core NATS pub/sub, one message per bar (baseline)", "bars/s": fmt(bare) },
      { path: "NatsBarPublisher → JetStream, acked (ours)", "bars/s": fmt(publishRate) },
    ]);
    console.log(
      `replica = ${fmt(replicaRate / perBar(bareJs), 2)}× bare JetStream consume, ${fmt(replicaRate / bare, 2)}× bare core pub/sub (goal ≥ 500,000 bars/s)`,
    );
  } finally {
    await deleteStream(stream);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Arrival times by key: `wait(key)` resolves with the time `arrived(key)` was called, NaN after a second. */
class Arrivals {
  readonly #waiting = new Map<number, (t: number) => void>();
  arrived(key: number): void {
    const resolve = this.#waiting.get(key);
    this.#waiting.delete(key);
    resolve?.(performance.now());
  }
  wait(key: number): Promise<number> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(Number.NaN), 1_000);
      this.#waiting.set(key, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }
}

/**
 * Barrier latency, ours and the bare baseline interleaved minute by minute (so both see the
 * same machine load), the first `WARM_UP` minutes of each uncounted (JIT compiling the paths).
 * A core-NATS subscriber of our barrier's own subject times the same message without
 * JetStream or the store, which splits ours into the hop every NATS message takes and what
 * JetStream and the replica add.
 */
async function barrierLatency(packing: Packing, symbols: number): Promise<void> {
  const minutes = Number(process.env.BUS_BENCH_LAT_MINUTES ?? 300);
  const WARM_UP = 10;
  const bus = benchBus("LAT", "benchlat", packing);
  const sub = await connect({ servers: URL });
  const pub = await connect({ servers: URL });
  try {
    const primary = store();
    const publisher = publisherOn(bus, primary, packing);
    await publisher.start();
    const replica = replicaOn(bus, store(), "lat");
    const atReplica = new Arrivals();
    const atCore = new Arrivals();
    const atBare = new Arrivals();
    replica.on("barrier", (minute) => atReplica.arrived(minute));
    const barrier = newBarrierMessage();
    sub.subscribe(`${bus.subjectPrefix}.slice`, {
      callback: (_e, m) => {
        if (m.data[1] === KIND_BARRIER)
          atCore.arrived(decodeBarrierMessage(m.data, barrier).minute);
      },
    });
    sub.subscribe("benchlat.bare.slice", {
      callback: (_e, m) =>
        atBare.arrived(new DataView(m.data.buffer, m.data.byteOffset).getFloat64(60, true)),
    });
    sub.subscribe("benchlat.bare.1m.>", { callback: () => undefined });
    await sub.flush();
    await replica.start();
    const payload = encodeBarMessage(symbolBytes("SYM0001"), T0, 1, 1, 1, 1, 1, "replay", 1, 1);
    const ours: number[] = [];
    const hop: number[] = [];
    const added: number[] = [];
    const bare: number[] = [];
    let first = Number.NaN;
    const loop = monitorEventLoopDelay({ resolution: 1 });
    for (let k = 0; k < minutes + WARM_UP; k++) {
      if (k === WARM_UP) loop.enable();
      const minute = T0 + k * 60_000;
      writeMinute(primary, k, symbols);
      const replicaAt = atReplica.wait(minute);
      const coreAt = atCore.wait(minute);
      const t0 = performance.now();
      publisher.endMinute();
      const [tr, tc] = await Promise.all([replicaAt, coreAt]);
      if (k === 0) first = tr - t0;
      if (k >= WARM_UP) {
        ours.push(tr - t0);
        hop.push(tc - t0);
        added.push(tr - tc);
      }
      await new Promise((r) => setTimeout(r, 10));
      // Baseline: the same number of payloads and a marker over core NATS.
      for (let i = 0; i < symbols; i++) pub.publish("benchlat.bare.1m.x", payload);
      const marker = encodeBarMessage(symbolBytes("SYM0001"), T0, 1, 1, 1, 1, 1, "replay", 1, k);
      const bareAt = atBare.wait(k);
      const tb = performance.now();
      pub.publish("benchlat.bare.slice", marker);
      const tm = await bareAt;
      if (k >= WARM_UP) bare.push(tm - tb);
      await new Promise((r) => setTimeout(r, 10));
    }
    loop.disable();
    await publisher.flush();
    await replica.caughtUp();
    await replica.stop();
    await publisher.stop();
    const row = (path: string, xs: number[]) => {
      const lost = xs.filter((x) => Number.isNaN(x)).length;
      const sorted = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      return {
        path,
        "p50 ms": fmt(percentile(sorted, 0.5), 2),
        "p99 ms": fmt(percentile(sorted, 0.99), 2),
        "max ms": fmt(sorted.at(-1)!, 2),
        n: sorted.length,
        ...(lost > 0 ? { "timed out": lost } : {}),
      };
    };
    console.log(
      `\nbarrier latency, packing "${packing}", ${minutes} minutes of ${symbols} bars (after ${WARM_UP} uncounted), ours and the baseline alternating every 10 ms (endMinute() → replica's barrier)`,
    );
    console.table([
      row("publisher → JetStream → replica (ours)", ours),
      row("  of which: the barrier message's hop, seen by a core subscriber", hop),
      row("  of which: JetStream + replica on top of that hop, per minute", added),
      row(`bare core NATS, marker after ${symbols} msgs (baseline)`, bare),
    ]);
    console.log(
      `goal: p99 ≤ 5 ms; first minute (cold) ${fmt(first, 1)} ms; event-loop delay p99 ${fmt(loop.percentile(99) / 1e6, 1)} ms, max ${fmt(loop.max / 1e6, 1)} ms; load average now ${loadavg()[0]!.toFixed(1)}`,
    );
  } finally {
    await pub.close();
    await sub.close();
    await deleteStream(bus.stream);
  }
}

/** Runs the bus's figures. */
export async function run(): Promise<void> {
  // The sharded replay is bench/bus-shards.bench.ts (`-- bus` runs both files).
  if (process.env.BUS_BENCH_ONLY === "shards") return;
  if (process.env.BUS_BENCH_ONLY === "latency") {
    await barrierLatency("slice", 500);
    await barrierLatency("bar", 50);
    return;
  }
  wireFormat();
  await throughput("bar", Number(process.env.BUS_BENCH_BAR_MINUTES ?? 40));
  await throughput("slice", Number(process.env.BUS_BENCH_MINUTES ?? 400));
  await barrierLatency("slice", 500);
  await barrierLatency("bar", 50);
}
