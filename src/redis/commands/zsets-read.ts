import { formatDouble } from "../resp/numbers.js";
import type { SortedSet } from "../types/zset.js";
import { matches, replyScan, scanCursorArg, scanOptions } from "./collection-scan.js";
import type { CommandContext, CommandSpec } from "./spec.js";
import { lexRangeArgs, listpackScoreText, scoreRangeArgs } from "./zsets-args.js";
import { zsetCommand } from "./zsets-common.js";
import { zrandmember } from "./zsets-random.js";

function zscore(ctx: CommandContext, argv: string[]): void {
  const score = ctx.db.getTyped<SortedSet>(argv[1] as string, "zset")?.score(argv[2] as string);
  if (score === undefined) ctx.reply.nil();
  else ctx.reply.double(score);
}

function zmscore(ctx: CommandContext, argv: string[]): void {
  const zset = ctx.db.getTyped<SortedSet>(argv[1] as string, "zset");
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = zset?.score(argv[i] as string);
    if (score === undefined) ctx.reply.nil();
    else ctx.reply.double(score);
  }
}

function zcard(ctx: CommandContext, argv: string[]): void {
  ctx.reply.int(ctx.db.getTyped<SortedSet>(argv[1] as string, "zset")?.size ?? 0);
}

/** ZCOUNT: the range is parsed before the key is looked at. */
function zcount(ctx: CommandContext, argv: string[]): void {
  const range = scoreRangeArgs(argv[2] as string, argv[3] as string);
  ctx.reply.int(ctx.db.getTyped<SortedSet>(argv[1] as string, "zset")?.countInRange(range) ?? 0);
}

function zlexcount(ctx: CommandContext, argv: string[]): void {
  const range = lexRangeArgs(argv[2] as string, argv[3] as string);
  ctx.reply.int(ctx.db.getTyped<SortedSet>(argv[1] as string, "zset")?.countInLex(range) ?? 0);
}

function zrank(ctx: CommandContext, argv: string[], reverse: boolean): void {
  const rank = ctx.db.getTyped<SortedSet>(argv[1] as string, "zset")?.rank(argv[2] as string, reverse);
  if (rank === undefined) ctx.reply.nil();
  else ctx.reply.int(rank);
}

/**
 * ZSCAN: a listpack-encoded set comes back whole with cursor 0, its scores as the listpack keeps
 * them; a skiplist-encoded one is walked COUNT at a time, scores as %.17Lg.
 */
function zscan(ctx: CommandContext, argv: string[]): void {
  const cursor = scanCursorArg(argv[2] as string);
  const zset = ctx.db.getTyped<SortedSet>(argv[1] as string, "zset");
  if (!zset) return replyScan(ctx.reply, "0", []);
  const { count, pattern } = scanOptions(argv, 3);
  const flat: string[] = [];
  if (zset.isCompact) {
    for (let node = zset.first; node !== undefined; node = node.forward) {
      if (matches(pattern, node.member)) flat.push(node.member, listpackScoreText(node.score));
    }
    return replyScan(ctx.reply, "0", flat);
  }
  const page = ctx.server.scans.next(cursor, zset, () => zset.entries(), count);
  for (const [member, score] of page.items)
    if (matches(pattern, member)) flat.push(member, formatDouble(score));
  replyScan(ctx.reply, page.cursor, flat);
}

const READ_FAST = ["readonly", "fast"] as const;
const LOG_N = "O(log(N)) with N being the number of elements in the sorted set.";

export const zsetReadCommands: CommandSpec[] = [
  zsetCommand(
    "zscore",
    3,
    [...READ_FAST],
    "1.2.0",
    "Get the score associated with the given member in a sorted set",
    "O(1)",
    zscore,
  ),
  zsetCommand(
    "zmscore",
    -3,
    [...READ_FAST],
    "6.2.0",
    "Get the score associated with the given members in a sorted set",
    "O(N) where N is the number of members being requested.",
    zmscore,
  ),
  zsetCommand(
    "zcard",
    2,
    [...READ_FAST],
    "1.2.0",
    "Get the number of members in a sorted set",
    "O(1)",
    zcard,
  ),
  zsetCommand(
    "zcount",
    4,
    [...READ_FAST],
    "2.0.0",
    "Count the members in a sorted set with scores within the given values",
    LOG_N,
    zcount,
  ),
  zsetCommand(
    "zlexcount",
    4,
    [...READ_FAST],
    "2.8.9",
    "Count the number of members in a sorted set between a given lexicographical range",
    LOG_N,
    zlexcount,
  ),
  zsetCommand(
    "zrank",
    3,
    [...READ_FAST],
    "2.0.0",
    "Determine the index of a member in a sorted set",
    "O(log(N))",
    (ctx, argv) => zrank(ctx, argv, false),
  ),
  zsetCommand(
    "zrevrank",
    3,
    [...READ_FAST],
    "2.0.0",
    "Determine the index of a member in a sorted set, with scores ordered from high to low",
    "O(log(N))",
    (ctx, argv) => zrank(ctx, argv, true),
  ),
  zsetCommand(
    "zrandmember",
    -2,
    ["readonly"],
    "6.2.0",
    "Get one or multiple random elements from a sorted set",
    "O(N) where N is the number of elements returned",
    zrandmember,
  ),
  zsetCommand(
    "zscan",
    -3,
    ["readonly"],
    "2.8.0",
    "Incrementally iterate sorted sets elements and associated scores",
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    zscan,
  ),
];
