/** What the stream command files share: ID arguments, entry replies, and typed lookups. */
import { err, RedisError } from "../errors.js";
import type { Reply } from "../resp/reply.js";
import type { Entries, Stream } from "../types/stream.js";
import type { ConsumerGroup } from "../types/stream-group.js";
import { formatId, MAX_ID, MIN_ID, parseStreamId, type StreamId } from "../types/stream-id.js";
import type { CommandContext } from "./spec.js";

export const group = "stream";
export const ONE_KEY = [1, 1, 1] as const;

export const invalidId = () => err("Invalid stream ID specified as stream command argument");

/** An ID argument ("<ms>" gets `missingSeq`); `strict` refuses "-" and "+". */
export function idArg(arg: string, missingSeq = 0n, strict = true): StreamId {
  const parsed = parseStreamId(arg, missingSeq, strict);
  if (parsed === undefined) throw invalidId();
  return parsed.id;
}

/** The start of a range: "-", an ID, or "(ID" (exclusive). */
export function rangeStartArg(arg: string): StreamId {
  if (arg.length > 1 && arg[0] === "(") {
    const id = idArg(arg.slice(1), 0n);
    if (id === MAX_ID) throw err("invalid start ID for the interval");
    return id + 1n;
  }
  return idArg(arg, 0n, false);
}

/** The end of a range: "+", an ID ("<ms>" means its last sequence), or "(ID" (exclusive). */
export function rangeEndArg(arg: string): StreamId {
  if (arg.length > 1 && arg[0] === "(") {
    const id = idArg(arg.slice(1), (1n << 64n) - 1n);
    if (id === MIN_ID) throw err("invalid end ID for the interval");
    return id - 1n;
  }
  return idArg(arg, (1n << 64n) - 1n, false);
}

export function replyId(reply: Reply, id: StreamId): void {
  reply.bulk(formatId(id));
}

/** One entry: [id, [field, value, …]]. */
export function replyEntry(reply: Reply, id: StreamId, pairs: readonly string[]): void {
  reply.array(2);
  reply.bulk(formatId(id));
  reply.array(pairs.length);
  for (const text of pairs) reply.bulk(text);
}

export function replyEntries(reply: Reply, entries: Entries): void {
  const { ids, pairs } = entries;
  reply.array(ids.length);
  for (let i = 0; i < ids.length; i++) replyEntry(reply, ids[i] as StreamId, pairs[i] as string[]);
}

export function getStream(ctx: CommandContext, key: string): Stream | undefined {
  return ctx.db.getTyped<Stream>(key, "stream");
}

/** After a change to a stream: WATCH sees it (an emptied stream stays a key, unlike other types). */
export function streamChanged(ctx: CommandContext, key: string): void {
  ctx.db.touch(key);
}

/** The group's name in `stream`, or undefined. */
export function findGroup(stream: Stream | undefined, name: string): ConsumerGroup | undefined {
  return stream?.groups?.get(name);
}

/** "-NOGROUP No such key 'k' or consumer group 'g'" as XPENDING, XCLAIM, XAUTOCLAIM reply. */
export function noGroupForKey(key: string, groupName: string, suffix = ""): RedisError {
  return new RedisError(`NOGROUP No such key '${key}' or consumer group '${groupName}'${suffix}`);
}

/** "-NOGROUP No such consumer group 'g' for key name 'k'" as XGROUP and XINFO reply. */
export function noGroupNamed(key: string, groupName: string): RedisError {
  return new RedisError(`NOGROUP No such consumer group '${groupName}' for key name '${key}'`);
}
