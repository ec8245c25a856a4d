import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: forks keep DuckDB's native threads and the store's big arrays apart.
    pool: "forks",
    // fast-check's seed and run counts for every property (test/fast-check.ts: FC_SEED, FC_RUNS_FACTOR).
    setupFiles: ["./test/setup/fast-check.setup.ts"],
    // The default table, then one plain "tests: N passed, N failed, N skipped" line.
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
