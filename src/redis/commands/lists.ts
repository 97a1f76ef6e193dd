import { err, syntaxError, wrongArity } from "../errors.js";
import { ListValue } from "../types/list.js";
import { intArg, is } from "./args.js";
import { listBlockingCommands } from "./lists-blocking.js";
import { listCommand, positiveArg, replyRange } from "./lists-common.js";
import { listMoveCommands } from "./lists-move.js";
import type { CommandContext, CommandSpec } from "./spec.js";

function push(ctx: CommandContext, argv: string[], front: boolean, onlyIfExists: boolean): void {
  const key = argv[1] as string;
  let list = ctx.db.getTyped<ListValue>(key, "list");
  if (!list) {
    if (onlyIfExists) return ctx.reply.int(0);
    list = ctx.db.create(key, new ListValue(argv.length - 2));
  }
  if (front) for (let i = 2; i < argv.length; i++) list.pushFront(argv[i] as string);
  else for (let i = 2; i < argv.length; i++) list.pushBack(argv[i] as string);
  ctx.reply.int(list.size);
  ctx.db.changed(key, list);
  ctx.db.ready(key);
}

/** LPOP / RPOP: one element as a bulk, or with a count an array (nil array for a missing key). */
function pop(ctx: CommandContext, argv: string[], front: boolean): void {
  if (argv.length > 3) throw wrongArity((argv[0] as string).toLowerCase());
  const withCount = argv.length === 3;
  const count = withCount ? positiveArg(argv[2] as string) : 1;
  const key = argv[1] as string;
  const list = ctx.db.getTyped<ListValue>(key, "list");
  if (!list) return withCount ? ctx.reply.nilArray() : ctx.reply.nil();
  if (!withCount) {
    ctx.reply.bulk(front ? list.popFront() : list.popBack());
    return ctx.db.changed(key, list);
  }
  const popped = Math.min(count, list.size);
  ctx.reply.array(popped);
  for (let i = 0; i < popped; i++) ctx.reply.bulk(front ? list.popFront() : list.popBack());
  if (popped > 0) ctx.db.changed(key, list);
}

/** Resolves a start/stop pair the way LRANGE and LTRIM do; undefined when the range is empty. */
function clampRange(start: number, stop: number, length: number): [number, number] | undefined {
  let first = start < 0 ? length + start : start;
  let last = stop < 0 ? length + stop : stop;
  if (first < 0) first = 0;
  if (first > last || first >= length) return undefined;
  if (last >= length) last = length - 1;
  return [first, last];
}

function lrange(ctx: CommandContext, argv: string[]): void {
  const start = intArg(argv[2] as string);
  const stop = intArg(argv[3] as string);
  const list = ctx.db.getTyped<ListValue>(argv[1] as string, "list");
  const range = list && clampRange(start, stop, list.size);
  if (!list || !range) return ctx.reply.array(0);
  replyRange(ctx.reply, list, range[0], range[1]);
}

function ltrim(ctx: CommandContext, argv: string[]): void {
  const start = intArg(argv[2] as string);
  const stop = intArg(argv[3] as string);
  const key = argv[1] as string;
  const list = ctx.db.getTyped<ListValue>(key, "list");
  if (list) {
    const length = list.size;
    const range = clampRange(start, stop, length);
    if (range) list.trim(range[0], length - range[1] - 1);
    else list.trim(length, 0);
    ctx.db.changed(key, list); // Redis signals the key even when nothing was removed
  }
  ctx.reply.ok();
}

/** A list index as LINDEX and LSET read it: negative counts from the tail; -1 when out of range. */
function resolveIndex(text: string, length: number): number {
  const index = intArg(text);
  const resolved = index < 0 ? length + index : index;
  return resolved >= 0 && resolved < length ? resolved : -1;
}

function lindex(ctx: CommandContext, argv: string[]): void {
  const list = ctx.db.getTyped<ListValue>(argv[1] as string, "list");
  if (!list) return ctx.reply.nil();
  const index = resolveIndex(argv[2] as string, list.size);
  ctx.reply.bulk(index < 0 ? undefined : list.at(index));
}

function lset(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const list = ctx.db.getTyped<ListValue>(key, "list");
  if (!list) throw err("no such key");
  const index = resolveIndex(argv[2] as string, list.size);
  if (index < 0) throw err("index out of range");
  list.setAt(index, argv[3] as string);
  ctx.db.changed(key, list);
  ctx.reply.ok();
}

function lrem(ctx: CommandContext, argv: string[]): void {
  const count = intArg(argv[2] as string);
  const key = argv[1] as string;
  const list = ctx.db.getTyped<ListValue>(key, "list");
  if (!list) return ctx.reply.int(0);
  const removed = list.removeMatching(argv[3] as string, count);
  if (removed > 0) ctx.db.changed(key, list);
  ctx.reply.int(removed);
}

function linsert(ctx: CommandContext, argv: string[]): void {
  const [, key, where, pivot, element] = argv as [string, string, string, string, string];
  const after = is(where, "after");
  if (!after && !is(where, "before")) throw syntaxError();
  const list = ctx.db.getTyped<ListValue>(key, "list");
  if (!list) return ctx.reply.int(0);
  const at = list.indexOf(pivot);
  if (at < 0) return ctx.reply.int(-1);
  list.insertAt(after ? at + 1 : at, element);
  ctx.db.changed(key, list);
  ctx.reply.int(list.size);
}

