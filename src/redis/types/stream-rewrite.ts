/**
 * A stream as the commands that rebuild it, for the AOF rewrite (Redis's rewriteStreamObject):
 * its entries, its counters, and each group with its pending entries and idle consumers.
 */

import type { Stream } from "./stream.js";
import { sortedNames } from "./stream-group.js";
import { formatId, MAX_ID, MIN_ID } from "./stream-id.js";

export function streamRebuildCommands(stream: Stream, key: string): string[][] {
  const commands: string[][] = [];
  if (stream.length > 0) {
    const { ids, pairs } = stream.range(MIN_ID, MAX_ID, 0, false);
    for (const [i, id] of ids.entries())
      commands.push(["XADD", key, formatId(id), ...(pairs[i] as string[])]);
  } else {
    // An empty stream: add one entry and trim it at once; XSETID then sets the real counters.
    commands.push(["XADD", key, "MAXLEN", "0", "0-1", "x", "y"]);
  }
  commands.push([
    "XSETID",
    key,
    formatId(stream.lastId),
    "ENTRIESADDED",
    String(stream.entriesAdded),
    "MAXDELETEDID",
    formatId(stream.maxDeletedId),
  ]);
  for (const [name, group] of stream.groups ? sortedNames(stream.groups) : []) {
    commands.push([
      "XGROUP",
      "CREATE",
      key,
      name,
      formatId(group.lastId),
      "ENTRIESREAD",
      String(group.entriesRead),
    ]);
    group.pel.forEachFrom(MIN_ID, (id, pending) => {
      commands.push([
        ...["XCLAIM", key, name, pending.consumer.name, "0", formatId(id)],
        ...[
          "TIME",
          String(pending.deliveryTime),
          "RETRYCOUNT",
          String(BigInt.asIntN(64, pending.deliveryCount)),
          "JUSTID",
          "FORCE",
        ],
      ]);
      return true;
    });
    for (const consumer of group.sortedConsumers()) {
      if (consumer.pel.size === 0) commands.push(["XGROUP", "CREATECONSUMER", key, name, consumer.name]);
    }
  }
  return commands;
}
