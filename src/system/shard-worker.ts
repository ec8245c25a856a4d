/**
 * The entry of a local shard process (forked by {@link runShardedBacktest}): takes one
 * {@link ShardJob} over IPC, runs it, answers with its {@link ShardResult} (or the error's
 * message) and exits.
 */
import { limitDuckDbThreads } from "./shard-duckdb-threads.js";
import { runShardJob, type ShardJob } from "./shard-job.js";

process.once("message", (message: { job: ShardJob; slices?: boolean }) => {
  if (message.job.duckdbThreads !== undefined) limitDuckDbThreads(message.job.duckdbThreads);
  const onSlices = message.slices ? (slices: unknown) => process.send!({ slices }) : undefined;
  runShardJob(message.job, onSlices).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (error: unknown) =>
      process.send!(
        { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) },
        () => process.exit(1),
      ),
  );
});
