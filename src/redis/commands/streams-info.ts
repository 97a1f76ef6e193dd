/** XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO HELP (Redis 7.0 fields). */
import { err } from "../errors.js";
import type { Reply } from "../resp/reply.js";
import type { Stream } from "../types/stream.js";
import {
  type ConsumerGroup,
  ENTRIES_READ_UNKNOWN,
  type PendingEntry,
  sortedNames,
} from "../types/stream-group.js";
import { MAX_ID, MIN_ID, type StreamId } from "../types/stream-id.js";
import type { IdMap } from "../types/stream-pel.js";
import { intArg, is } from "./args.js";
import { replyHelp, subcommandSyntaxError } from "./help.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";
import {
  findGroup,
  getStream,
  group,
  noGroupNamed,
  replyEntries,
  replyEntry,
  replyId,
} from "./streams-shared.js";

/** XINFO's key must exist. */
function existingStream(ctx: CommandContext, key: string): Stream {
  const stream = getStream(ctx, key);
  if (stream === undefined) throw err("no such key");
  return stream;
}

function xinfoStream(ctx: CommandContext, argv: string[]): void {
  const stream = existingStream(ctx, argv[2] as string);
  const options = argv.length - 3;
  let count = 10;
  if (options > 0) {
    if ((options !== 1 && options !== 3) || !is(argv[3], "full")) throw subcommandSyntaxError(argv);
    if (options === 3) {
      if (!is(argv[4], "count")) throw subcommandSyntaxError(argv);
      count = intArg(argv[5] as string);
      if (count < 0) count = 10;
    }
  }
  const reply = ctx.reply;
  reply.map(options > 0 ? 9 : 10);
  replyStreamHeader(reply, stream);
  if (options > 0) return replyStreamFull(reply, stream, count);
  reply.bulk("groups");
  reply.int(stream.groups?.size ?? 0);
  reply.bulk("first-entry");
  replyEdgeEntry(reply, stream, false);
  reply.bulk("last-entry");
  replyEdgeEntry(reply, stream, true);
}

function replyStreamHeader(reply: Reply, stream: Stream): void {
  reply.bulk("length");
  reply.int(stream.length);
  reply.bulk("radix-tree-keys");
  reply.int(stream.nodeCount);
  reply.bulk("radix-tree-nodes");
  reply.int(stream.radixTreeNodes());
  reply.bulk("last-generated-id");
  replyId(reply, stream.lastId);
  reply.bulk("max-deleted-entry-id");
  replyId(reply, stream.maxDeletedId);
  reply.bulk("entries-added");
  reply.int(stream.entriesAdded);
  reply.bulk("recorded-first-entry-id");
  replyId(reply, stream.firstId);
}

function replyEdgeEntry(reply: Reply, stream: Stream, last: boolean): void {
  const { ids, pairs } = stream.range(MIN_ID, MAX_ID, 1, last);
  const id = ids[0];
  if (id === undefined) reply.nil();
  else replyEntry(reply, id, pairs[0] as string[]);
}

/** FULL: the entries and every group with its PEL and consumers, each list cut at `count` (0: all). */
function replyStreamFull(reply: Reply, stream: Stream, count: number): void {
  reply.bulk("entries");
  replyEntries(reply, stream.range(MIN_ID, MAX_ID, count, false));
  reply.bulk("groups");
  const groups = stream.groups ? sortedNames(stream.groups) : [];
  reply.array(groups.length);
  for (const [name, consumerGroup] of groups) {
    reply.map(7);
    reply.bulk("name");
    reply.bulk(name);
    reply.bulk("last-delivered-id");
    replyId(reply, consumerGroup.lastId);
    replyReadCounters(reply, stream, consumerGroup);
    reply.bulk("pel-count");
    reply.int(consumerGroup.pel.size);
    reply.bulk("pending");
    const pending = firstPending(consumerGroup.pel, count);
    reply.array(pending.length);
    for (const [id, entry] of pending) {
      reply.array(4);
      replyId(reply, id);
      reply.bulk(entry.consumer.name);
      reply.int(entry.deliveryTime);
      reply.int(BigInt.asIntN(64, entry.deliveryCount));
    }
    replyFullConsumers(reply, consumerGroup, count);
  }
}

