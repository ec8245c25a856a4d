import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/public.js";
import { SessionData } from "../store/public.js";
import { eventLoopTurnsHeld } from "../stream/replay-clock.js";
import { createServer, type SessiondataServer } from "./server.js";

let server: SessiondataServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Waits (polling) until `check` holds, at most 5 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("the server holds turns of the event loop while it answers a request", () => {
  it("from the request's headers until its response is written", async () => {
    server = createServer({ sessionData: new SessionData({ calendar: xnysCalendar }) });
    const { port } = await server.listen(0, "127.0.0.1");
    expect(eventLoopTurnsHeld(), "no request yet").toBe(false);
    const body = JSON.stringify({ action: "stop" });
    let status = 0;
    const done = new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/api/replay",
          headers: { "content-type": "application/json", "content-length": body.length },
        },
        (res) => {
          status = res.statusCode ?? 0;
          res.resume();
          res.on("end", resolve);
        },
      );
      req.on("error", reject);
      // Headers now, the body later: the server is answering a request meanwhile.
      req.flushHeaders();
      until(eventLoopTurnsHeld, "the hold").then(() => req.end(body), reject);
    });
    await done;
    expect(status, "the request was answered").toBeGreaterThan(0);
    await until(() => !eventLoopTurnsHeld(), "the release");
  });

  it("releases the hold of a request whose client goes away", async () => {
    server = createServer({ sessionData: new SessionData({ calendar: xnysCalendar }) });
    const { port } = await server.listen(0, "127.0.0.1");
    const req = request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/api/replay",
      headers: { "content-type": "application/json", "content-length": 100 },
    });
    req.on("error", () => undefined);
    req.flushHeaders();
    await until(eventLoopTurnsHeld, "the hold");
    req.destroy();
    await until(() => !eventLoopTurnsHeld(), "the release after the client left");
  });
});
