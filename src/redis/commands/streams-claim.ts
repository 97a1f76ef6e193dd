/** XPENDING, XCLAIM and XAUTOCLAIM: inspecting and taking over a group's pending entries. */
import { err, syntaxError } from "../errors.js";
import { parseInt64 } from "../resp/numbers.js";
import type { Reply } from "../resp/reply.js";
import type { Stream } from "../types/stream.js";
import type { Consumer, ConsumerGroup, PendingEntry } from "../types/stream-group.js";
import { formatId, parseStreamId, type StreamId } from "../types/stream-id.js";
import { intArg } from "./args.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";
import {
  findGroup,
  getStream,
  group,
  idArg,
  noGroupForKey,
  ONE_KEY,
  rangeEndArg,
  rangeStartArg,
  replyEntry,
  replyId,
} from "./streams-shared.js";

/** The stream and group a command works on, or NOGROUP. */
function groupOf(ctx: CommandContext, key: string, groupName: string): [Stream, ConsumerGroup] {
  const stream = getStream(ctx, key);
  const found = findGroup(stream, groupName);
  if (stream === undefined || found === undefined) throw noGroupForKey(key, groupName);
  return [stream, found];
}

function xpending(ctx: CommandContext, argv: string[]): void {
  const [, key, groupName] = argv as [string, string, string];
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) throw syntaxError();
  if (argv.length === 3) {
    const [, target] = groupOf(ctx, key, groupName);
    return replyPendingSummary(ctx.reply, target);
  }
  let at = 3;
  let minIdle = 0;
  if ((argv[3] as string).toLowerCase() === "idle") {
    minIdle = intArg(argv[4] as string);
    if (argv.length < 8) throw syntaxError();
    at += 2;
  }
  let count = Math.max(intArg(argv[at + 2] as string), 0);
  const start = rangeStartArg(argv[at] as string);
  const end = rangeEndArg(argv[at + 1] as string);
  const consumerName = argv[at + 3];
  const [, target] = groupOf(ctx, key, groupName);
  let pel = target.pel;
  if (consumerName !== undefined) {
    const consumer = target.consumers.get(consumerName);
    if (consumer === undefined) return ctx.reply.array(0);
    pel = consumer.pel;
  }
  const now = Date.now();
  const found: [StreamId, PendingEntry][] = [];
  if (count > 0) {
    pel.forEachFrom(start, (id, pending) => {
      if (id > end) return false;
      if (minIdle !== 0 && now - pending.deliveryTime < minIdle) return true;
      found.push([id, pending]);
      return --count > 0;
    });
  }
  ctx.reply.array(found.length);
  for (const [id, pending] of found) {
    ctx.reply.array(4);
    replyId(ctx.reply, id);
    ctx.reply.bulk(pending.consumer.name);
    ctx.reply.int(Math.max(now - pending.deliveryTime, 0));
    ctx.reply.int(BigInt.asIntN(64, pending.deliveryCount));
  }
}

/** [count, first ID, last ID, [[consumer, count], …]] */
function replyPendingSummary(reply: Reply, target: ConsumerGroup): void {
  reply.array(4);
  reply.int(target.pel.size);
  const first = target.pel.firstKey();
  if (first === undefined) {
    reply.nil();
    reply.nil();
    reply.nilArray();
    return;
  }
  replyId(reply, first);
  replyId(reply, target.pel.lastKey() as StreamId);
  const owners = target.sortedConsumers().filter((consumer) => consumer.pel.size > 0);
  reply.array(owners.length);
  for (const consumer of owners) {
    reply.array(2);
    reply.bulk(consumer.name);
    reply.bulk(String(consumer.pel.size));
  }
}

/** XCLAIM's options after the IDs. */
interface ClaimOptions {
  force: boolean;
  justId: boolean;
  /** The new delivery time, or undefined for "now". */
  deliveryTime: number | undefined;
  retryCount: bigint | undefined;
  lastId: StreamId;
}

