/**
 * `npm run bench -- indicators`: the per-update cost of our SMA-50, EMA-20 and RSI-14 beside
 * `trading-signals` (the baseline) on the same 1,000,000 prices in the same run.
 *
 * Two ways of feeding, each the same for both sides:
 * - numbers: ours `updateValue(x)`, theirs `add(x)`, from one `Float64Array`;
 * - bars: a `Bar` per update (one object refreshed in place, hot in cache like the store's event
 *   bar): ours through the `Indicator` port, `update(bar)`, as the engine feeds it; theirs
 *   `add(bar.close)`.
 * Every update is followed by reading the value (`add` returns it anyway), summed into a
 * checksum so nothing is optimised away. Each figure is the best of 5 rounds after a warm-up
 * round; the machine is shared, so the best round is the least disturbed one.
 */
import { performance } from "node:perf_hooks";
import { EMA, RSI, SMA } from "trading-signals";
import { Ema, Rsi, Sma } from "../src/analysis/public.js";
import type { Bar } from "../src/domain/bar.js";

const N = 1_000_000;
const ROUNDS = 5;

/** A deterministic random walk around 100 (an LCG, so every run sees the same prices). */
function prices(n: number): Float64Array {
  const out = new Float64Array(n);
  let seed = 12_345;
  let price = 100;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    price = Math.max(1, price + (seed / 4_294_967_296 - 0.5) * 0.2);
    out[i] = price;
  }
  return out;
}

let sink = 0;

/** Best-of-rounds nanoseconds per update of `run`, which performs N updates. */
function measure(run: () => number): number {
  sink += run(); // warm-up: lets the JIT settle before timing
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    sink += run();
    const ns = ((performance.now() - start) * 1e6) / N;
    if (ns < best) best = ns;
  }
  return best;
}

interface Ours {
  update(bar: Bar): void;
  updateValue(x: number): void;
  readonly value: number | undefined;
}

interface Theirs {
  add(x: number): number | null;
}

/** A bar refreshed in place from each close. */
function barOf(): { -readonly [K in keyof Bar]: number } {
  return { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 100 };
}

function oursByNumber(make: () => Ours, closes: Float64Array): () => number {
  return () => {
    const indicator = make();
    let sum = 0;
    for (let i = 0; i < closes.length; i++) {
      indicator.updateValue(closes[i]!);
      sum += indicator.value ?? 0;
    }
    return sum;
  };
}

function theirsByNumber(make: () => Theirs, closes: Float64Array): () => number {
  return () => {
    const indicator = make();
    let sum = 0;
    for (let i = 0; i < closes.length; i++) sum += indicator.add(closes[i]!) ?? 0;
    return sum;
  };
}

/** Feeds every indicator of `set` (ours through the port, theirs with the close) a bar per price. */
function byBar(
  makeSet: () => (Ours | Theirs)[],
  ours: boolean,
  closes: Float64Array,
): () => number {
  return () => {
    const set = makeSet();
    const bar = barOf();
    let sum = 0;
    for (let i = 0; i < closes.length; i++) {
      const c = closes[i]!;
      bar.time = i * 60_000;
      bar.open = c;
      bar.high = c + 0.05;
      bar.low = c - 0.05;
      bar.close = c;
      for (let k = 0; k < set.length; k++) {
        if (ours) {
          const indicator = set[k] as Ours;
          indicator.update(bar);
          sum += indicator.value ?? 0;
        } else {
          sum += (set[k] as Theirs).add(bar.close) ?? 0;
        }
      }
    }
    return sum;
  };
}

export async function run(): Promise<void> {
  const closes = prices(N);
  const cases: { name: string; ours: () => Ours[]; theirs: () => Theirs[] }[] = [
    { name: "SMA-50", ours: () => [new Sma(50)], theirs: () => [new SMA(50)] },
    { name: "EMA-20", ours: () => [new Ema(20)], theirs: () => [new EMA(20)] },
    { name: "RSI-14", ours: () => [new Rsi(14)], theirs: () => [new RSI(14)] },
    {
      name: "all three",
      ours: () => [new Sma(50), new Ema(20), new Rsi(14)],
      theirs: () => [new SMA(50), new EMA(20), new RSI(14)],
    },
  ];
  const rows = cases.map((c) => {
    const single = c.ours().length === 1;
    return {
      name: c.name,
      oursNumber: single ? measure(oursByNumber(() => c.ours()[0]!, closes)) : Number.NaN,
      theirsNumber: single ? measure(theirsByNumber(() => c.theirs()[0]!, closes)) : Number.NaN,
      oursBar: measure(byBar(c.ours, true, closes)),
      theirsBar: measure(byBar(c.theirs, false, closes)),
    };
  });

  const ns = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(1));
  const ratio = (theirs: number, ours: number) =>
    Number.isNaN(ours) ? "-" : `${(theirs / ours).toFixed(1)}x`;
  console.log(
    `${N.toLocaleString("en-US")} prices, ns per update (best of ${ROUNDS} rounds; lower is better)`,
  );
  console.log(
    [
      "".padEnd(10),
      "numbers: ours".padStart(14),
      "trading-signals".padStart(16),
      "ratio".padStart(6),
      "  bars: ours".padStart(13),
      "trading-signals".padStart(16),
      "ratio".padStart(6),
    ].join(" "),
  );
  for (const r of rows) {
    console.log(
      [
        r.name.padEnd(10),
        ns(r.oursNumber).padStart(14),
        ns(r.theirsNumber).padStart(16),
        ratio(r.theirsNumber, r.oursNumber).padStart(6),
        ns(r.oursBar).padStart(13),
        ns(r.theirsBar).padStart(16),
        ratio(r.theirsBar, r.oursBar).padStart(6),
      ].join(" "),
    );
  }
  console.log(
    'ratio = trading-signals ns / ours ns (goal >= 3x); "all three" = one bar through the set',
  );
  if (!Number.isFinite(sink)) console.log("(checksum not finite)");
}
