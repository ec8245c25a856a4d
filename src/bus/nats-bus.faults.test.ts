import { afterAll, beforeAll, expect, it } from "vitest";
import { requiring } from "../../test/requirements.js";
import {
  DAY1_OPEN,
  DAY2_OPEN,
  expectSameReads,
  newStore,
  snapshot,
  uniqueBus,
  until,
  writeMinute,
} from "./bus.test-helpers.js";
import { BusLossError } from "./bus-errors.js";
import { NatsBarPublisher } from "./nats-bar-publisher.js";
import { NatsSessionReplica } from "./nats-session-replica.js";
import { natsServerBinary, PrivateNats } from "./private-nats.test-helpers.js";

const binary = natsServerBinary();
let server: PrivateNats;

requiring(binary).describe("bus faults against a private nats-server", () => {
  beforeAll(async () => {
    server = await PrivateNats.launch();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it("the server restarted in the middle of a replay: nothing lost or doubled, equal reads", async () => {
    const bus = uniqueBus("restart");
    const primary = newStore();
    const publisher = new NatsBarPublisher({
      servers: server.url,
      sessionData: primary,
      ackTimeoutMs: 1_000,
      ...bus,
    });
    const errors: Error[] = [];
    publisher.on("error", (e) => errors.push(e));
    const local = newStore();
    const replica = new NatsSessionReplica({
      servers: server.url,
      sessionData: local,
      durable: "r",
      ...bus,
    });
    await publisher.start();
    await replica.start();
    let bars = 0;
    for (let k = 0; k < 30; k++) bars += writeMinute(primary, DAY1_OPEN, k);
    publisher.endMinute();
    await until(() => replica.applied > 0, 5_000, "the replica's first bars");
    try {
      await server.stop();
      await until(() => !publisher.connected, 5_000, "the publisher to see the server gone");
      // The replay goes on while the server is away: the publisher holds these bars.
      for (let k = 30; k < 60; k++) bars += writeMinute(primary, DAY1_OPEN, k);
      publisher.endMinute();
    } finally {
      await server.start();
    }
    for (let k = 0; k < 20; k++) bars += writeMinute(primary, DAY2_OPEN, k);
    publisher.endMinute();
    await publisher.flush();
    await replica.caughtUp();
    expect(errors, "no loss reported").toEqual([]);
    expect(publisher.lost).toBe(0);
    expect(replica.applied, "every bar applied exactly once").toBe(bars);
    expect(
      replica.resyncs,
      "the replica re-read from its position after reconnecting",
    ).toBeGreaterThan(0);
    expectSameReads(local, snapshot(primary), "after the server came back");
    await replica.stop();
    await publisher.stop();
  }, 60_000);

  it("a replica killed and started again in a new process (an empty store) catches up", async () => {
    const bus = uniqueBus("kill");
    const primary = newStore();
    const publisher = new NatsBarPublisher({ servers: server.url, sessionData: primary, ...bus });
    await publisher.start();
    const first = new NatsSessionReplica({
      servers: server.url,
      sessionData: newStore(),
      durable: "k",
      ...bus,
    });
    await first.start();
    for (let k = 0; k < 25; k++) writeMinute(primary, DAY1_OPEN, k);
    await until(() => first.applied > 10, 5_000, "the first replica's bars");
    // Killed: its process and memory are gone, it never said goodbye. Its durable stays.
    await first.stop();
    for (let k = 25; k < 50; k++) writeMinute(primary, DAY1_OPEN, k);
    publisher.endMinute();
    await publisher.flush();
    const local = newStore();
    const second = new NatsSessionReplica({
      servers: server.url,
      sessionData: local,
      durable: "k",
      ...bus,
    });
    await second.start();
    await second.caughtUp();
    expectSameReads(local, snapshot(primary), "after the restarted replica caught up");
    expect(second.duplicates).toBe(0);
    await second.stop();
    await publisher.stop();
  }, 30_000);

  it("a slow replica holds at most maxBuffered messages and catches up from the stream", async () => {
    const bus = uniqueBus("slow");
    const primary = newStore();
    const publisher = new NatsBarPublisher({ servers: server.url, sessionData: primary, ...bus });
    await publisher.start();
    const local = newStore();
    // Slow: every bar costs the replica 0.2 ms of busy work.
    local.subscribeBars({
      onBar() {
        const end = performance.now() + 0.2;
        while (performance.now() < end);
      },
    });
    const replica = new NatsSessionReplica({
      servers: server.url,
      sessionData: local,
      durable: "s",
      maxBuffered: 64,
      ...bus,
    });
    await replica.start();
    for (let k = 0; k < 390; k++) writeMinute(primary, DAY1_OPEN, k);
    publisher.endMinute();
    await publisher.flush();
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, replica.buffered);
    }, 1);
    await replica.caughtUp();
    clearInterval(sampler);
    expect(
      replica.lastSequence,
      "the replica was behind when the publisher finished",
    ).toBeGreaterThan(0);
    expect(most, "the replica never held more than maxBuffered").toBeLessThanOrEqual(64);
    expectSameReads(local, snapshot(primary), "after the slow replica caught up");
    await replica.stop();
    await publisher.stop();
  }, 60_000);

  it("a publisher that loses its connection buffers within its bound, then reports the loss", async () => {
    const bus = uniqueBus("loss");
    const primary = newStore();
    const publisher = new NatsBarPublisher({
      servers: server.url,
      sessionData: primary,
      maxBuffered: 50,
      ackTimeoutMs: 500,
      ...bus,
    });
    const errors: Error[] = [];
    publisher.on("error", (e) => errors.push(e));
    await publisher.start();
    for (let k = 0; k < 5; k++) writeMinute(primary, DAY1_OPEN, k);
    await publisher.flush();
    let written = 0;
    try {
      await server.stop();
      await until(() => !publisher.connected, 5_000, "the publisher to see the server gone");
      for (let k = 5; k < 45; k++) written += writeMinute(primary, DAY1_OPEN, k);
      expect(publisher.buffered, "held up to the bound").toBe(50);
      expect(publisher.lost, "the rest counted as lost").toBeGreaterThan(0);
      expect(publisher.lost + publisher.buffered).toBeGreaterThanOrEqual(written);
      expect(errors.length, "one error for the stretch of losses").toBe(1);
      expect(errors[0]).toBeInstanceOf(BusLossError);
      expect(errors[0]!.message).toMatch(/buffer of 50 messages is full/);
      const flushed = publisher.flush();
      await server.start();
      await expect(flushed, "flush() does not pretend the lost bars arrived").rejects.toThrow(
        BusLossError,
      );
    } finally {
      await server.start();
    }
    await until(() => publisher.buffered === 0, 10_000, "the held bars to reach the server");
    await publisher.stop();
  }, 30_000);
});
