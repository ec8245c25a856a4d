/**
 * The suite's fast-check settings, one place for every property test.
 *
 * `npm test` draws from one fixed seed, so a run is repeatable and a failure can be replayed;
 * `FC_SEED=<n>` picks another seed, `FC_SEED=random` a fresh one per test file, and
 * `FC_RUNS_FACTOR=<k>` multiplies every property's runs. `npm run test:fuzz` is
 * `FC_SEED=random FC_RUNS_FACTOR=10`. The seed of a failing property is printed with the command
 * that replays it (fast-check's own message names it too).
 *
 * @example
 * ```ts
 * import { runs } from "../../test/fast-check.js";
 * fc.assert(fc.property(arb, check), { numRuns: runs(200) });
 * ```
 */

/** The seed `npm test` uses when `FC_SEED` is unset. */
export const DEFAULT_SEED = 20_241_202;

/** fast-check's own default number of runs, multiplied like every explicit count. */
export const DEFAULT_RUNS = 100;

function parseSeed(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return DEFAULT_SEED;
  if (value.trim().toLowerCase() === "random") return (Math.random() * 2 ** 31) | 0;
  const seed = Number(value);
  if (!Number.isInteger(seed)) {
    throw new Error(`FC_SEED must be an integer or "random", got ${JSON.stringify(value)}`);
  }
  return seed;
}

function parseFactor(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 1;
  const factor = Number(value);
  if (!(Number.isFinite(factor) && factor > 0)) {
    throw new Error(`FC_RUNS_FACTOR must be a positive number, got ${JSON.stringify(value)}`);
  }
  return factor;
}

/** The seed of this test file's properties. */
export const FC_SEED = parseSeed(process.env.FC_SEED);

/** How many times its stated runs each property runs. */
export const FC_RUNS_FACTOR = parseFactor(process.env.FC_RUNS_FACTOR);

/** A property's number of runs: `n` in `npm test`, `n × FC_RUNS_FACTOR` when fuzzing. */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * FC_RUNS_FACTOR));
}

/** The command that replays a failure of this run's properties in `file`. */
export function replayCommand(file: string): string {
  const factor = FC_RUNS_FACTOR === 1 ? "" : ` FC_RUNS_FACTOR=${FC_RUNS_FACTOR}`;
  return `FC_SEED=${FC_SEED}${factor} npx vitest run ${file}`;
}
