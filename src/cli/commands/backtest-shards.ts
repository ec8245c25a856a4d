import type { ChildProcess } from "node:child_process";
import { InvalidArgumentError } from "../../domain/errors.js";
import type { AdjustMode } from "../../history/public.js";
import type { BacktestReport, ReplayHours, ReplaySpeed } from "../../stream/public.js";
import { busShardRunner } from "../../system/bus-shards.js";
import type { SystemManager } from "../../system/public.js";
import { forkShardWorkers, runShardedBacktest } from "../../system/sharded-backtest.js";
import type { CalendarPlan } from "../backtest-plan.js";

/** What `backtest --shards N` needs of the options `runBacktest` already parsed. */
export interface ShardedCommandParts {
  readonly shards: string;
  readonly speed: ReplaySpeed;
  readonly hours: ReplayHours;
  readonly indicators: readonly string[];
  readonly adjust: AdjustMode | undefined;
  readonly dropRate: number | undefined;
  readonly seed: number | undefined;
  /** `--bus nats://…`: send the shards to `sessiondata shard-worker` processes instead. */
  readonly bus?: string | undefined;
  /** Refused: the shards' stores are in other processes (publish an unsharded run). */
  readonly publish?: string | undefined;
  /** The DuckDB file the workers open read-only (undefined for a PostgreSQL or in-memory store). */
  readonly dbPath?: string | undefined;
  /** Closes the parent's own handle on the file (a store the command opened, not the system). */
  readonly closeStore?: (() => Promise<void>) | undefined;
  /** Local workers forked when the command started (`forkShardWorkers`), so they load while it plans. */
  readonly workers?: readonly ChildProcess[] | undefined;
}

/**
 * The local workers `backtest --shards N` forks as it starts (none with `--bus` or a malformed
 * N, which `runShardedCommand` then refuses): their start-up (process, modules) overlaps the
 * parent's opening of the store and its planning. The caller ends the unused ones
 * (`releaseShardWorkers`) however the command ends.
 */
export function forkCommandWorkers(
  shards: string | undefined,
  bus: string | undefined,
): ChildProcess[] | undefined {
  if (shards === undefined || bus !== undefined || !/^\d+$/.test(shards)) return undefined;
  const n = Number(shards);
  return n >= 1 && n <= 64 ? forkShardWorkers(n) : undefined;
}

/**
 * `backtest --shards N`: closes the parent's store (DuckDB lets several processes read a file
 * only when none writes it), runs N worker processes, each reading the file read-only, and
 * resolves with the merged report (equal to the unsharded one but for `wallMs`/`barsPerSecond`).
 * One calendar per run: symbols of several calendars replay one plan after another unsharded.
 */
export async function runShardedCommand(
  system: SystemManager,
  plans: readonly CalendarPlan[],
  parts: ShardedCommandParts,
): Promise<BacktestReport> {
  const shards = Number(parts.shards);
  if (!/^\d+$/.test(parts.shards) || shards < 1) {
    throw new InvalidArgumentError(
      `--shards must be an integer >= 1, got ${JSON.stringify(parts.shards)}`,
    );
  }
  if (parts.publish !== undefined) {
    throw new InvalidArgumentError(
      "--publish cannot be combined with --shards: each shard's store is in its own process; publish an unsharded run",
    );
  }
  if (plans.length !== 1) {
    throw new InvalidArgumentError(
      `--shards runs one calendar at a time; these symbols are on ${plans.map((p) => p.calendar.name).join(", ")}: pass --calendar or --symbols of one calendar`,
    );
  }
  const plan = plans[0]!;
  const dbPath = parts.dbPath ?? system.dbPath;
  if (dbPath === undefined || dbPath === ":memory:") {
    throw new InvalidArgumentError("--shards needs a DuckDB file the worker processes can open");
  }
  await system.stop();
  await parts.closeStore?.();
  const remote = parts.bus === undefined ? undefined : await busShardRunner(parts.bus);
  return runShardedBacktest({
    ...(remote === undefined ? {} : { runShard: remote.runShard }),
    ...(parts.workers === undefined ? {} : { workers: parts.workers }),
    dbPath,
    calendar: plan.calendar.name,
    indicators: parts.indicators,
    extendedHours: parts.hours === "extended",
    symbols: plan.symbols,
    shards,
    backtest: {
      from: plan.from,
      to: plan.to,
      speed: parts.speed,
      hours: parts.hours,
      ...(parts.adjust === undefined ? {} : { adjust: parts.adjust }),
      ...(parts.dropRate === undefined ? {} : { dropRate: parts.dropRate }),
      ...(parts.seed === undefined ? {} : { seed: parts.seed }),
    },
  }).finally(() => remote?.close());
}
