import { afterEach, expect, it } from "vitest";
import { NATS_TEST_URL, nats, requiring } from "../../test/requirements.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { SessionData } from "../store/session-data.js";
import { noWait } from "../upkeep/backoff.js";
import { DataUpkeep } from "../upkeep/data-upkeep.js";
import { barAt, DATE, min } from "../upkeep/upkeep.test-helpers.js";
import { deleteStream, expectSameReads, snapshot, uniqueBus } from "./bus.test-helpers.js";
import { NatsBarPublisher } from "./nats-bar-publisher.js";
import { NatsSessionReplica } from "./nats-session-replica.js";

const server = await nats();
const streams: string[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) await deleteStream(NATS_TEST_URL, s);
});

const SYMBOLS = ["AAPL", "MSFT"] as const;
/** Minutes each symbol's feed misses, and minutes the repair source lacks too (unfillable). */
const HOLES: Record<string, readonly number[]> = { AAPL: [3, 4, 12], MSFT: [7] };
const SOURCE_LACKS: Record<string, readonly number[]> = { AAPL: [4] };

requiring(server).describe("repair counters and clear() on the bus", () => {
  it.each(["bar", "slice"] as const)(
    "packing %s: upkeep's filled/unfillable counts, provenance and a clear() reach the replica by each barrier",
    async (packing) => {
      const bus = uniqueBus("ctl");
      streams.push(bus.stream);
      const primary = new SessionData({ calendar: xnysCalendar });
      const source = new MemoryBarStore();
      for (const [i, s] of SYMBOLS.entries()) {
        const lacks = new Set(SOURCE_LACKS[s] ?? []);
        const all = Array.from({ length: 40 }, (_, m) => m).filter((m) => !lacks.has(m));
        await source.writeBars(
          s,
          all.map((m) => barAt(min(m), i)),
        );
      }
      const upkeep = new DataUpkeep({ sessionData: primary, source, sleep: noWait });
      const publisher = new NatsBarPublisher({
        servers: NATS_TEST_URL,
        sessionData: primary,
        packing,
        ...bus,
      });
      const local = new SessionData({ calendar: xnysCalendar });
      const replica = new NatsSessionReplica({
        servers: NATS_TEST_URL,
        sessionData: local,
        durable: "ctl",
        ...bus,
      });
      const expected = new Map<number, unknown>();
      const mismatches: string[] = [];
      let checked = 0;
      replica.on("barrier", (minute) => {
        try {
          expectSameReads(local, expected.get(minute), `after ${new Date(minute).toISOString()}`);
          checked++;
        } catch (error) {
          mismatches.push(String(error));
        }
      });
      await publisher.start();
      await replica.start();
      const writeMinute = (m: number): void => {
        for (const [i, s] of SYMBOLS.entries()) {
          if (!(HOLES[s] ?? []).includes(m)) primary.addBar(s, barAt(min(m), i), "live");
        }
      };
      for (let m = 0; m < 20; m++) {
        writeMinute(m);
        // Upkeep refills what is missing so far: refilled bars, then the counters.
        if (m === 9 || m === 15) await upkeep.runOnce(min(m + 1));
        expected.set(min(m), snapshot(primary));
        publisher.endMinute(min(m));
      }
      await publisher.flush();
      await replica.caughtUp();
      expect(mismatches.slice(0, 1)).toEqual([]);
      expect(checked).toBe(20);
      const aapl = primary.getSessionMetrics("AAPL")!;
      expect(aapl, "the counters this test is about are not zero").toMatchObject({
        filledBarCount: 2,
        unfillableBarCount: 1,
      });
      expect(aapl.provenance.refilled).toBe(2);
      expect(local.getSessionMetrics("AAPL")).toEqual(aapl);
      expect(local.getSessionMetrics("MSFT")).toEqual(primary.getSessionMetrics("MSFT"));

      // The same counters again travel no further: only changes are sent.
      const sent = publisher.published;
      primary.setRepairCounts("AAPL", { filled: 2, unfillable: 1 });
      expect(publisher.published).toBe(sent);

      // clear() empties the replica too; the session then starts again from its bars.
      primary.clear();
      for (let m = 0; m < 5; m++) {
        writeMinute(m);
        expected.set(min(m), snapshot(primary));
        publisher.endMinute(min(m));
      }
      await publisher.flush();
      await replica.caughtUp();
      expect(mismatches.slice(0, 1)).toEqual([]);
      expect(checked, "the minutes written again have their barriers too").toBe(25);
      expect(local.getSessionMetrics("AAPL")).toMatchObject({
        barCount: 3,
        filledBarCount: 0,
        unfillableBarCount: 0,
      });
      expectSameReads(local, snapshot(primary), "after clear() and five minutes more");
      expect(local.currentSession).toBe(DATE);

      // A replica in a new process rebuilds the same from the stream's start.
      await replica.stop();
      const fresh = new SessionData({ calendar: xnysCalendar });
      const again = new NatsSessionReplica({
        servers: NATS_TEST_URL,
        sessionData: fresh,
        durable: "ctl2",
        ...bus,
      });
      await again.start();
      await again.caughtUp();
      expectSameReads(fresh, snapshot(primary), "rebuilt from the stream");
      await again.stop();
      await publisher.stop();
      expect(publisher.lost).toBe(0);
    },
    30_000,
  );
});