function replyFullConsumers(reply: Reply, consumerGroup: ConsumerGroup, count: number): void {
  reply.bulk("consumers");
  const consumers = consumerGroup.sortedConsumers();
  reply.array(consumers.length);
  for (const consumer of consumers) {
    reply.map(4);
    reply.bulk("name");
    reply.bulk(consumer.name);
    reply.bulk("seen-time");
    reply.int(consumer.seenTime);
    reply.bulk("pel-count");
    reply.int(consumer.pel.size);
    reply.bulk("pending");
    const pending = firstPending(consumer.pel, count);
    reply.array(pending.length);
    for (const [id, entry] of pending) {
      reply.array(3);
      replyId(reply, id);
      reply.int(entry.deliveryTime);
      reply.int(BigInt.asIntN(64, entry.deliveryCount));
    }
  }
}

/** The first `count` (0: all) entries of a PEL. */
function firstPending(pel: IdMap<PendingEntry>, count: number): [StreamId, PendingEntry][] {
  const found: [StreamId, PendingEntry][] = [];
  pel.forEachFrom(MIN_ID, (id, entry) => {
    found.push([id, entry]);
    return count === 0 || found.length < count;
  });
  return found;
}

/** entries-read and lag; either is null when unknown. */
function replyReadCounters(reply: Reply, stream: Stream, consumerGroup: ConsumerGroup): void {
  reply.bulk("entries-read");
  if (consumerGroup.entriesRead === ENTRIES_READ_UNKNOWN) reply.nil();
  else reply.int(consumerGroup.entriesRead);
  reply.bulk("lag");
  const lag = stream.lag(consumerGroup);
  if (lag === undefined) reply.nil();
  else reply.int(lag);
}

function xinfoGroups(ctx: CommandContext, argv: string[]): void {
  const stream = existingStream(ctx, argv[2] as string);
  const groups = stream.groups ? sortedNames(stream.groups) : [];
  const reply = ctx.reply;
  reply.array(groups.length);
  for (const [name, consumerGroup] of groups) {
    reply.map(6);
    reply.bulk("name");
    reply.bulk(name);
    reply.bulk("consumers");
    reply.int(consumerGroup.consumers.size);
    reply.bulk("pending");
    reply.int(consumerGroup.pel.size);
    reply.bulk("last-delivered-id");
    replyId(reply, consumerGroup.lastId);
    replyReadCounters(reply, stream, consumerGroup);
  }
}

function xinfoConsumers(ctx: CommandContext, argv: string[]): void {
  const [, , key, groupName] = argv as [string, string, string, string];
  const consumerGroup = findGroup(existingStream(ctx, key), groupName);
  if (consumerGroup === undefined) throw noGroupNamed(key, groupName);
  const now = Date.now();
  const consumers = consumerGroup.sortedConsumers();
  const reply = ctx.reply;
  reply.array(consumers.length);
  for (const consumer of consumers) {
    reply.map(3);
    reply.bulk("name");
    reply.bulk(consumer.name);
    reply.bulk("pending");
    reply.int(consumer.pel.size);
    reply.bulk("idle");
    reply.int(Math.max(now - consumer.seenTime, 0));
  }
}

const XINFO_HELP = [
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
];

function xinfoSub(
  name: string,
  arity: number,
  summary: string,
  handler: CommandSpec["handler"],
): CommandSpec {
  return command({
    name: `xinfo|${name}`,
    arity,
    flags: ["readonly"],
    keys: [2, 2, 1],
    group,
    since: "5.0.0",
    summary,
    complexity: "O(1)",
    handler,
  });
}

export const streamInfoCommands: CommandSpec[] = [
  command({
    name: "xinfo",
    arity: -2,
    flags: [],
    group,
    since: "5.0.0",
    summary: "A container for stream introspection commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      xinfoSub("stream", -3, "Get information about a stream", xinfoStream),
      command({
        name: "xinfo|help",
        arity: 2,
        flags: ["loading", "stale"],
        group,
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: (ctx) => replyHelp(ctx.reply, "xinfo", XINFO_HELP),
      }),
      xinfoSub("groups", 3, "List the consumer groups of a stream", xinfoGroups),
      xinfoSub("consumers", 4, "List the consumers in a consumer group", xinfoConsumers),
    ],
  }),
];
