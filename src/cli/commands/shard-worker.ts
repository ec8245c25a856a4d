import type { Command } from "commander";
import { InvalidArgumentError } from "../../domain/errors.js";
import { DEFAULT_SHARD_SUBJECT, serveShardJobs } from "../../system/bus-shards.js";
import {
  DUCKDB_MEMORY_LIMIT_OPTION,
  DUCKDB_THREADS_OPTION,
  exportDuckDbTuning,
} from "../store-options.js";

/** The options of `sessiondata shard-worker`. */
export interface ShardWorkerCommandOptions {
  readonly bus?: string;
  readonly db?: string;
  readonly duckdbMemoryLimit?: string;
  readonly duckdbThreads?: string;
  readonly subject?: string;
}

/**
 * `sessiondata shard-worker --bus nats://… [--db PATH]`: serves `backtest --shards N --bus …`
 * jobs from another host, against this host's copy of the DuckDB file, until SIGINT/SIGTERM.
 */
export async function runShardWorker(options: ShardWorkerCommandOptions): Promise<void> {
  if (options.bus === undefined || options.bus === "") {
    throw new InvalidArgumentError("--bus URL is required: the NATS server the backtest uses");
  }
  // Each job opens the file: the flags reach it through this process's environment.
  exportDuckDbTuning(options);
  const worker = await serveShardJobs({
    servers: options.bus,
    ...(options.db === undefined ? {} : { dbPath: options.db }),
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    log: (line) => process.stderr.write(`sessiondata shard-worker: ${line}\n`),
  });
  process.stderr.write(
    `sessiondata: shard worker on ${options.subject ?? DEFAULT_SHARD_SUBJECT} at ${options.bus}${options.db === undefined ? "" : ` reading ${options.db}`}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await worker.stop();
}

/** Registers `sessiondata shard-worker`. */
export function registerShardWorker(program: Command): void {
  program
    .command("shard-worker")
    .description("run shards of `backtest --shards N --bus URL` on this host (Ctrl-C stops)")
    .option("--bus <url>", "NATS server URL the backtest sends its jobs to")
    .option("--db <path>", "this host's copy of the DuckDB file (default: the path the job names)")
    .option(...DUCKDB_MEMORY_LIMIT_OPTION)
    .option(...DUCKDB_THREADS_OPTION)
    .option("--subject <subject>", "job subject", DEFAULT_SHARD_SUBJECT)
    .action(async (options: ShardWorkerCommandOptions) => {
      await runShardWorker(options);
    });
}
