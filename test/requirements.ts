/**
 * What a test needs from outside the repository (the shared data set, Chromium, PostgreSQL,
 * NATS) and what happens when it is missing. One rule for the whole suite:
 *
 * - present: the tests run;
 * - missing, on a developer's machine (`CI` unset): the tests are skipped and one line on stderr
 *   says what is missing and how to get it, so a plain `npm test` stays green and honest;
 * - missing with `CI=true`: one failing test in their place says the same, so a CI run can never
 *   go green by skipping.
 *
 * @example
 * ```ts
 * import { requiring, sharedData, postgres } from "../../test/requirements.js";
 *
 * requiring(sharedData("bars/gbpusd-m1-bid-2012.csv")).describe("upkeep on real FX gaps", () => {
 *   it("…", () => {});
 * });
 * const pg = await postgres();           // probes 127.0.0.1:5432 (or $SESSIONDATA_TEST_PG_URL)
 * requiring(pg).describe("PostgresBarStore", () => {});
 * ```
 */
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

/** One thing a test needs, probed once. */
export interface Requirement {
  /** What it is, as a user would look for it: a path, a program, a server address. */
  readonly what: string;
  /** Whether it is there. */
  readonly met: boolean;
  /** How to provide it, in a few words. */
  readonly howTo: string;
}

/** The error in place of tests whose requirement is missing under `CI=true`. */
export class MissingRequirementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MissingRequirementError";
  }
}

/** The shared data folder beside the checkout (`../shared/data`), with a trailing slash. */
export const SHARED_DATA_DIR = fileURLToPath(new URL("../../shared/data/", import.meta.url));

/** The absolute path of `relative` under {@link SHARED_DATA_DIR}. */
export function sharedDataPath(relative: string): string {
  return SHARED_DATA_DIR + relative.replace(/^\/+/, "");
}

/** Files of the shared data set (`bars/…`, `calendars/…`); the folder itself when none are named. */
export function sharedData(...relative: string[]): Requirement {
  const paths = relative.length === 0 ? [SHARED_DATA_DIR] : relative.map(sharedDataPath);
  const absent = paths.filter((p) => !existsSync(p));
  return {
    what: absent.length === 0 ? paths.join(", ") : absent.join(", "),
    met: absent.length === 0,
    howTo:
      "put the shared data set (calendars and minute bars, see its README.md) at ../shared/data beside the checkout",
  };
}

/** The Chromium the browser tests drive: `$CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Chromium for the dashboard's browser tests. */
export function chromium(): Requirement {
  return {
    what: CHROMIUM_PATH,
    met: existsSync(CHROMIUM_PATH),
    howTo: "apt-get install chromium (.ci/run installs it), or set CHROMIUM_PATH",
  };
}

/** The PostgreSQL the tests use: `$SESSIONDATA_TEST_PG_URL`, else the local trust database `test`. */
export const PG_TEST_URL =
  process.env.SESSIONDATA_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/test";

/** The NATS server (with JetStream) the tests use: `$SESSIONDATA_TEST_NATS_URL`, else local. */
export const NATS_TEST_URL = process.env.SESSIONDATA_TEST_NATS_URL || "nats://127.0.0.1:4222";

/**
 * Reads the first line a TCP server sends (PostgreSQL sends nothing first: `greeting` false just
 * checks the connection), or `undefined` when nothing answers within `timeoutMs`.
 */
function probeTcp(
  host: string,
  port: number,
  greeting: boolean,
  timeoutMs: number,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let text = "";
    const done = (value: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once("error", () => done(undefined));
    socket.once("connect", () => {
      if (!greeting) done("");
    });
    socket.on("data", (data) => {
      text += data.toString("utf8");
      const end = text.indexOf("\n");
      if (end >= 0) done(text.slice(0, end));
    });
  });
}

/** A URL's host and port, with `defaultPort` when it names none. */
function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || "127.0.0.1", port: Number(parsed.port) || defaultPort };
}

/** PostgreSQL at {@link PG_TEST_URL} (or `url`): a server that accepts a login and `SELECT 1`. */
export async function postgres(url = PG_TEST_URL, timeoutMs = 2_000): Promise<Requirement> {
  const { host, port } = hostPort(url, 5432);
  const requirement = (met: boolean): Requirement => ({
    what: `PostgreSQL at ${url.replace(/\/\/[^@/]*@/, "//")}`,
    met,
    howTo:
      "start PostgreSQL on 127.0.0.1:5432 with trust auth and a database `test` (.ci/run does), or set SESSIONDATA_TEST_PG_URL",
  });
  if ((await probeTcp(host, port, false, timeoutMs)) === undefined) return requirement(false);
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return requirement(true);
  } catch {
    return requirement(false);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** NATS with JetStream at {@link NATS_TEST_URL} (or `url`): its INFO greeting says `jetstream`. */
export async function nats(url = NATS_TEST_URL, timeoutMs = 2_000): Promise<Requirement> {
  const { host, port } = hostPort(url, 4222);
  const info = await probeTcp(host, port, true, timeoutMs);
  return {
    what: `NATS with JetStream at ${url}`,
    met: info !== undefined && /^INFO /.test(info) && /"jetstream"\s*:\s*true/.test(info),
    howTo:
      "run nats-server -js on 127.0.0.1:4222 (.ci/run starts it), or set SESSIONDATA_TEST_NATS_URL",
  };
}

/** Whether this run is a CI run (`CI=true` or `CI=1`), where a missing requirement fails. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci === "true" || ci === "1";
}

/** What to do about tests whose requirements are `requirements`, and the line that says why. */
export function decide(
  name: string,
  requirements: readonly Requirement[],
  ci: boolean,
): { readonly action: "run" | "skip" | "fail"; readonly line: string } {
  const missing = requirements.filter((r) => !r.met);
  if (missing.length === 0) return { action: "run", line: "" };
  const what = missing.map((r) => `${r.what} is missing (${r.howTo})`).join("; ");
  return ci
    ? { action: "fail", line: `"${name}" cannot run with CI=true: ${what}` }
    : { action: "skip", line: `skipped "${name}": ${what}; CI=true makes this a failure` };
}

/** `describe`/`it` that run only when every requirement is met; see the module's rule. */
export interface Requiring {
  /** Whether the tests will not run (missing requirement, CI or not). */
  readonly skip: boolean;
  describe(name: string, body: () => void): void;
  it(name: string, body: () => unknown, timeout?: number): void;
}

/** Tests that need every one of `requirements` (see the module's rule for when one is missing). */
export function requiring(...requirements: Requirement[]): Requiring {
  const ci = isCi();
  const missing = requirements.some((r) => !r.met);
  const apply = (name: string, register: () => void, skipped: () => void): void => {
    const { action, line } = decide(name, requirements, ci);
    if (action === "run") {
      register();
      return;
    }
    if (action === "skip") {
      process.stderr.write(`${line}\n`);
      skipped();
      return;
    }
    it(`requires what "${name}" needs`, () => {
      throw new MissingRequirementError(line);
    });
  };
  return {
    skip: missing,
    describe(name, body) {
      apply(
        name,
        () => describe(name, body),
        () => describe.skip(name, body),
      );
    },
    it(name, body, timeout) {
      apply(
        name,
        () => it(name, body, timeout),
        () => it.skip(name, body, timeout),
      );
    },
  };
}
