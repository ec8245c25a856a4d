import type { TradingCalendar } from "../../calendar/trading-calendar.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import type { BacktestReport, ReplayHours, ReplaySpeed } from "../../stream/public.js";
import { busShardRunner } from "../../system/bus-shards.js";
import type { SystemManager } from "../../system/public.js";
import { runShardedBacktest } from "../../system/sharded-backtest.js";
import { formatBacktestReport } from "../report-format.js";

/** What `backtest --shards N` needs of the options `runBacktest` already parsed. */
export interface ShardedCommandParts {
  readonly shards: string;
  readonly symbols: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly speed: ReplaySpeed;
  readonly hours: ReplayHours;
  readonly indicators: readonly string[];
  readonly calendar: TradingCalendar;
  readonly dropRate: number | undefined;
  readonly seed: number | undefined;
  readonly json: boolean | undefined;
  /** `--bus nats://…`: send the shards to `sessiondata shard-worker` processes instead. */
  readonly bus?: string | undefined;
  /** Refused: the shards' stores are in other processes (publish from a replica-side store). */
  readonly publish?: string | undefined;
}

/**
 * `backtest --shards N`: closes the parent's store (DuckDB lets several processes read a file
 * only when none writes it), runs N worker processes, each reading the file read-only, and
 * prints the merged report (equal to the unsharded one but for `wallMs`/`barsPerSecond`).
 */
export async function runShardedCommand(
  system: SystemManager,
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
  const dbPath = system.dbPath;
  if (dbPath === undefined || dbPath === ":memory:") {
    throw new InvalidArgumentError("--shards needs a DuckDB file the worker processes can open");
  }
  await system.stop();
  const remote = parts.bus === undefined ? undefined : await busShardRunner(parts.bus);
  const report = await runShardedBacktest({
    ...(remote === undefined ? {} : { runShard: remote.runShard }),
    dbPath,
    calendar: parts.calendar.name,
    indicators: parts.indicators,
    extendedHours: parts.hours === "extended",
    symbols: parts.symbols,
    shards,
    backtest: {
      from: parts.from,
      to: parts.to,
      speed: parts.speed,
      hours: parts.hours,
      ...(parts.dropRate === undefined ? {} : { dropRate: parts.dropRate }),
      ...(parts.seed === undefined ? {} : { seed: parts.seed }),
    },
  }).finally(() => remote?.close());
  if (report.bars === 0) {
    throw new InvalidArgumentError(
      `empty range: no bars of ${parts.symbols.length === 1 ? parts.symbols[0] : `${parts.symbols.length} symbols`} between ${parts.from} and ${parts.to}`,
    );
  }
  process.stdout.write(
    parts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatBacktestReport(report)}\n`,
  );
  return report;
}
