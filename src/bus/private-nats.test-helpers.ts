// A private nats-server for the fault tests: its own port and store directory, so stopping and
// restarting it disturbs no other test (or helper) on the machine's shared server.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nats, type Requirement } from "../../test/requirements.js";

/** Where the fault tests find nats-server: `$NATS_SERVER_BIN`, else Debian's path. */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN || "/usr/sbin/nats-server";

/** nats-server installed, so the fault tests can start their own. */
export function natsServerBinary(): Requirement {
  return {
    what: NATS_SERVER_BIN,
    met: existsSync(NATS_SERVER_BIN),
    howTo: "apt-get install nats-server (.ci/run does), or set NATS_SERVER_BIN",
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A nats-server with JetStream the test owns: `stop()`/`start()` keep its store directory. */
export class PrivateNats {
  readonly url: string;
  readonly #port: number;
  readonly #dir: string;
  #child: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.#port = port;
    this.#dir = dir;
    this.url = `nats://127.0.0.1:${port}`;
  }

  static async launch(): Promise<PrivateNats> {
    const server = new PrivateNats(await freePort(), mkdtempSync(join(tmpdir(), "sd-nats-")));
    await server.start();
    return server;
  }

  /** Starts the server and waits until it answers with JetStream. */
  async start(): Promise<void> {
    if (this.#child !== undefined) return;
    this.#child = spawn(
      NATS_SERVER_BIN,
      ["-a", "127.0.0.1", "-p", String(this.#port), "-js", "-sd", this.#dir],
      { stdio: "ignore" },
    );
    const end = Date.now() + 10_000;
    while (!(await nats(this.url, 500)).met) {
      if (Date.now() > end) throw new Error(`private nats-server on ${this.url} did not come up`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the server (SIGTERM, SIGKILL after 5 s) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }

  /** Stops the server for good and removes its store. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