function llen(ctx: CommandContext, argv: string[]): void {
  ctx.reply.int(ctx.db.getTyped<ListValue>(argv[1] as string, "list")?.size ?? 0);
}

/** LPOS's options; `count` is undefined without COUNT (a single index is replied). */
interface PositionQuery {
  rank: number;
  count: number | undefined;
  maxlen: number;
}

function parsePositionQuery(argv: string[]): PositionQuery {
  const query: PositionQuery = { rank: 1, count: undefined, maxlen: 0 };
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i] as string;
    const value = argv[i + 1];
    if (value === undefined) throw syntaxError();
    if (is(option, "rank")) {
      query.rank = intArg(value);
      if (query.rank === 0) {
        throw err(
          "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
    } else if (is(option, "count")) query.count = positiveArg(value, "COUNT can't be negative");
    else if (is(option, "maxlen")) query.maxlen = positiveArg(value, "MAXLEN can't be negative");
    else throw syntaxError();
    i++;
  }
  return query;
}

/**
 * The indexes LPOS finds. A RANK of -2^63 stays negative once negated in Redis's C, so every match
 * qualifies and COUNT never stops the scan; that quirk is kept.
 */
function findPositions(list: ListValue, element: string, { rank, count, maxlen }: PositionQuery): number[] {
  const fromTail = rank < 0;
  const everyMatch = rank === -(2 ** 63);
  const wanted = Math.abs(rank);
  const length = list.size;
  const limit = maxlen === 0 ? length : Math.min(maxlen, length);
  const found: number[] = [];
  let matches = 0;
  for (let n = 0; n < limit; n++) {
    const index = fromTail ? length - 1 - n : n;
    if (list.at(index) !== element) continue;
    matches++;
    if (!everyMatch && matches < wanted) continue;
    found.push(index);
    if (count === undefined) break;
    if (count !== 0 && !everyMatch && matches - wanted + 1 >= count) break;
  }
  return found;
}

function lpos(ctx: CommandContext, argv: string[]): void {
  const query = parsePositionQuery(argv);
  const list = ctx.db.getTyped<ListValue>(argv[1] as string, "list");
  const found = list ? findPositions(list, argv[2] as string, query) : [];
  if (query.count === undefined) {
    if (found.length === 0) ctx.reply.nil();
    else ctx.reply.int(found[0] as number);
    return;
  }
  ctx.reply.array(found.length);
  for (const index of found) ctx.reply.int(index);
}

const PUSH_COMPLEXITY =
  "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";
const POP_COMPLEXITY = "O(N) where N is the number of elements returned";

const basicCommands: CommandSpec[] = [
  listCommand(
    "lpush",
    -3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Prepend one or multiple elements to a list",
    PUSH_COMPLEXITY,
    (ctx, argv) => push(ctx, argv, true, false),
  ),
  listCommand(
    "rpush",
    -3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Append one or multiple elements to a list",
    PUSH_COMPLEXITY,
    (ctx, argv) => push(ctx, argv, false, false),
  ),
  listCommand(
    "lpushx",
    -3,
    ["write", "denyoom", "fast"],
    "2.2.0",
    "Prepend an element to a list, only if the list exists",
    PUSH_COMPLEXITY,
    (ctx, argv) => push(ctx, argv, true, true),
  ),
  listCommand(
    "rpushx",
    -3,
    ["write", "denyoom", "fast"],
    "2.2.0",
    "Append an element to a list, only if the list exists",
    PUSH_COMPLEXITY,
    (ctx, argv) => push(ctx, argv, false, true),
  ),
  listCommand(
    "lpop",
    -2,
    ["write", "fast"],
    "1.0.0",
    "Remove and get the first elements in a list",
    POP_COMPLEXITY,
    (ctx, argv) => pop(ctx, argv, true),
  ),
  listCommand(
    "rpop",
    -2,
    ["write", "fast"],
    "1.0.0",
    "Remove and get the last elements in a list",
    POP_COMPLEXITY,
    (ctx, argv) => pop(ctx, argv, false),
  ),
  listCommand("llen", 2, ["readonly", "fast"], "1.0.0", "Get the length of a list", "O(1)", llen),
  listCommand(
    "lrange",
    4,
    ["readonly"],
    "1.0.0",
    "Get a range of elements from a list",
    "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    lrange,
  ),
  listCommand(
    "lindex",
    3,
    ["readonly"],
    "1.0.0",
    "Get an element from a list by its index",
    "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    lindex,
  ),
  listCommand(
    "lset",
    4,
    ["write", "denyoom"],
    "1.0.0",
    "Set the value of an element in a list by its index",
    "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
    lset,
  ),
  listCommand(
    "lrem",
    4,
    ["write"],
    "1.0.0",
    "Remove elements from a list",
    "O(N+M) where N is the length of the list and M is the number of elements removed.",
    lrem,
  ),
  listCommand(
    "ltrim",
    4,
    ["write"],
    "1.0.0",
    "Trim a list to the specified range",
    "O(N) where N is the number of elements to be removed by the operation.",
    ltrim,
  ),
  listCommand(
    "linsert",
    5,
    ["write", "denyoom"],
    "2.2.0",
    "Insert an element before or after another element in a list",
    "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    linsert,
  ),
  listCommand(
    "lpos",
    -3,
    ["readonly"],
    "6.0.6",
    "Return the index of matching elements on a list",
    "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    lpos,
  ),
];

/** Every list command: these, the moves and LMPOP, and the blocking ones. */
export const listCommands: CommandSpec[] = [...basicCommands, ...listMoveCommands, ...listBlockingCommands];
