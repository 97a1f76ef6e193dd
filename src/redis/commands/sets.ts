import { SetValue } from "../types/set.js";
import { matches, replyScan, scanCursorArg, scanOptions } from "./collection-scan.js";
import { setAlgebraCommands } from "./sets-algebra.js";
import { setAt, setCommand } from "./sets-common.js";
import { setRandomCommands } from "./sets-random.js";
import type { CommandContext, CommandFlag, CommandSpec } from "./spec.js";

function sadd(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const set = setAt(ctx, key) ?? ctx.db.create(key, new SetValue());
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i] as string)) added++;
  if (added > 0) ctx.db.changed(key, set);
  ctx.reply.int(added);
}

function srem(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const set = setAt(ctx, key);
  if (!set) return ctx.reply.int(0);
  let removed = 0;
  for (let i = 2; i < argv.length; i++) if (set.remove(argv[i] as string)) removed++;
  if (removed > 0) ctx.db.changed(key, set);
  ctx.reply.int(removed);
}

/** SMEMBERS: a set reply; an intset answers sorted by value. */
function smembers(ctx: CommandContext, argv: string[]): void {
  const members = setAt(ctx, argv[1] as string)?.values() ?? [];
  ctx.reply.set(members.length);
  for (const member of members) ctx.reply.bulk(member);
}

function smismember(ctx: CommandContext, argv: string[]): void {
  const set = setAt(ctx, argv[1] as string);
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.reply.int(set?.has(argv[i] as string) ? 1 : 0);
}

/**
 * SMOVE source destination member. A missing source answers 0 before the destination's type is
 * checked; moving within one set changes nothing.
 */
function smove(ctx: CommandContext, argv: string[]): void {
  const [, sourceKey, destinationKey, member] = argv as [string, string, string, string];
  if (!ctx.db.has(sourceKey)) return ctx.reply.int(0);
  const source = setAt(ctx, sourceKey) as SetValue;
  const destination = setAt(ctx, destinationKey);
  if (source === destination) return ctx.reply.int(source.has(member) ? 1 : 0);
  if (!source.remove(member)) return ctx.reply.int(0);
  ctx.db.changed(sourceKey, source);
  const target = destination ?? ctx.db.create(destinationKey, new SetValue());
  target.add(member);
  ctx.db.changed(destinationKey, target);
  ctx.reply.int(1);
}

/** SSCAN: an intset comes back whole (sorted) with cursor 0; a hashtable COUNT at a time. */
function sscan(ctx: CommandContext, argv: string[]): void {
  const cursor = scanCursorArg(argv[2] as string);
  const set = setAt(ctx, argv[1] as string);
  if (!set) return replyScan(ctx.reply, "0", []);
  const { count, pattern } = scanOptions(argv, 3);
  if (set.isIntset) {
    return replyScan(
      ctx.reply,
      "0",
      set.values().filter((member) => matches(pattern, member)),
    );
  }
  const page = ctx.server.scans.next(cursor, set, () => set.scanOrder(), count);
  const found = page.items.filter((member) => matches(pattern, member));
  replyScan(ctx.reply, page.cursor, found);
}

const READ_FAST: CommandFlag[] = ["readonly", "fast"];

export const setCommands: CommandSpec[] = [
  setCommand(
    "sadd",
    -3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Add one or more members to a set",
    "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    sadd,
  ),
  setCommand(
    "srem",
    -3,
    ["write", "fast"],
    "1.0.0",
    "Remove one or more members from a set",
    "O(N) where N is the number of members to be removed.",
    srem,
  ),
  setCommand(
    "smembers",
    2,
    ["readonly"],
    "1.0.0",
    "Get all the members in a set",
    "O(N) where N is the set cardinality.",
    smembers,
  ),
  setCommand(
    "sismember",
    3,
    READ_FAST,
    "1.0.0",
    "Determine if a given value is a member of a set",
    "O(1)",
    (ctx, argv) => ctx.reply.int(setAt(ctx, argv[1] as string)?.has(argv[2] as string) ? 1 : 0),
  ),
  setCommand(
    "smismember",
    -3,
    READ_FAST,
    "6.2.0",
    "Returns the membership associated with the given elements for a set",
    "O(N) where N is the number of elements being checked for membership",
    smismember,
  ),
  setCommand("scard", 2, READ_FAST, "1.0.0", "Get the number of members in a set", "O(1)", (ctx, argv) =>
    ctx.reply.int(setAt(ctx, argv[1] as string)?.size ?? 0),
  ),
  setCommand(
    "smove",
    4,
    ["write", "fast"],
    "1.0.0",
    "Move a member from one set to another",
    "O(1)",
    smove,
    [1, 2, 1],
  ),
  setCommand(
    "sscan",
    -3,
    ["readonly"],
    "2.8.0",
    "Incrementally iterate Set elements",
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    sscan,
  ),
  ...setRandomCommands,
  ...setAlgebraCommands,
];
