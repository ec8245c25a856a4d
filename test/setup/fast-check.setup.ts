// Vitest setup file (vitest.config.ts `setupFiles`): every test file's properties run with the
// suite's seed and run counts (see ../fast-check.ts).
import { relative } from "node:path";
import fc from "fast-check";
import { beforeEach } from "vitest";
import { DEFAULT_RUNS, FC_SEED, replayCommand, runs } from "../fast-check.js";

fc.configureGlobal({ seed: FC_SEED, numRuns: runs(DEFAULT_RUNS) });

beforeEach(({ onTestFailed }) => {
  onTestFailed(({ task }) => {
    const errors = task.result?.errors ?? [];
    if (!errors.some((e) => /Property failed/.test(String(e?.message)))) return;
    const file = relative(process.cwd(), task.file.filepath);
    process.stderr.write(`fast-check seed ${FC_SEED}; replay: ${replayCommand(file)}\n`);
  });
});
