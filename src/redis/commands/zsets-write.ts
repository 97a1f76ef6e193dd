import { err, syntaxError } from "../errors.js";
import { SortedSet } from "../types/zset.js";
import { intArg, is } from "./args.js";
import type { CommandContext, CommandSpec } from "./spec.js";
import { lexRangeArgs, scoreArg, scoreRangeArgs } from "./zsets-args.js";
import { countArg, firstZset, popAndReply, zsetCommand } from "./zsets-common.js";

interface AddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  incr: boolean;
}

/** What zsetAdd did with one member. */
const NOP = 0;
const ADDED = 1;
const UPDATED = 2;
const SAME = 3;

/** zsetAdd: returns what happened; `out.score` is the member's score afterwards. */
function addOne(zset: SortedSet, member: string, score: number, f: AddFlags, out: { score: number }): number {
  const current = zset.score(member);
  if (current === undefined) {
    if (f.xx) return NOP;
    zset.add(member, score);
    out.score = score;
    return ADDED;
  }
  if (f.nx) return NOP;
  if (f.incr) {
    score += current;
    if (Number.isNaN(score)) throw err("resulting score is not a number (NaN)");
  }
  if ((f.lt && score >= current) || (f.gt && score <= current)) return NOP;
  out.score = score;
  if (score === current) return SAME;
  zset.setScore(member, current, score);
  return UPDATED;
}

function parseAddFlags(argv: string[], flags: AddFlags): { first: number; ch: boolean } {
  let ch = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const option = (argv[i] as string).toLowerCase();
    if (option === "nx") flags.nx = true;
    else if (option === "xx") flags.xx = true;
    else if (option === "ch") ch = true;
    else if (option === "incr") flags.incr = true;
    else if (option === "gt") flags.gt = true;
    else if (option === "lt") flags.lt = true;
    else break;
  }
  const elements = argv.length - i;
  if (elements === 0 || elements % 2 !== 0) throw syntaxError();
  const { nx, xx, gt, lt, incr } = flags;
  if (nx && xx) throw err("XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    throw err("GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && elements > 2) throw err("INCR option supports a single increment-element pair");
  return { first: i, ch };
}

