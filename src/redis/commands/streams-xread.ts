/** XREAD and XREADGROUP: reading several streams at once, optionally blocking until entries arrive. */
import { err, syntaxError } from "../errors.js";
import { parseInteger } from "../resp/numbers.js";
import type { Reply } from "../resp/reply.js";
import type { Entries, Stream } from "../types/stream.js";
import { deliverNew, type History, readHistory } from "../types/stream-delivery.js";
import type { ConsumerGroup, PendingEntry } from "../types/stream-group.js";
import { cString, MAX_ID, MIN_ID, type StreamId } from "../types/stream-id.js";
import { intArg } from "./args.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";
import { setIdCommand, xclaimCommand } from "./streams-claim.js";
import {
  findGroup,
  getStream,
  group,
  idArg,
  noGroupForKey,
  replyEntries,
  replyEntry,
  replyId,
} from "./streams-shared.js";

/** ">" in XREADGROUP: the group's next entries. Redis marks it with the greatest ID, as we do. */
const NEW_ENTRIES = MAX_ID;
/** Without COUNT, a blocked read is served at most this many entries per stream. */
const BLOCKED_DEFAULT_COUNT = 1000;

/** A parsed XREAD / XREADGROUP. */
interface ReadRequest {
  groupName: string | undefined;
  consumerName: string;
  noAck: boolean;
  /** 0: no limit. */
  count: number;
  /** Milliseconds, 0 = forever; undefined without BLOCK. */
  blockMs: number | undefined;
  keys: string[];
  /** After which ID each key is read (NEW_ENTRIES for ">"). */
  ids: StreamId[];
}

/** What one stream contributes to the reply: new entries, or a consumer's history. */
type StreamResult = { key: string; entries: Entries } | { key: string; history: History };

