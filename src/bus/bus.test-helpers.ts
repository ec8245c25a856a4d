// Helpers of the bus's tests (not exported from the package).
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { expect } from "vitest";
import { makeBar, makeTestCalendar } from "../store/fixtures.js";
import { SessionData } from "../store/session-data.js";

export const TEST_CALENDAR = makeTestCalendar();
export const SYMBOLS = ["AAPL", "BRK.B", "MSFT"] as const;
/** 2024-01-02 (a Tuesday) and the next session. */
export const DAY1_OPEN = Date.UTC(2024, 0, 2, 9, 30);
export const DAY2_OPEN = Date.UTC(2024, 0, 3, 9, 30);

let counter = 0;
/** A stream name and subject prefix no other test (or helper) uses. */
export function uniqueBus(tag: string): { stream: string; subjectPrefix: string } {
  const id = `${tag}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  return { stream: `T_${id}`.toUpperCase(), subjectPrefix: `t.${id}` };
}

/** Deletes a test's stream (and its consumers). */
export async function deleteStream(url: string, stream: string): Promise<void> {
  const nc = await connect({ servers: url, timeout: 2_000 });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

export function newStore(): SessionData {
  return new SessionData({ calendar: TEST_CALENDAR });
}

/** Writes minute `k` of a session (every symbol but, on some minutes, one) into `sd`. */
export function writeMinute(sd: SessionData, open: number, k: number): number {
  let n = 0;
  for (let i = 0; i < SYMBOLS.length; i++) {
    if ((k + i) % 11 === 10) continue; // a symbol missing a minute now and then
    sd.addBar(
      SYMBOLS[i]!,
      makeBar(open + k * 60_000, 100 + i * 10 + k * 0.01, k * 3 + i),
      "replay",
    );
    n++;
  }
  return n;
}

/** What a strategy reads of a store, for comparing a replica with its primary. */
export function snapshot(sd: SessionData): unknown {
  const out: Record<string, unknown> = { session: sd.currentSession, clock: sd.clock };
  for (const s of sd.symbols()) {
    out[s] = {
      latest: sd.getLatestBar(s),
      last5: sd.getLastNBars(s, 5),
      last3of5m: sd.getLastNBars(s, 3, "5m"),
      count: sd.getBarCount(s),
      metrics: sd.getSessionMetrics(s),
      history: sd.getHistoricalBars(s, 3),
    };
  }
  return out;
}

export function expectSameReads(replica: SessionData, primary: unknown, where: string): void {
  expect(snapshot(replica), `replica's reads equal the primary's ${where}`).toEqual(primary);
}

/** Resolves when `predicate` holds, polling on the event loop; rejects after `ms`. */
export async function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
