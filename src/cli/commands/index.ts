import type { Command } from "commander";
import { registerBacktest } from "./backtest.js";
import { registerCalendars } from "./calendars.js";
import { registerCopy } from "./copy.js";
import { registerGenerate } from "./generate.js";
import { registerImport } from "./import.js";
import { registerInfo } from "./info.js";
import { registerLive } from "./live.js";
import { registerQuality } from "./quality.js";
import { registerReplica } from "./replica.js";
import { registerServe } from "./serve.js";
import { registerShardWorker } from "./shard-worker.js";

/** A sub-command: adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

/** Every sub-command, in the order `--help` lists them. One line each; add yours here. */
export const commands: RegisterCommand[] = [
  registerImport,
  registerGenerate,
  registerInfo,
  registerBacktest,
  registerQuality,
  registerCalendars,
  registerServe,
  registerLive,
  registerReplica,
  registerShardWorker,
  registerCopy,
];
