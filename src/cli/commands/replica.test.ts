import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { NATS_TEST_URL, nats, requiring } from "../../../test/requirements.js";
import { deleteStream, uniqueBus } from "../../bus/bus.test-helpers.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-replica-cli-"));
const db = join(dir, "cli.duckdb");
const bus = uniqueBus("cli");
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteStream(NATS_TEST_URL, bus.stream).catch(() => undefined);
});

it("replica without NATS: one line naming the URL, exit 1", () => {
  const r = sessiondata(["replica", "--nats", "nats://127.0.0.1:1", "--duration", "1"]);
  expect(r.code).toBe(1);
  expect(r.stderr.trim()).toMatch(/^sessiondata: NATS at nats:\/\/127\.0\.0\.1:1 is not reachable/);
});

requiring(await nats()).it(
  "backtest --publish, then replica: the replica holds every replayed bar and barrier",
  () => {
    const env = {
      SESSIONDATA_NATS_STREAM: bus.stream,
      SESSIONDATA_NATS_SUBJECT_PREFIX: bus.subjectPrefix,
    };
    const range = ["--from", "2024-01-02", "--to", "2024-01-03", "--symbols", "AAPL,MSFT,NVDA"];
    const bt = sessiondata(
      ["backtest", "--db", db, ...range, "--publish", NATS_TEST_URL, "--json"],
      env,
    );
    expect(bt.code, bt.stderr).toBe(0);
    const report = JSON.parse(bt.stdout) as { bars: number; slices: number };
    const r = sessiondata(
      ["replica", "--nats", NATS_TEST_URL, "--durable", "cli", "--duration", "4", "--json"],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary, "every bar and one barrier per slice").toMatchObject({
      stream: bus.stream,
      durable: "cli",
      applied: report.bars,
      barriers: report.slices,
      duplicates: 0,
      symbols: 3,
      session: "2024-01-03",
    });
  },
  90_000,
);
