/**
 * Consumer groups: the last delivered ID, the read counter, the group's pending entries list (PEL)
 * and its consumers, each with its own PEL sharing the same pending-entry objects (as Redis's
 * streamNACK is shared between the group and the consumer radix trees).
 */
import type { StreamId } from "./stream-id.js";
import { IdMap } from "./stream-pel.js";

/** A delivered, not yet acknowledged entry (Redis's streamNACK). */
export interface PendingEntry {
  /** Unix time in ms of the last delivery. */
  deliveryTime: number;
  /** An unsigned 64-bit count in Redis, which replies it as a signed one (BigInt.asIntN(64, …)). */
  deliveryCount: bigint;
  consumer: Consumer;
}

export class Consumer {
  constructor(
    readonly name: string,
    /** Unix time in ms of the consumer's last read or claim (XINFO's idle). */
    public seenTime: number,
    readonly pel = new IdMap<PendingEntry>(),
  ) {}
}

/** SCG_INVALID_ENTRIES_READ: the group's read counter is unknown. */
export const ENTRIES_READ_UNKNOWN = -1n;

export class ConsumerGroup {
  constructor(
    public lastId: StreamId,
    /** Entries read by the group (its logical position), or ENTRIES_READ_UNKNOWN. */
    public entriesRead: bigint,
    readonly pel = new IdMap<PendingEntry>(),
    readonly consumers = new Map<string, Consumer>(),
  ) {}

  /** The consumer `name`, created when missing; either way seen now (Redis's lookup refreshes it). */
  consumer(name: string, now: number): Consumer {
    let consumer = this.consumers.get(name);
    if (consumer === undefined) {
      consumer = new Consumer(name, now);
      this.consumers.set(name, consumer);
    } else consumer.seenTime = now;
    return consumer;
  }

  /** Delivers `id` to `consumer` now, taking it over from another consumer if it was pending there. */
  deliver(id: StreamId, consumer: Consumer, now: number): void {
    const pending = this.pel.get(id);
    if (pending === undefined) {
      const created: PendingEntry = { deliveryTime: now, deliveryCount: 1n, consumer };
      this.pel.set(id, created);
      consumer.pel.set(id, created);
      return;
    }
    pending.consumer.pel.delete(id);
    pending.consumer = consumer;
    pending.deliveryTime = now;
    pending.deliveryCount = 1n;
    consumer.pel.set(id, pending);
  }

  /** Gives a pending entry to `consumer` (XCLAIM, XAUTOCLAIM). */
  transfer(id: StreamId, pending: PendingEntry, consumer: Consumer): void {
    if (pending.consumer === consumer) return;
    pending.consumer.pel.delete(id);
    pending.consumer = consumer;
    consumer.pel.set(id, pending);
  }

  /** Removes `id` from the group's and its consumer's PEL; false when it was not pending. */
  acknowledge(id: StreamId): boolean {
    const pending = this.pel.get(id);
    if (pending === undefined) return false;
    this.pel.delete(id);
    pending.consumer.pel.delete(id);
    return true;
  }

  /** Deletes a consumer and its pending entries; returns how many were pending (-1: no consumer). */
  deleteConsumer(name: string): number {
    const consumer = this.consumers.get(name);
    if (consumer === undefined) return -1;
    const pending = consumer.pel.size;
    consumer.pel.forEachFrom(0n, (id) => {
      this.pel.delete(id);
      return true;
    });
    this.consumers.delete(name);
    return pending;
  }

  /** Consumers in name order, as Redis's radix tree lists them. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A deep copy (COPY): the twin PEL entries are shared by the twin group and consumers. */
  clone(): ConsumerGroup {
    const twins = new Map<Consumer, Consumer>();
    const consumers = new Map<string, Consumer>();
    for (const [name, consumer] of this.consumers) {
      const twin = new Consumer(name, consumer.seenTime);
      twins.set(consumer, twin);
      consumers.set(name, twin);
    }
    const pel = this.pel.map((pending) => ({
      ...pending,
      consumer: twins.get(pending.consumer) as Consumer,
    }));
    for (const [original, twin] of twins) {
      original.pel.forEachFrom(0n, (id) => {
        twin.pel.set(id, pel.get(id) as PendingEntry);
        return true;
      });
    }
    return new ConsumerGroup(this.lastId, this.entriesRead, pel, consumers);
  }
}

/** Names in byte order (latin1 strings compare by code unit, which is byte order). */
export function sortedNames<V>(map: Map<string, V>): [string, V][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
