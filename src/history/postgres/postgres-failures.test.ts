import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PG_TEST_URL, postgres, requiring } from "../../../test/requirements.js";
import { collectScan, contractBar } from "../bar-store.contract.js";
import { importFiles } from "../import/import-file.js";
import type { PostgresBarStore } from "./postgres-bar-store.js";
import { PostgresBarStore as Store } from "./postgres-bar-store.js";
import {
  PostgresAuthError,
  PostgresConnectionLostError,
  PostgresNoDatabaseError,
  PostgresUnreachableError,
  translatePgError,
} from "./postgres-errors.js";
import { adminQuery, openTestStore } from "./postgres-test-support.test-helpers.js";

const pgTests = requiring(await postgres());
const T0 = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;
const dir = mkdtempSync(join(tmpdir(), "sessiondata-pg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A URL like the test server's with another user, port or database. */
function urlWith(change: (u: URL) => void): string {
  const u = new URL(PG_TEST_URL);
  change(u);
  return u.toString();
}

/**
 * Ends the store's first backend whose query matches `pattern` as soon as one runs, polling
 * every 5 ms for up to `timeoutMs`; resolves to whether it ended one.
 */
async function terminateWhen(
  store: PostgresBarStore,
  pattern: string,
  timeoutMs = 60_000,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const rows = await adminQuery<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
       WHERE application_name = $1 AND state = 'active' AND query LIKE $2`,
      [`sessiondata/${store.schema}`, pattern],
    );
    if (rows.some((r) => r.ended)) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

/** Bars in a store's table, and distinct (sid, time) pairs: equal when nothing is doubled. */
async function counts(store: PostgresBarStore): Promise<{ rows: number; distinct: number }> {
  const [r] = await adminQuery<{ rows: string; distinct: string }>(
    `SELECT count(*) AS rows, count(DISTINCT (sid, time)) AS distinct FROM "${store.schema}".bars`,
  );
  return { rows: Number(r!.rows), distinct: Number(r!.distinct) };
}

/** A CSV of `n` minutes from 2024-01-02 14:30 UTC with prices derived from `seed`. */
function writeCsv(name: string, n: number, seed = 0): string {
  const path = join(dir, name);
  const lines = ["timestamp,open,high,low,close,volume"];
  for (let i = 0; i < n; i++) {
    const t = new Date(T0 + i * M).toISOString().replace("T", " ").slice(0, 19);
    const p = 100 + ((i + seed) % 50) / 4;
    lines.push(`${t},${p},${p + 1},${p - 1},${p + 0.5},${1000 + seed}`);
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

describe("translatePgError", () => {
  const context = { host: "db.desk:5432", user: "trader", database: "history", during: "scan" };
  it("names the host and what to do for each kind of failure", () => {
    const auth = translatePgError(
      { code: "28P01", message: 'password authentication failed for user "trader"' },
      context,
    );
    expect(auth).toBeInstanceOf(PostgresAuthError);
    expect(String((auth as Error).message)).toMatch(
      /PostgreSQL at db\.desk:5432 refused the login of role "trader" \(password authentication failed.*check the user and password/,
    );
    const refused = translatePgError({ code: "ECONNREFUSED", message: "connect refused" }, context);
    expect((refused as Error).message).toMatch(/cannot connect to PostgreSQL at db\.desk:5432/);
    const lost = translatePgError(
      { code: "57P01", message: "terminating connection due to administrator command" },
      { ...context, during: "write of 10 bars of AAPL", connected: true },
    );
    expect(lost).toBeInstanceOf(PostgresConnectionLostError);
    expect((lost as Error).message).toMatch(/nothing of that write was stored/);
    const other = { code: "23505", message: "duplicate key" };
    expect(translatePgError(other, context), "other server errors pass through").toBe(other);
  });
});

pgTests.describe("PostgresBarStore connection failures", () => {
  it("refuses with a named error naming the host: nothing listening", async () => {
    const url = urlWith((u) => {
      u.port = "1";
    });
    const error = await Store.open({ url }).catch((e) => e);
    expect(error).toBeInstanceOf(PostgresUnreachableError);
    expect(error.message).toMatch(
      /^cannot connect to PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED.*start the server there, or point --pg \/ SESSIONDATA_PG_URL/,
    );
  });

  it("refuses a login as a role the server does not know, and an unknown database", async () => {
    const role = urlWith((u) => {
      u.username = "no_such_role_sd";
      u.password = "secret";
    });
    const error = await Store.open({ url: role }).catch((e) => e);
    expect(error).toBeInstanceOf(PostgresAuthError);
    expect(error.message).toMatch(/refused the login of role "no_such_role_sd"/);
    expect(error.message, "the password is never shown").not.toMatch(/secret/);
    const db = urlWith((u) => {
      u.pathname = "/no_such_db_sd";
    });
    const noDb = await Store.open({ url: db }).catch((e) => e);
    expect(noDb).toBeInstanceOf(PostgresNoDatabaseError);
    expect(noDb.message).toMatch(/has no database "no_such_db_sd": create it \(createdb/);
  });

  it("fails a scan whose backend is ended mid-way with a named error, and works again after", async () => {
    const store = await openTestStore();
    try {
      const n = 400_000;
      const writer = await store.bulkWriter();
      const time = Float64Array.from({ length: n }, (_, i) => T0 + i * M);
      const col = (v: number) => new Float64Array(n).fill(v);
      writer.append(
        "AAPL",
        { time, open: col(10), high: col(11), low: col(9), close: col(10), volume: col(1) },
        n,
      );
      await writer.commit();
      const chunks = store.scan({ from: 0, to: Number.POSITIVE_INFINITY, chunkSize: 1000 });
      let seen = 0;
      const error = await (async () => {
        for await (const c of chunks) {
          seen += c.length;
          if (seen === 1000) {
            expect(
              await terminateWhen(store, "COPY (SELECT sid%"),
              "the scan's backend was found",
            ).toBe(true);
          }
        }
      })().catch((e) => e);
      expect(error).toBeInstanceOf(PostgresConnectionLostError);
      expect(error.message).toMatch(
        /^the connection to PostgreSQL at 127\.0\.0\.1:5432 was lost during the scan .*run it again once the server is back/,
      );
      expect(seen, "it stopped before the end").toBeLessThan(n);
      const again = await collectScan(store.scan({ from: T0, to: T0 + 10 * M }));
      expect(again.rows).toHaveLength(10);
      expect(await store.coverage("AAPL")).toEqual({ first: T0, last: T0 + (n - 1) * M, count: n });
    } finally {
      await store.close();
    }
  }, 60_000);

  // The merge must run long enough to be caught by the 5 ms poll: more rows there.
  for (const [phase, pattern, n] of [
    ["staging (COPY)", "COPY sd_stage%", 300_000],
    ["merge (INSERT … ON CONFLICT)", "INSERT INTO%bars%", 300_000],
  ] as const) {
    it(`leaves nothing of an import whose backend is ended during its ${phase}, and a re-run is exact`, async () => {
      const store = await openTestStore();
      try {
        await store.writeBars("XYZ", [contractBar(0)]);
        const file = writeCsv(`xyz-${phase.length}.csv`, n, 7);
        const killed = terminateWhen(store, pattern);
        const error = await importFiles(store, [file], { symbol: "XYZ" }).catch((e) => e);
        expect(await killed, `a ${phase} backend was found and ended`).toBe(true);
        expect(error).toBeInstanceOf(PostgresConnectionLostError);
        expect(error.message).toMatch(/nothing of that write was stored/);
        expect(await counts(store), "only the bar from before").toEqual({ rows: 1, distinct: 1 });
        expect(await store.readBars("XYZ", T0, T0 + M)).toEqual([contractBar(0)]);
        const result = await importFiles(store, [file], { symbol: "XYZ" });
        expect(result.bars).toBe(n);
        expect(await counts(store)).toEqual({ rows: n, distinct: n });
        expect(await store.coverage("XYZ")).toEqual({
          first: T0,
          last: T0 + (n - 1) * M,
          count: n,
        });
        const [first] = await store.readBars("XYZ", T0, T0 + M);
        expect(first?.volume, "the import's bar replaced the one from before").toBe(1007);
      } finally {
        await store.close();
      }
    }, 120_000);
  }
});
