import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  decide,
  isCi,
  NATS_TEST_URL,
  nats,
  PG_TEST_URL,
  postgres,
  requiring,
  sharedData,
} from "./requirements.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface JsonReport {
  numFailedTests: number;
  numPassedTests: number;
  numPendingTests: number;
  testResults: {
    assertionResults: { title: string; status: string; failureMessages: string[] }[];
  }[];
}

function runFixture(ci: boolean): { report: JsonReport; stderr: string } {
  const env = { ...process.env };
  delete env.CI;
  if (ci) env.CI = "true";
  const child = spawnSync(
    process.execPath,
    ["node_modules/vitest/vitest.mjs", "run", "--config", "test/fixtures/vitest.fixture.config.ts"],
    { cwd: ROOT, env, encoding: "utf8" },
  );
  const start = child.stdout.indexOf("{");
  return { report: JSON.parse(child.stdout.slice(start)) as JsonReport, stderr: child.stderr };
}

describe("test requirements", () => {
  it("decides run, skip or fail, and says what is missing and how to get it", () => {
    const met = { what: "a", met: true, howTo: "" };
    const absent = { what: "/usr/bin/chromium", met: false, howTo: "apt-get install chromium" };
    expect(decide("s", [met], false).action).toBe("run");
    expect(decide("s", [met], true).action).toBe("run");
    const skip = decide("dashboard", [met, absent], false);
    expect(skip.action, "a developer's run skips").toBe("skip");
    expect(skip.line).toContain("/usr/bin/chromium is missing (apt-get install chromium)");
    expect(skip.line).toContain('"dashboard"');
    expect(skip.line.includes("\n"), "one line").toBe(false);
    expect(decide("dashboard", [absent], true).action, "a CI run fails").toBe("fail");
  });

  it("reads CI=true and CI=1 as a CI run, anything else as not", () => {
    expect(isCi({ CI: "true" })).toBe(true);
    expect(isCi({ CI: "1" })).toBe(true);
    expect(isCi({ CI: "TRUE" })).toBe(true);
    expect(isCi({})).toBe(false);
    expect(isCi({ CI: "false" })).toBe(false);
  });

  it("sees which shared data files are absent", () => {
    const r = sharedData("no-such-folder/never-there.csv");
    expect(r.met).toBe(false);
    expect(r.what).toMatch(/shared\/data\/no-such-folder\/never-there\.csv$/);
  });

  it("finds no PostgreSQL or NATS on a port nothing listens on", async () => {
    const port = await closedPort();
    expect((await postgres(`postgres://postgres@127.0.0.1:${port}/test`, 500)).met).toBe(false);
    expect((await nats(`nats://127.0.0.1:${port}`, 500)).met).toBe(false);
  });

  it("in a child run: skips with one line without CI, fails in the tests' place with CI=true", () => {
    const dev = runFixture(false);
    expect(dev.report.numFailedTests, JSON.stringify(dev.report.testResults)).toBe(0);
    expect(dev.report.numPassedTests).toBe(1);
    expect(dev.report.numPendingTests, "the suite's test is skipped").toBe(1);
    expect(dev.stderr).toMatch(/skipped "needs a missing file": .*never-there\.csv is missing/);
    const ci = runFixture(true);
    expect(ci.report.numFailedTests).toBe(1);
    expect(ci.report.numPassedTests, "what can run still runs").toBe(1);
    const failed = ci.report.testResults[0]!.assertionResults.find((a) => a.status === "failed")!;
    expect(failed.failureMessages[0]).toMatch(/cannot run with CI=true: .*never-there\.csv/);
  }, 60_000);
});

const pg = await postgres();
requiring(pg).it(`connects to ${PG_TEST_URL}`, () => {
  expect(pg.met).toBe(true);
});
const js = await nats();
requiring(js).it(`finds JetStream at ${NATS_TEST_URL}`, () => {
  expect(js.met).toBe(true);
});
