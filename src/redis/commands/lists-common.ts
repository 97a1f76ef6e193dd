import { err, syntaxError } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import { parseInteger } from "../resp/numbers.js";
import type { Reply } from "../resp/reply.js";
import { ListValue } from "../types/list.js";
import { is } from "./args.js";
import { familyCommand } from "./spec.js";

export const listCommand = familyCommand("list");

/** A count that must be ≥ 0, with Redis's getPositiveLongFromObjectOrReply message for anything else. */
export function positiveArg(text: string, message = "value is out of range, must be positive"): number {
  const value = parseInteger(text);
  if (value === undefined || value < 0) throw err(message);
  return value;
}

/** LEFT or RIGHT (LMOVE, LMPOP): true for the head. */
export function headArg(text: string): boolean {
  if (is(text, "left")) return true;
  if (is(text, "right")) return false;
  throw syntaxError();
}

/** The list at `key` without a type error: undefined when missing or of another type (blocked clients). */
export function listAt(db: Database, key: string): ListValue | undefined {
  const value = db.get(key);
  return value instanceof ListValue ? value : undefined;
}

/** The first of `keys` holding a list; a key of another type stops the search with WRONGTYPE. */
export function firstList(db: Database, keys: readonly string[]): [string, ListValue] | undefined {
  for (const key of keys) {
    const list = db.getTyped<ListValue>(key, "list");
    if (list) return [key, list];
  }
  return undefined;
}

/** Replies the elements first..last (inclusive) of `list` as an array (LRANGE's hot loop). */
export function replyRange(reply: Reply, list: ListValue, first: number, last: number): void {
  reply.array(last - first + 1);
  for (let i = first; i <= last; i++) reply.bulk(list.at(i) as string);
}

/** Pops one element and replies [key, element] (BLPOP, BRPOP). */
export function popOneWithKey(db: Database, reply: Reply, key: string, list: ListValue, head: boolean): void {
  reply.array(2);
  reply.bulk(key);
  reply.bulk(head ? list.popFront() : list.popBack());
  db.changed(key, list);
}

/** Pops up to `count` elements and replies [key, [elements…]] (LMPOP, BLMPOP). */
export function popManyWithKey(
  db: Database,
  reply: Reply,
  key: string,
  list: ListValue,
  head: boolean,
  count: number,
): void {
  const popped = Math.min(count, list.size);
  reply.array(2);
  reply.bulk(key);
  reply.array(popped);
  for (let i = 0; i < popped; i++) reply.bulk(head ? list.popFront() : list.popBack());
  db.changed(key, list);
}

/**
 * LMOVE's work on a non-empty `source`: checks the destination's type first (WRONGTYPE leaves both
 * lists untouched), then moves one element and replies with it. Source and destination may be the
 * same list (a rotation).
 */
export function moveElement(
  db: Database,
  reply: Reply,
  from: string,
  source: ListValue,
  to: string,
  fromHead: boolean,
  toHead: boolean,
): void {
  const existing = db.getTyped<ListValue>(to, "list");
  const value = (fromHead ? source.popFront() : source.popBack()) as string;
  const destination = existing ?? db.create(to, new ListValue());
  if (toHead) destination.pushFront(value);
  else destination.pushBack(value);
  db.changed(to, destination);
  db.ready(to);
  if (from !== to) db.changed(from, source);
  reply.bulk(value);
}

/** LMPOP's and BLMPOP's arguments from `numkeys` on: numkeys key… LEFT|RIGHT [COUNT count]. */
export interface MultiPop {
  keys: string[];
  head: boolean;
  count: number;
}

export function parseMultiPop(argv: readonly string[], numkeysAt: number): MultiPop {
  const numkeys = parseInteger(argv[numkeysAt] as string);
  if (numkeys === undefined || numkeys < 1) throw err("numkeys should be greater than 0");
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= argv.length) throw syntaxError();
  const head = headArg(argv[whereAt] as string);
  let count: number | undefined;
  for (let i = whereAt + 1; i < argv.length; i++) {
    if (count === undefined && is(argv[i], "count") && i + 1 < argv.length) {
      count = parseInteger(argv[++i] as string);
      if (count === undefined || count < 1) throw err("count should be greater than 0");
    } else throw syntaxError();
  }
  return { keys: argv.slice(numkeysAt + 1, whereAt), head, count: count ?? 1 };
}
