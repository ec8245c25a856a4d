import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { NATS_TEST_URL, nats, requiring } from "../../../test/requirements.js";
import { deleteStream, uniqueBus } from "../../bus/bus.test-helpers.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";
import { runReplica } from "./replica.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-replica-cli-"));
const db = join(dir, "cli.duckdb");
const bus = uniqueBus("cli");
const liveBus = uniqueBus("live");
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteStream(NATS_TEST_URL, bus.stream).catch(() => undefined);
  await deleteStream(NATS_TEST_URL, liveBus.stream).catch(() => undefined);
});

it("replica without NATS: one line naming the URL, exit 1", () => {
  const r = sessiondata(["replica", "--nats", "nats://127.0.0.1:1", "--duration", "1"]);
  expect(r.code).toBe(1);
  expect(r.stderr.trim()).toMatch(/^sessiondata: NATS at nats:\/\/127\.0\.0\.1:1 is not reachable/);
});

const server = await nats();

requiring(server).it(
  "replica --serve: the dashboard's API shows the replica's session",
  async () => {
    const { NatsBarPublisher } = await import("../../bus/nats-bar-publisher.js");
    const { SessionData } = await import("../../store/session-data.js");
    const { xnysCalendar } = await import("../../calendar/xnys.js");
    const serveBus = uniqueBus("serve");
    const primary = new SessionData({ calendar: xnysCalendar });
    const publisher = new NatsBarPublisher({
      servers: NATS_TEST_URL,
      sessionData: primary,
      ...serveBus,
    });
    await publisher.start();
    const open = Date.UTC(2024, 0, 2, 14, 30);
    for (let k = 0; k < 5; k++) {
      primary.addBar(
        "AAPL",
        { time: open + k * 60_000, open: 10, high: 20, low: 9, close: 10.5 + k, volume: 100 },
        "replay",
      );
    }
    publisher.endMinute();
    await publisher.flush();
    let latest: unknown;
    try {
      await runReplica(
        {
          nats: NATS_TEST_URL,
          durable: "serve",
          stream: serveBus.stream,
          subjectPrefix: serveBus.subjectPrefix,
          serve: true,
          port: "0",
          duration: "3",
        },
        ({ url, replica }) => {
          void replica.caughtUp().then(async () => {
            latest = await (await fetch(`${url}/api/symbols/AAPL/latest`)).json();
          });
        },
      );
    } finally {
      await publisher.stop();
      await deleteStream(NATS_TEST_URL, serveBus.stream);
    }
    expect(JSON.stringify(latest), "the replica's latest AAPL bar, served").toContain("14.5");
  },
  30_000,
);

requiring(server).it(
  "live --feed sim --publish, then replica: the replica holds every bar the live session took",
  () => {
    const env = {
      SESSIONDATA_NATS_STREAM: liveBus.stream,
      SESSIONDATA_NATS_SUBJECT_PREFIX: liveBus.subjectPrefix,
    };
    {
      const live = sessiondata(
        [
          "live",
          "--feed",
          "sim",
          "--db",
          join(dir, "live.duckdb"),
          "--symbols",
          "AAPL,MSFT",
          "--duration",
          "3",
          "--speed",
          "120",
          "--publish",
          NATS_TEST_URL,
          "--json",
        ],
        env,
      );
      expect(live.code, live.stderr).toBe(0);
      const summary = JSON.parse(live.stdout) as { bars: number };
      expect(summary.bars, "the sim fed some bars").toBeGreaterThan(0);
      const r = sessiondata(
        ["replica", "--nats", NATS_TEST_URL, "--durable", "live", "--duration", "3", "--json"],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      const replica = JSON.parse(r.stdout) as { applied: number; symbols: number };
      expect(
        replica.applied,
        "the live bars (and the warm-up) reached the replica",
      ).toBeGreaterThanOrEqual(summary.bars);
      expect(replica.symbols).toBe(2);
    }
  },
  90_000,
);

requiring(server).it(
  "backtest --publish, then replica: the replica holds every replayed bar and barrier",
  () => {
    const env = {
      SESSIONDATA_NATS_STREAM: bus.stream,
      SESSIONDATA_NATS_SUBJECT_PREFIX: bus.subjectPrefix,
    };
    const range = ["--from", "2024-01-02", "--to", "2024-01-03", "--symbols", "AAPL,MSFT,NVDA"];
    // backtest --db never creates a sample: generate the data first.
    const gen = sessiondata(["generate", "--db", db, ...range, "--json"], env);
    expect(gen.code, gen.stderr).toBe(0);
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