function claimOptions(argv: readonly string[], from: number, now: number): ClaimOptions {
  const options: ClaimOptions = {
    force: false,
    justId: false,
    deliveryTime: undefined,
    retryCount: undefined,
    lastId: 0n,
  };
  for (let i = from; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const option = argv[i] as string;
    const lower = option.toLowerCase();
    if (lower === "force") options.force = true;
    else if (lower === "justid") options.justId = true;
    else if (lower === "idle" && more > 0)
      options.deliveryTime = now - Number(claimInt(argv[++i] as string, "IDLE"));
    else if (lower === "time" && more > 0)
      options.deliveryTime = Number(claimInt(argv[++i] as string, "TIME"));
    else if (lower === "retrycount" && more > 0) {
      const count = claimInt(argv[++i] as string, "RETRYCOUNT");
      options.retryCount = count >= 0n ? count : undefined;
    } else if (lower === "lastid" && more > 0) options.lastId = idArg(argv[++i] as string);
    else throw err(`Unrecognized XCLAIM option '${option}'`);
  }
  // A delivery time in the future or before 1970 is taken as now.
  if (options.deliveryTime !== undefined && (options.deliveryTime < 0 || options.deliveryTime > now)) {
    options.deliveryTime = now;
  }
  return options;
}

function claimInt(text: string, option: string): bigint {
  const value = parseInt64(text);
  if (value === undefined) throw err(`Invalid ${option} option argument for XCLAIM`);
  return value;
}

function minIdleArg(text: string, name: string): number {
  const value = parseInt64(text);
  if (value === undefined) throw err(`Invalid min-idle-time argument for ${name}`);
  return value < 0n ? 0 : Number(value);
}

/** XCLAIM's IDs: the arguments from argv[5] that read as IDs; the options start after them. */
function leadingIds(argv: readonly string[]): StreamId[] {
  const ids: StreamId[] = [];
  for (let i = 5; i < argv.length; i++) {
    const parsed = parseStreamId(argv[i] as string, 0n, true);
    if (parsed === undefined) break;
    ids.push(parsed.id);
  }
  return ids;
}

function xclaim(ctx: CommandContext, argv: string[]): void {
  const [, key, groupName, consumerName] = argv as [string, string, string, string];
  const [stream, target] = groupOf(ctx, key, groupName);
  const minIdle = minIdleArg(argv[4] as string, "XCLAIM");
  const ids = leadingIds(argv);
  const now = Date.now();
  const options = claimOptions(argv, 5 + ids.length, now);
  const lastIdMoved = options.lastId > target.lastId;
  if (lastIdMoved) target.lastId = options.lastId;
  const claimed: [StreamId, string[]][] = [];
  let consumer: Consumer | undefined;
  let logged = false;
  for (const id of ids) {
    const pending = target.pel.get(id);
    const pairs = stream.get(id);
    if (pairs === undefined) {
      // The entry is gone from the stream: it leaves the PEL too.
      if (pending === undefined) continue;
      ctx.propagate(xclaimCommand(key, groupName, id, pending, target.lastId));
      target.acknowledge(id);
      logged = true;
      continue;
    }
    if (pending ? minIdle !== 0 && now - pending.deliveryTime < minIdle : !options.force) continue;
    consumer ??= target.consumer(consumerName, now);
    const taken = claimEntry(target, id, pending, consumer, options, now);
    claimed.push([id, pairs]);
    ctx.propagate(xclaimCommand(key, groupName, id, taken, target.lastId));
    logged = true;
  }
  if (lastIdMoved && !logged) ctx.propagate(setIdCommand(key, groupName, target));
  replyClaimed(ctx.reply, claimed, options.justId);
}

/** Gives `id` to `consumer`, creating its pending entry under FORCE, with XCLAIM's time and count. */
function claimEntry(
  target: ConsumerGroup,
  id: StreamId,
  pending: PendingEntry | undefined,
  consumer: Consumer,
  options: ClaimOptions,
  now: number,
): PendingEntry {
  let entry = pending;
  if (entry === undefined) {
    entry = { deliveryTime: now, deliveryCount: 1n, consumer };
    target.pel.set(id, entry);
    consumer.pel.set(id, entry);
  } else target.transfer(id, entry, consumer);
  entry.deliveryTime = options.deliveryTime ?? now;
  if (options.retryCount !== undefined) entry.deliveryCount = options.retryCount;
  else if (!options.justId) entry.deliveryCount++;
  return entry;
}

