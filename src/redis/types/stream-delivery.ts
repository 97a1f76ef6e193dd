/**
 * Reading a stream through a consumer group (Redis's streamReplyWithRange with a group, and
 * streamReplyWithRangeFromConsumerPEL): new entries advance the group and enter the PELs; history
 * comes from the consumer's own PEL.
 */

import type { Entries, Stream } from "./stream.js";
import { type Consumer, type ConsumerGroup, ENTRIES_READ_UNKNOWN } from "./stream-group.js";
import { MAX_ID, type StreamId } from "./stream-id.js";

/** Pending entries read back; pairs[i] is null when the entry was deleted from the stream since. */
export interface History {
  ids: StreamId[];
  pairs: (string[] | null)[];
}

/** Entries after `after`, at most `count` (0: all), delivered to `consumer` (unless `noAck`). */
export function deliverNew(
  stream: Stream,
  group: ConsumerGroup,
  consumer: Consumer,
  after: StreamId,
  count: number,
  noAck: boolean,
  now: number,
): Entries {
  const entries = stream.range(after + 1n, MAX_ID, count, false);
  for (const id of entries.ids) {
    if (id > group.lastId) advanceGroup(stream, group, id);
    if (!noAck) group.deliver(id, consumer, now);
  }
  return entries;
}

/** The group's last delivered ID moves to `id`, and its read counter with it when it can. */
function advanceGroup(stream: Stream, group: ConsumerGroup, id: StreamId): void {
  if (group.entriesRead !== ENTRIES_READ_UNKNOWN && !stream.rangeHasTombstones(id)) group.entriesRead++;
  else if (stream.entriesAdded !== 0n) group.entriesRead = stream.estimateEntriesRead(id);
  group.lastId = id;
}

/** The consumer's pending entries from `start`, at most `count` (0: all); each counts as delivered again. */
export function readHistory(
  stream: Stream,
  consumer: Consumer,
  start: StreamId,
  count: number,
  now: number,
): History {
  const history: History = { ids: [], pairs: [] };
  consumer.pel.forEachFrom(start, (id, pending) => {
    const pairs = stream.get(id);
    if (pairs !== undefined) {
      pending.deliveryTime = now;
      pending.deliveryCount++;
    }
    history.ids.push(id);
    history.pairs.push(pairs ?? null);
    return count === 0 || history.ids.length < count;
  });
  return history;
}
