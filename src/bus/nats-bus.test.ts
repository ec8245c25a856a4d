import { afterEach, expect, it } from "vitest";
import { NATS_TEST_URL, nats, requiring } from "../../test/requirements.js";
import { makeBar } from "../store/fixtures.js";
import {
  DAY1_OPEN,
  DAY2_OPEN,
  deleteStream,
  expectSameReads,
  newStore,
  snapshot,
  uniqueBus,
  writeMinute,
} from "./bus.test-helpers.js";
import { NatsUnavailableError } from "./bus-errors.js";
import { NatsBarPublisher } from "./nats-bar-publisher.js";
import { NatsSessionReplica } from "./nats-session-replica.js";

const server = await nats();
const streams: string[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) await deleteStream(NATS_TEST_URL, s);
});

it("NATS absent: start() throws NatsUnavailableError naming the URL", async () => {
  const url = "nats://127.0.0.1:1";
  const publisher = new NatsBarPublisher({ servers: url, sessionData: newStore() });
  await expect(publisher.start()).rejects.toThrow(NatsUnavailableError);
  await expect(publisher.start()).rejects.toThrow(/nats:\/\/127\.0\.0\.1:1/);
  const replica = new NatsSessionReplica({ servers: url, sessionData: newStore(), durable: "r" });
  await expect(replica.start()).rejects.toThrow(/NATS at nats:\/\/127\.0\.0\.1:1 is not reachable/);
});

requiring(server).describe("NatsBarPublisher → JetStream → NatsSessionReplica", () => {
  it.each(["bar", "slice"] as const)(
    "packing %s: a replica's reads equal the primary's after every barrier, across a session roll, late bars included",
    async (packing) => {
      const bus = uniqueBus("eq");
      streams.push(bus.stream);
      const primary = newStore();
      const publisher = new NatsBarPublisher({
        servers: NATS_TEST_URL,
        sessionData: primary,
        packing,
        ...bus,
      });
      const local = newStore();
      const replica = new NatsSessionReplica({
        servers: NATS_TEST_URL,
        sessionData: local,
        durable: "eq",
        ...bus,
      });
      const expected = new Map<number, unknown>();
      // The primary's reads once each minute is written: an auto barrier goes out with the next
      // minute's first bar, but stands for the store before it.
      const checked: number[] = [];
      const mismatches: string[] = [];
      replica.on("barrier", (minute) => {
        try {
          expectSameReads(
            local,
            expected.get(minute),
            `after the barrier of ${new Date(minute).toISOString()}`,
          );
          checked.push(minute);
        } catch (error) {
          mismatches.push(String(error));
        }
      });
      await publisher.start();
      await replica.start();
      let bars = 0;
      for (const open of [DAY1_OPEN, DAY2_OPEN]) {
        for (let k = 0; k < 40; k++) {
          bars += writeMinute(primary, open, k);
          if (k === 19 || k === 29) {
            // The minute AAPL missed (k = 10 skips symbol 0) arrives late, then is corrected.
            primary.addBar(
              "AAPL",
              makeBar(open + 10 * 60_000, 99, k),
              k === 19 ? "refilled" : "corrected",
            );
            bars++;
          }
          expected.set(open + k * 60_000, snapshot(primary));
          if (k % 2 === 0) publisher.endMinute(); // odd minutes close by the next minute's first bar
        }
        publisher.endMinute();
      }
      await publisher.flush();
      await replica.caughtUp();
      expect(mismatches.slice(0, 1)).toEqual([]);
      expect(checked.length, "one barrier per minute, each checked").toBe(80);
      expect(replica.applied).toBe(bars);
      expect(replica.duplicates).toBe(0);
      expect(publisher.lost).toBe(0);
      expectSameReads(local, snapshot(primary), "at the end");
      await replica.stop();
      await publisher.stop();
    },
    30_000,
  );

  it("stop() and start() resume after the last message; a fresh store rebuilds from the stream", async () => {
    const bus = uniqueBus("resume");
    streams.push(bus.stream);
    const primary = newStore();
    const publisher = new NatsBarPublisher({
      servers: NATS_TEST_URL,
      sessionData: primary,
      ...bus,
    });
    await publisher.start();
    const local = newStore();
    const replica = new NatsSessionReplica({
      servers: NATS_TEST_URL,
      sessionData: local,
      durable: "a",
      ...bus,
    });
    await replica.start();
    for (let k = 0; k < 20; k++) writeMinute(primary, DAY1_OPEN, k);
    publisher.endMinute();
    await publisher.flush();
    await replica.caughtUp();
    const first = replica.applied;
    await replica.stop();
    for (let k = 20; k < 50; k++) writeMinute(primary, DAY1_OPEN, k);
    publisher.endMinute();
    await publisher.flush();
    await replica.start();
    await replica.caughtUp();
    expect(replica.applied - first, "only the bars written while it was stopped").toBe(
      primary.symbols().reduce((n, s) => n + primary.getBarCount(s), 0) - first,
    );
    expect(replica.duplicates).toBe(0);
    expectSameReads(local, snapshot(primary), "after resuming");
    await replica.stop();

    // Same durable name, new process (an empty store): the replica reads the stream from its start.
    const fresh = newStore();
    const again = new NatsSessionReplica({
      servers: NATS_TEST_URL,
      sessionData: fresh,
      durable: "a",
      ...bus,
    });
    await again.start();
    await again.caughtUp();
    expectSameReads(fresh, snapshot(primary), "after rebuilding from the stream");
    await again.stop();
    await publisher.stop();
  }, 30_000);
});
