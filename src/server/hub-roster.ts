/**
 * The {@link Hub}'s bookkeeping of clients: who is connected, in which stable order the pump
 * visits them, and which subscription set ({@link SubscriptionGroup}) each belongs to. A group
 * lives while it has members.
 */
import type { HubClient } from "./hub-client.js";
import { type LogLimits, SubscriptionGroup } from "./hub-group.js";

/** Connected clients and their subscription sets. */
export class HubRoster {
  readonly #clients = new Set<HubClient>();
  readonly #groups = new Map<string, SubscriptionGroup>();
  /** The clients in a stable order, for the pump's round robin. */
  #order: HubClient[] = [];
  readonly #limits: LogLimits;

  constructor(limits: LogLimits) {
    this.#limits = limits;
  }

  /** Connected clients. */
  get clients(): ReadonlySet<HubClient> {
    return this.#clients;
  }

  /** The clients in the order they connected. */
  get order(): readonly HubClient[] {
    return this.#order;
  }

  /** Every subscription set with at least one member. */
  groups(): IterableIterator<SubscriptionGroup> {
    return this.#groups.values();
  }

  /** Registers a client and puts it in the group of its subscription; `lastSeq`: the hub's. */
  add(client: HubClient, lastSeq: number): void {
    this.#clients.add(client);
    this.#order.push(client);
    this.regroup(client, lastSeq);
  }

  /** Closes `client` and forgets it; `false` when it was not registered. */
  remove(client: HubClient): boolean {
    const group = client.group;
    client.close();
    if (!this.#clients.delete(client)) return false;
    if (group !== undefined && --group.members === 0) this.#groups.delete(group.key);
    this.#order = this.#order.filter((c) => c !== client);
    return true;
  }

  /** Puts the client in the group of its (changed) subscription; `lastSeq`: the hub's. */
  regroup(client: HubClient, lastSeq: number): void {
    const key = client.computeKey();
    const old = client.group;
    if (old?.key === key) return;
    if (old !== undefined && --old.members === 0) this.#groups.delete(old.key);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = new SubscriptionGroup(key, client.all, client.symbols, client.channels, this.#limits);
      this.#groups.set(key, group);
    }
    group.members++;
    // The newcomer starts at a sealed end, so it shares the group's frames from there on.
    group.seal();
    client.join(group, lastSeq);
  }

  /** Closes and forgets every client and group. */
  clear(): void {
    for (const client of this.#order) client.close();
    this.#clients.clear();
    this.#groups.clear();
    this.#order = [];
  }
}
