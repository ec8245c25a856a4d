import { request } from "node:http";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/public.js";
import type { MemoryBarStore } from "../history/memory-bar-store.js";
import { SessionData } from "../store/public.js";
import { hostIsLoopback, originMatchesHost } from "./auth.js";
import { createServer, type SessiondataServer } from "./server.js";
import { sampleStore } from "./server.test-helpers.js";

const DAY = "2024-01-03";
let store: MemoryBarStore;
beforeAll(async () => {
  store = await sampleStore({ symbols: ["AAA"], from: DAY, to: DAY, minutes: 30 });
});

let server: SessiondataServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function make(token?: string): SessiondataServer {
  server = createServer({
    sessionData: new SessionData({ calendar: xnysCalendar }),
    barStore: store,
    ...(token === undefined ? {} : { token }),
  });
  return server;
}

async function call(s: SessiondataServer, path: string, init?: RequestInit) {
  const res = await s.app.request(path, init);
  return { status: res.status, body: (await res.json()) as { error?: string; message?: string } };
}

/** The status line of a WebSocket upgrade request with the given extra headers. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/ws`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...headers,
      },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("POST /api/replay wants a declared JSON body", () => {
  it.each([
    ["text/plain;charset=UTF-8"],
    ["application/x-www-form-urlencoded"],
    ["multipart/form-data; boundary=x"],
    [undefined],
  ])("refuses Content-Type %s with a 415 (another site's page could send it)", async (type) => {
    const s = make();
    const { status, body } = await call(s, "/api/replay", {
      method: "POST",
      ...(type === undefined ? {} : { headers: { "Content-Type": type } }),
      body: JSON.stringify({ action: "start" }),
    });
    expect(status).toBe(415);
    expect(body.message).toMatch(/^Content-Type: must be application\/json/);
    expect(s.replay.state.state, "nothing started").toBe("idle");
  });

  it("accepts application/json with a charset", async () => {
    const s = make();
    const { status } = await call(s, "/api/replay", {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify({ action: "start", speed: "max" }),
    });
    expect(status).toBe(202);
    await s.replay.settled();
  });
});

describe("replay range", () => {
  it("refuses a range without stored bars and keeps the session data", async () => {
    const s = make();
    const post = (body: unknown) =>
      call(s, "/api/replay", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post({ action: "start" })).status).toBe(202);
    await s.replay.settled();
    const before = (await call(s, "/api/symbols")).body;
    const { status, body } = await post({ action: "start", from: "2023-01-03", to: "2023-01-05" });
    expect(status).toBe(400);
    expect(body.message).toBe(
      `from, to: the bar store has no bars in 2023-01-03..2023-01-05 (it holds ${DAY}..${DAY})`,
    );
    expect((await call(s, "/api/symbols")).body, "the store was not cleared").toEqual(before);
  });
});

describe("GET /api/gaps?limit", () => {
  it("lists the newest n gaps and counts them all", async () => {
    const s = make();
    for (let m = 0; m < 5; m++) {
      const gap = { symbol: "AAA", start: m * 120_000, end: m * 120_000 + 60_000, count: 1 };
      s.gaps.apply({ type: "gapDetected", gap, sessionDate: DAY });
    }
    const { status, body } = (await call(s, "/api/gaps?limit=2")) as {
      status: number;
      body: { gaps: { start: number }[]; counts: { detected: number } };
    };
    expect(status).toBe(200);
    expect(body.gaps.map((g) => g.start)).toEqual([480_000, 360_000]);
    expect(body.counts.detected).toBe(5);
    expect((await call(s, "/api/gaps?limit=0")).body.message).toBe("limit: must be at least 1");
  });
});

describe("query strings", () => {
  it.each([
    ["n=99999999999999999999", "n: must be at most 10000"],
    ["since=9007199254740993", "since: must be at most 8640000000000000"],
  ])("answers %s with one message per parameter", async (query, message) => {
    const { status, body } = await call(make(), `/api/symbols/AAA/bars?${query}`);
    expect(status).toBe(400);
    expect(body.message).toBe(message);
  });

  it("refuses a parameter given twice instead of picking one", async () => {
    const { status, body } = await call(make(), "/api/symbols/AAA/bars?n=1&n=2");
    expect(status).toBe(400);
    expect(body.message).toBe("n: given 2 times");
  });
});

describe("Host and Origin checks", () => {
  it.each([
    ["127.0.0.1:8080", true],
    ["localhost:8080", true],
    ["LOCALHOST", true],
    ["[::1]:8080", true],
    ["127.1.2.3", true],
    [undefined, true],
    ["evil.example:8080", false],
    ["127.0.0.1.evil.example", false],
    ["[::2]:80", false],
  ])("Host %s is loopback: %s", (host, ok) => {
    expect(hostIsLoopback(host)).toBe(ok);
  });

  it.each([
    [undefined, "127.0.0.1:8080", true],
    ["http://127.0.0.1:8080", "127.0.0.1:8080", true],
    ["http://evil.example", "127.0.0.1:8080", false],
    ["http://127.0.0.1:9999", "127.0.0.1:8080", false],
    ["null", "127.0.0.1:8080", false],
  ])("Origin %s on Host %s is allowed: %s", (origin, host, ok) => {
    expect(originMatchesHost(origin, host)).toBe(ok);
  });

  it("without a token, answers no request whose Host is not loopback (DNS rebinding)", async () => {
    const s = make();
    const { status, body } = await call(s, "http://evil.example:8080/api/symbols", {
      headers: { Host: "evil.example:8080" },
    });
    expect(status).toBe(403);
    expect(body.message).toMatch(/Host must be a loopback address/);
    expect((await s.app.request("/api/symbols", { headers: { Host: "127.0.0.1" } })).status).toBe(
      200,
    );
  });

  it("refuses a WebSocket upgrade from another site's page or a rebound host name", async () => {
    const s = make();
    const { url } = await s.listen(0, "127.0.0.1");
    const host = new URL(url).host;
    expect(await upgradeStatus(url, {}), "a program (no Origin)").toBe(101);
    expect(await upgradeStatus(url, { Origin: `http://${host}` }), "the dashboard").toBe(101);
    expect(await upgradeStatus(url, { Origin: "https://evil.example" }), "another site").toBe(403);
    expect(
      await upgradeStatus(url, { Host: "evil.example", Origin: "http://evil.example" }),
      "DNS rebinding",
    ).toBe(403);
  });

  it("with a token, a cross-site upgrade is refused even with the right token", async () => {
    const token = "0123456789abcdef0123";
    const s = make(token);
    const { url } = await s.listen(0, "127.0.0.1");
    expect(await upgradeStatus(url, { Authorization: `Bearer ${token}` })).toBe(101);
    expect(await upgradeStatus(url, {})).toBe(401);
    expect(
      await upgradeStatus(url, { Authorization: `Bearer ${token}`, Origin: "http://evil.example" }),
    ).toBe(403);
  });
});

describe("POST body size", () => {
  it("refuses a body over 1 MiB with a 413 without reading it all", async () => {
    const s = make();
    const res = await s.app.request("/api/replay", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ action: "start", symbols: ["A".repeat(2 * 1024 * 1024)] }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/^body: larger than/);
    expect(s.replay.state.state).toBe("idle");
  });
});
