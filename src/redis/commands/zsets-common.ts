import { err } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import { parseInteger } from "../resp/numbers.js";
import type { Reply } from "../resp/reply.js";
import { SortedSet, type ZNode } from "../types/zset.js";
import { familyCommand } from "./spec.js";

export const zsetCommand = familyCommand("sorted-set");

/** getRangeLongFromObjectOrReply(min, LONG_MAX) with one message for every bad value. */
export function countArg(text: string, min: number, message: string): number {
  const value = parseInteger(text);
  if (value === undefined || value < min) throw err(message);
  return value;
}

/** The sorted set at `key`, or undefined when missing or of another type (for blocked clients). */
export function zsetAt(db: Database, key: string): SortedSet | undefined {
  const value = db.get(key);
  return value instanceof SortedSet ? value : undefined;
}

/** The first of `keys` holding a sorted set; a key of another type on the way is WRONGTYPE. */
export function firstZset(db: Database, keys: readonly string[]): [string, SortedSet] | undefined {
  for (const key of keys) {
    const zset = db.getTyped<SortedSet>(key, "zset");
    if (zset) return [key, zset];
  }
  return undefined;
}

/**
 * Stores a store command's result (setKey). Like Redis 7.0, only a key that did not exist wakes
 * blocked clients (dbAdd signals it; overwriting does not).
 */
export function storeZset(db: Database, key: string, zset: SortedSet): void {
  const isNew = !db.has(key);
  db.set(key, zset);
  if (isNew) db.ready(key);
}

/** The array header of `count` results: RESP2 flattens member and score, RESP3 nests pairs. */
export function scoredArrayHeader(reply: Reply, count: number, withScores: boolean): void {
  reply.array(withScores && reply.resp === 2 ? count * 2 : count);
}

/** One result: the member, with its score (a [member, score] pair in RESP3). */
export function scoredEntry(reply: Reply, member: string, score: number, withScores: boolean): void {
  if (!withScores) return reply.bulk(member);
  if (reply.resp === 3) reply.array(2);
  reply.bulk(member);
  reply.double(score);
}

export function replyNodes(reply: Reply, nodes: readonly ZNode[], withScores: boolean): void {
  scoredArrayHeader(reply, nodes.length, withScores);
  for (const node of nodes) scoredEntry(reply, node.member, node.score, withScores);
}

/** How genericZpopCommand shapes its reply. */
export interface PopShape {
  /** Reply with the key first (BZPOPMIN, ZMPOP). */
  withKey: boolean;
  /** [member, score] pairs instead of a flat list (RESP3 ZPOPMIN with a count, ZMPOP). */
  nested: boolean;
}

/**
 * genericZpopCommand on a non-empty set: pops up to `count` from the low (or high) end and replies.
 * Returns how many were popped.
 */
export function popAndReply(
  db: Database,
  reply: Reply,
  key: string,
  zset: SortedSet,
  max: boolean,
  count: number,
  shape: PopShape,
): number {
  const popped = Math.min(count, zset.size);
  if (shape.withKey && shape.nested) {
    reply.array(2);
    reply.bulk(key);
    reply.array(popped);
  } else if (shape.withKey) {
    reply.array(popped * 2 + 1);
    reply.bulk(key);
  } else {
    reply.array(shape.nested ? popped : popped * 2);
  }
  for (let i = 0; i < popped; i++) {
    const node = (max ? zset.last : zset.first) as ZNode;
    zset.remove(node.member);
    if (shape.nested) reply.array(2);
    reply.bulk(node.member);
    reply.double(node.score);
  }
  db.changed(key, zset);
  return popped;
}