/** zaddGenericCommand, for ZADD and ZINCRBY (which reads ZADD's options too, as Redis does). */
function zadd(ctx: CommandContext, argv: string[], incr: boolean): void {
  const key = argv[1] as string;
  const flags: AddFlags = { nx: false, xx: false, gt: false, lt: false, incr };
  const { first, ch } = parseAddFlags(argv, flags);
  const scores: number[] = [];
  for (let i = first; i < argv.length; i += 2) scores.push(scoreArg(argv[i] as string));
  let zset = ctx.db.getTyped<SortedSet>(key, "zset");
  const created = zset === undefined;
  if (!zset) {
    if (flags.xx) return flags.incr ? ctx.reply.nil() : ctx.reply.int(0);
    zset = ctx.db.create(key, SortedSet.forFirstMember(argv[first + 1] as string));
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  const out = { score: 0 };
  try {
    for (let j = 0; j < scores.length; j++) {
      const done = addOne(zset, argv[first + 2 * j + 1] as string, scores[j] as number, flags, out);
      if (done === ADDED) added++;
      else if (done === UPDATED) updated++;
      if (done !== NOP) processed++;
    }
  } finally {
    if (added + updated > 0) ctx.db.changed(key, zset);
    if (created) ctx.db.ready(key); // dbAdd signals a new key only
  }
  if (!flags.incr) ctx.reply.int(ch ? added + updated : added);
  else if (processed > 0) ctx.reply.double(out.score);
  else ctx.reply.nil();
}

function zrem(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const zset = ctx.db.getTyped<SortedSet>(key, "zset");
  if (!zset) return ctx.reply.int(0);
  let deleted = 0;
  for (let i = 2; i < argv.length && zset.size > 0; i++) if (zset.remove(argv[i] as string)) deleted++;
  if (deleted > 0) ctx.db.changed(key, zset);
  ctx.reply.int(deleted);
}

/** ZREMRANGEBYRANK, BYSCORE, BYLEX: the range is parsed before the key is looked at. */
function zremrange(ctx: CommandContext, argv: string[], by: "rank" | "score" | "lex"): void {
  const [, key, min, max] = argv as [string, string, string, string];
  let remove: (zset: SortedSet) => number;
  if (by === "rank") {
    const start = intArg(min);
    const end = intArg(max);
    remove = (zset) => {
      const length = zset.size;
      const from = Math.max(0, start < 0 ? length + start : start);
      const to = Math.min(end < 0 ? length + end : end, length - 1);
      return from > to || from >= length ? 0 : zset.deleteRangeByRank(from, to);
    };
  } else if (by === "score") {
    const range = scoreRangeArgs(min, max);
    remove = (zset) => zset.deleteRangeByScore(range);
  } else {
    const range = lexRangeArgs(min, max);
    remove = (zset) => zset.deleteRangeByLex(range);
  }
  const zset = ctx.db.getTyped<SortedSet>(key, "zset");
  if (!zset) return ctx.reply.int(0);
  const deleted = remove(zset);
  if (deleted > 0) ctx.db.changed(key, zset);
  ctx.reply.int(deleted);
}

/** ZPOPMIN and ZPOPMAX key [count]. */
function zpop(ctx: CommandContext, argv: string[], max: boolean): void {
  if (argv.length > 3) throw syntaxError();
  const withCount = argv.length === 3;
  const count = withCount ? countArg(argv[2] as string, 0, "value is out of range, must be positive") : 1;
  const key = argv[1] as string;
  const zset = ctx.db.getTyped<SortedSet>(key, "zset");
  if (!zset || count === 0) return ctx.reply.array(0);
  const nested = withCount && ctx.reply.resp === 3;
  popAndReply(ctx.db, ctx.reply, key, zset, max, count, { withKey: false, nested });
}

/** ZMPOP and BZMPOP arguments: numkeys key… MIN|MAX [COUNT count], from `at` (numkeys). */
export function parseMultiPop(argv: string[], at: number): { keys: string[]; max: boolean; count: number } {
  const numkeys = countArg(argv[at] as string, 1, "numkeys should be greater than 0");
  const whereAt = at + numkeys + 1;
  if (whereAt >= argv.length) throw syntaxError();
  const where = argv[whereAt] as string;
  if (!is(where, "min") && !is(where, "max")) throw syntaxError();
  let count = -1;
  for (let i = whereAt + 1; i < argv.length; i++) {
    if (count === -1 && is(argv[i], "count") && i + 1 < argv.length) {
      count = countArg(argv[++i] as string, 1, "count should be greater than 0");
    } else throw syntaxError();
  }
  return { keys: argv.slice(at + 1, whereAt), max: is(where, "max"), count: count === -1 ? 1 : count };
}

/** Logs what Redis propagates for a pop: ZPOPMIN/ZPOPMAX key [count]. */
export function propagatePop(ctx: CommandContext, key: string, max: boolean, count?: number): void {
  const name = max ? "ZPOPMAX" : "ZPOPMIN";
  ctx.propagate(count === undefined ? [name, key] : [name, key, String(count)]);
}

function zmpop(ctx: CommandContext, argv: string[]): void {
  const { keys, max, count } = parseMultiPop(argv, 1);
  const found = firstZset(ctx.db, keys);
  if (!found) return ctx.reply.nilArray();
  const popped = popAndReply(ctx.db, ctx.reply, found[0], found[1], max, count, {
    withKey: true,
    nested: true,
  });
  propagatePop(ctx, found[0], max, popped);
}

const WRITE_FAST = ["write", "fast"] as const;
const LOG_N_M =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.";
const POP_M =
  "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.";

export const zsetWriteCommands: CommandSpec[] = [
  zsetCommand(
    "zadd",
    -4,
    ["write", "denyoom", "fast"],
    "1.2.0",
    "Add one or more members to a sorted set, or update its score if it already exists",
    "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    (ctx, argv) => zadd(ctx, argv, false),
  ),
  zsetCommand(
    "zincrby",
    4,
    ["write", "denyoom", "fast"],
    "1.2.0",
    "Increment the score of a member in a sorted set",
    "O(log(N)) where N is the number of elements in the sorted set.",
    (ctx, argv) => zadd(ctx, argv, true),
  ),
  zsetCommand(
    "zrem",
    -3,
    [...WRITE_FAST],
    "1.2.0",
    "Remove one or more members from a sorted set",
    "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
    zrem,
  ),
  zsetCommand(
    "zremrangebyscore",
    4,
    ["write"],
    "1.2.0",
    "Remove all members in a sorted set within the given scores",
    LOG_N_M,
    (ctx, argv) => zremrange(ctx, argv, "score"),
  ),
  zsetCommand(
    "zremrangebyrank",
    4,
    ["write"],
    "2.0.0",
    "Remove all members in a sorted set within the given indexes",
    LOG_N_M,
    (ctx, argv) => zremrange(ctx, argv, "rank"),
  ),
  zsetCommand(
    "zremrangebylex",
    4,
    ["write"],
    "2.8.9",
    "Remove all members in a sorted set between the given lexicographical range",
    LOG_N_M,
    (ctx, argv) => zremrange(ctx, argv, "lex"),
  ),
  zsetCommand(
    "zpopmin",
    -2,
    [...WRITE_FAST],
    "5.0.0",
    "Remove and return members with the lowest scores in a sorted set",
    POP_M,
    (ctx, argv) => zpop(ctx, argv, false),
  ),
  zsetCommand(
    "zpopmax",
    -2,
    [...WRITE_FAST],
    "5.0.0",
    "Remove and return members with the highest scores in a sorted set",
    POP_M,
    (ctx, argv) => zpop(ctx, argv, true),
  ),
  zsetCommand(
    "zmpop",
    -4,
    ["write", "movablekeys"],
    "7.0.0",
    "Remove and return members with scores in a sorted set",
    "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    zmpop,
    [0, 0, 0],
  ),
];