function parseOptions(argv: readonly string[], isGroup: boolean): ReadRequest {
  const request: ReadRequest = {
    groupName: undefined,
    consumerName: "",
    noAck: false,
    count: 0,
    blockMs: undefined,
    keys: [],
    ids: [],
  };
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const option = (argv[i] as string).toLowerCase();
    if (option === "block" && more > 0) request.blockMs = blockingTimeoutArg(argv[++i] as string);
    else if (option === "count" && more > 0) request.count = Math.max(intArg(argv[++i] as string), 0);
    else if (option === "streams" && more > 0) {
      const rest = argv.length - i - 1;
      if (rest % 2 !== 0) {
        // Redis 7.0 says XREAD and '$' for XREADGROUP too.
        throw err("Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      }
      request.keys = argv.slice(i + 1, i + 1 + rest / 2);
      return request;
    } else if (option === "group" && more >= 2) {
      if (!isGroup) throw err("The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      request.groupName = argv[++i] as string;
      request.consumerName = argv[++i] as string;
    } else if (option === "noack") {
      if (!isGroup) throw err("The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      request.noAck = true;
    } else throw syntaxError();
  }
  throw syntaxError(); // no STREAMS
}

/** Checks each key (type, group) and reads its ID, in Redis's order; returns the groups found. */
function resolveIds(ctx: CommandContext, argv: readonly string[], request: ReadRequest): ConsumerGroup[] {
  const { keys, groupName } = request;
  const groups: ConsumerGroup[] = [];
  const idsAt = argv.length - keys.length;
  for (const [i, key] of keys.entries()) {
    const stream = getStream(ctx, key);
    if (groupName !== undefined) {
      const found = findGroup(stream, groupName);
      if (found === undefined) throw noGroupForKey(key, groupName, " in XREADGROUP with GROUP option");
      groups.push(found);
    }
    request.ids.push(idOf(argv[idsAt + i] as string, stream, groupName !== undefined));
  }
  return groups;
}

function idOf(arg: string, stream: Stream | undefined, isGroup: boolean): StreamId {
  const text = cString(arg);
  if (text === "$") {
    if (isGroup) {
      throw err(
        "The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
      );
    }
    return stream?.lastId ?? MIN_ID;
  }
  if (text === ">") {
    if (!isGroup) {
      throw err(
        "The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
      );
    }
    return NEW_ENTRIES;
  }
  return idArg(arg);
}

/** Reads what can be read now from the stream at `index` of the request, or undefined. */
function readNow(
  ctx: CommandContext,
  request: ReadRequest,
  consumerGroup: ConsumerGroup | undefined,
  index: number,
  now: number,
): StreamResult | undefined {
  const key = request.keys[index] as string;
  const stream = getStream(ctx, key);
  if (stream === undefined) return undefined;
  const after = request.ids[index] as StreamId;
  if (consumerGroup === undefined) {
    if (stream.length === 0 || stream.lastLiveId() <= after) return undefined;
    return { key, entries: stream.range(after + 1n, MAX_ID, request.count, false) };
  }
  if (after !== NEW_ENTRIES) {
    const consumer = consumerGroup.consumer(request.consumerName, now);
    return { key, history: readHistory(stream, consumer, after + 1n, request.count, now) };
  }
  if (stream.length === 0 || stream.lastLiveId() <= consumerGroup.lastId) return undefined;
  return { key, entries: deliverLogged(ctx, key, request, stream, consumerGroup, request.count, now) };
}

/** New entries for the group's consumer, logged as Redis propagates them: XCLAIMs, then XGROUP SETID. */
function deliverLogged(
  ctx: CommandContext,
  key: string,
  request: ReadRequest,
  stream: Stream,
  consumerGroup: ConsumerGroup,
  count: number,
  now: number,
): Entries {
  const { consumerName, noAck } = request;
  const groupName = request.groupName as string;
  const created = !consumerGroup.consumers.has(consumerName);
  const consumer = consumerGroup.consumer(consumerName, now);
  const lastIdBefore = consumerGroup.lastId;
  const entries = deliverNew(stream, consumerGroup, consumer, lastIdBefore, count, noAck, now);
  const logged: string[][] = [];
  if (created && noAck) logged.push(["XGROUP", "CREATECONSUMER", key, groupName, consumerName]);
  if (!noAck) {
    for (const id of entries.ids) {
      logged.push(
        xclaimCommand(key, groupName, id, consumerGroup.pel.get(id) as PendingEntry, consumerGroup.lastId),
      );
    }
  }
  if (consumerGroup.lastId !== lastIdBefore) logged.push(setIdCommand(key, groupName, consumerGroup));
  if (logged.length > 0) ctx.propagate(...logged);
  return entries;
}

/** [[key, entries], …] in RESP2, {key: entries, …} in RESP3. */
function replyResults(reply: Reply, results: readonly StreamResult[]): void {
  if (reply.resp === 3) reply.map(results.length);
  else reply.array(results.length);
  for (const result of results) {
    if (reply.resp === 2) reply.array(2);
    reply.bulk(result.key);
    if ("entries" in result) replyEntries(reply, result.entries);
    else replyHistory(reply, result.history);
  }
}

function replyHistory(reply: Reply, { ids, pairs }: History): void {
  reply.array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const fields = pairs[i];
    if (fields) replyEntry(reply, ids[i] as StreamId, fields);
    else {
      // A pending entry deleted from the stream since: its ID and a null.
      reply.array(2);
      replyId(reply, ids[i] as StreamId);
      reply.nilArray();
    }
  }
}

function xread(ctx: CommandContext, argv: string[], isGroup: boolean): void {
  const request = parseOptions(argv, isGroup);
  if (isGroup && request.groupName === undefined) throw err("Missing GROUP option for XREADGROUP");
  const groups = resolveIds(ctx, argv, request);
  const now = Date.now();
  const results: StreamResult[] = [];
  for (let i = 0; i < request.keys.length; i++) {
    const result = readNow(ctx, request, groups[i], i, now);
    if (result) results.push(result);
  }
  if (results.length > 0) return replyResults(ctx.reply, results);
  if (request.blockMs === undefined || ctx.inExec) return ctx.reply.nilArray();
  blockUntilEntries(ctx, request);
}

/** BLOCK's argument: milliseconds, 0 = forever. */
function blockingTimeoutArg(text: string): number {
  const ms = parseInteger(text);
  if (ms === undefined) throw err("timeout is not an integer or out of range");
  if (ms < 0) throw err("timeout is negative");
  return ms;
}

/**
 * Parks the client until a stream it reads gets entries past its ID (XREAD) or past its group's last
 * delivered ID (XREADGROUP ">"). Like Redis 7.0, the reply then holds only the stream that woke it.
 */
function blockUntilEntries(ctx: CommandContext, request: ReadRequest): void {
  const { client, server } = ctx;
  const dbIndex = client.dbIndex;
  const after = new Map<string, StreamId>(); // a repeated key waits with its first ID
  for (const [i, key] of request.keys.entries())
    if (!after.has(key)) after.set(key, request.ids[i] as StreamId);
  const serve = (readyKey: string): boolean => {
    const value = server.keyspace.db(dbIndex).get(readyKey);
    const stream = typeof value === "object" && value.type === "stream" ? (value as Stream) : undefined;
    return serveBlocked(ctx, request, readyKey, stream, after.get(readyKey) ?? MAX_ID);
  };
  const isGroup = request.groupName !== undefined;
  server.blocking.block(
    client,
    {
      dbIndex,
      keys: [...after.keys()],
      serve,
      timeout: () => client.reply.nilArray(),
      ...(isGroup ? { wakeWhenNot: "stream" as const } : {}),
    },
    request.blockMs as number,
  );
}

/** Redis 7.0's serveClientsBlockedOnStreamKey for one client: true once it replied. */
function serveBlocked(
  ctx: CommandContext,
  request: ReadRequest,
  key: string,
  stream: Stream | undefined,
  waitedAfter: StreamId,
): boolean {
  const reply = ctx.client.reply;
  const { groupName } = request;
  if (stream === undefined) {
    if (groupName === undefined) return false;
    reply.error("UNBLOCKED the stream key no longer exists");
    return true;
  }
  const consumerGroup = groupName === undefined ? undefined : findGroup(stream, groupName);
  if (groupName !== undefined && consumerGroup === undefined) {
    reply.error("NOGROUP the consumer group this client was blocked on no longer exists");
    return true;
  }
  const after = consumerGroup ? consumerGroup.lastId : waitedAfter;
  if (stream.lastId <= after) return false;
  const count = request.count || BLOCKED_DEFAULT_COUNT;
  const now = Date.now();
  const entries = consumerGroup
    ? deliverLogged(ctx, key, request, stream, consumerGroup, count, now)
    : stream.range(after + 1n, MAX_ID, count, false);
  replyResults(reply, [{ key, entries }]);
  return true;
}

const XREAD_COMPLEXITY =
  "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.";
const XREADGROUP_COMPLEXITY =
  "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.";

export const streamXreadCommands: CommandSpec[] = [
  command({
    name: "xread",
    arity: -4,
    flags: ["readonly", "blocking", "movablekeys"],
    group,
    since: "5.0.0",
    summary:
      "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
    complexity: XREAD_COMPLEXITY,
    handler: (ctx, argv) => xread(ctx, argv, false),
  }),
  command({
    name: "xreadgroup",
    arity: -7,
    flags: ["write", "blocking", "movablekeys"],
    group,
    since: "5.0.0",
    summary:
      "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
    complexity: XREADGROUP_COMPLEXITY,
    handler: (ctx, argv) => xread(ctx, argv, true),
  }),
];