function replyClaimed(reply: Reply, claimed: readonly [StreamId, string[]][], justId: boolean): void {
  reply.array(claimed.length);
  for (const [id, pairs] of claimed) {
    if (justId) replyId(reply, id);
    else replyEntry(reply, id, pairs);
  }
}

/** The XCLAIM Redis propagates for one claimed (or dropped) pending entry. */
export function xclaimCommand(
  key: string,
  groupName: string,
  id: StreamId,
  pending: PendingEntry,
  lastId: StreamId,
): string[] {
  return [
    "XCLAIM",
    key,
    groupName,
    pending.consumer.name,
    "0",
    formatId(id),
    "TIME",
    String(pending.deliveryTime),
    "RETRYCOUNT",
    String(BigInt.asIntN(64, pending.deliveryCount)),
    "FORCE",
    "JUSTID",
    "LASTID",
    formatId(lastId),
  ];
}

/** The XGROUP SETID Redis propagates when a group's last delivered ID moved. */
export function setIdCommand(key: string, groupName: string, target: ConsumerGroup): string[] {
  return [
    "XGROUP",
    "SETID",
    key,
    groupName,
    formatId(target.lastId),
    "ENTRIESREAD",
    String(target.entriesRead),
  ];
}

/** XAUTOCLAIM's COUNT: 1 … LONG_MAX / 16. */
const MAX_AUTOCLAIM_COUNT = (2n ** 63n - 1n) / 16n;
const ATTEMPTS_FACTOR = 10;

function xautoclaim(ctx: CommandContext, argv: string[]): void {
  const [, key, groupName, consumerName] = argv as [string, string, string, string];
  const minIdle = minIdleArg(argv[4] as string, "XAUTOCLAIM");
  const start = rangeStartArg(argv[5] as string);
  let count = 100;
  let justId = false;
  for (let i = 6; i < argv.length; i++) {
    const option = (argv[i] as string).toLowerCase();
    if (option === "count" && i + 1 < argv.length) {
      const value = parseInt64(argv[++i] as string);
      if (value === undefined || value < 1n || value > MAX_AUTOCLAIM_COUNT) throw err("COUNT must be > 0");
      count = Number(value);
    } else if (option === "justid") justId = true;
    else throw syntaxError();
  }
  const [stream, target] = groupOf(ctx, key, groupName);
  const now = Date.now();
  let attempts = count * ATTEMPTS_FACTOR;
  const candidates = target.pel.keysFrom(start, Math.min(attempts, target.pel.size) + 1);
  const claimed: [StreamId, string[]][] = [];
  const deleted: StreamId[] = [];
  let consumer: Consumer | undefined;
  let next = 0;
  for (; attempts-- > 0 && count > 0 && next < candidates.length; next++) {
    const id = candidates[next] as StreamId;
    const pending = target.pel.get(id) as PendingEntry;
    const pairs = stream.get(id);
    if (pairs === undefined) {
      ctx.propagate(xclaimCommand(key, groupName, id, pending, target.lastId));
      target.acknowledge(id);
      deleted.push(id);
      count--;
      continue;
    }
    if (minIdle !== 0 && now - pending.deliveryTime < minIdle) continue;
    consumer ??= target.consumer(consumerName, now);
    target.transfer(id, pending, consumer);
    pending.deliveryTime = now;
    if (!justId) pending.deliveryCount++;
    claimed.push([id, pairs]);
    count--;
    ctx.propagate(xclaimCommand(key, groupName, id, pending, target.lastId));
  }
  ctx.reply.array(3);
  replyId(ctx.reply, candidates[next] ?? 0n);
  replyClaimed(ctx.reply, claimed, justId);
  ctx.reply.array(deleted.length);
  for (const id of deleted) replyId(ctx.reply, id);
}

export const streamClaimCommands: CommandSpec[] = [
  command({
    name: "xpending",
    arity: -3,
    flags: ["readonly"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary:
      "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
    complexity:
      "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
    handler: xpending,
  }),
  command({
    name: "xclaim",
    arity: -6,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary:
      "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
    complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
    handler: xclaim,
  }),
  command({
    name: "xautoclaim",
    arity: -6,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "6.2.0",
    summary:
      "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
    complexity: "O(1) if COUNT is small.",
    handler: xautoclaim,
  }),
];
