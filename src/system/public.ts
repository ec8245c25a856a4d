// The system layer's public surface, exported by hand.
// The system's default indicator set is the analysis engine's (one binding, re-exported).
export { DEFAULT_INDICATORS } from "../analysis/analysis-engine.js";
export { busShardRunner, DEFAULT_SHARD_SUBJECT, serveShardJobs } from "./bus-shards.js";
// Corporate actions in replays built outside DataManager (the server's).
export {
  type CorporateReplaySourceOptions,
  corporateReplaySource,
} from "./corporate-replay.js";
export {
  type CreateBacktestOptions,
  DataManager,
  type DataManagerParts,
  type ImportFileOptions,
  type ImportFileResult,
} from "./data-manager.js";
export {
  type BarLateEvent,
  type LiveCounts,
  LiveSession,
  type LiveSessionEvents,
  type LiveSessionOptions,
} from "./live-session.js";
export {
  getSessionTracker,
  SESSION_TRACKER_DEPRECATION,
  SessionTracker,
} from "./session-tracker.js";
export type { ShardJob, ShardResult, ShardTimings } from "./shard-job.js";
export {
  forkShardWorkers,
  mergeShardResults,
  partitionSymbols,
  releaseShardWorkers,
  runShardedBacktest,
  ShardError,
  type ShardedBacktestOptions,
} from "./sharded-backtest.js";
export {
  getSystemManager,
  resetSystemManager,
  SystemManager,
  type SystemManagerOptions,
} from "./system-manager.js";
