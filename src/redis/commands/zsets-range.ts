import { err, syntaxError } from "../errors.js";
import { SortedSet, type ZNode } from "../types/zset.js";
import type { LexRange, ScoreRange } from "../types/zset-range.js";
import { lexGteMin, lexLteMax, scoreGteMin, scoreLteMax } from "../types/zset-range.js";
import { intArg, is } from "./args.js";
import type { CommandContext, CommandSpec } from "./spec.js";
import { lexRangeArgs, scoreRangeArgs } from "./zsets-args.js";
import { replyNodes, storeZset, zsetCommand } from "./zsets-common.js";

type RangeBy = "auto" | "rank" | "score" | "lex";

/** A parsed ZRANGE-family request (zrangeGenericCommand). */
interface RangeRequest {
  key: string;
  by: "rank" | "score" | "lex";
  reverse: boolean;
  withScores: boolean;
  offset: number;
  /** -1 (any negative): no limit. */
  limit: number;
  start: number;
  end: number;
  scores?: ScoreRange;
  lex?: LexRange;
}

/** Parses `key min max [options]` from `at`; `store` (ZRANGESTORE) refuses WITHSCORES. */
function parseRange(
  argv: string[],
  at: number,
  store: boolean,
  by: RangeBy,
  reverse?: boolean,
): RangeRequest {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argv.length; j++) {
    const option = argv[j] as string;
    if (!store && is(option, "withscores")) withScores = true;
    else if (is(option, "limit") && argv.length - j - 1 >= 2) {
      offset = intArg(argv[j + 1] as string);
      limit = intArg(argv[j + 2] as string);
      j += 2;
    } else if (reverse === undefined && is(option, "rev")) reverse = true;
    else if (by === "auto" && is(option, "bylex")) by = "lex";
    else if (by === "auto" && is(option, "byscore")) by = "score";
    else throw syntaxError();
  }
  const kind = by === "auto" ? "rank" : by;
  if (limit !== -1 && kind === "rank") {
    throw err("syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withScores && kind === "lex")
    throw err("syntax error, WITHSCORES not supported in combination with BYLEX");
  const rev = reverse === true;
  const request: RangeRequest = {
    key: argv[at] as string,
    by: kind,
    reverse: rev,
    withScores,
    offset,
    limit,
    start: 0,
    end: 0,
  };
  // ZREVRANGEBYSCORE, ZREVRANGEBYLEX and REV with BYSCORE/BYLEX take max before min.
  const swap = rev && kind !== "rank";
  const min = argv[swap ? at + 2 : at + 1] as string;
  const max = argv[swap ? at + 1 : at + 2] as string;
  if (kind === "rank") {
    request.start = intArg(min);
    request.end = intArg(max);
  } else if (kind === "score") request.scores = scoreRangeArgs(min, max);
  else request.lex = lexRangeArgs(min, max);
  return request;
}

function rankRange(zset: SortedSet, request: RangeRequest): ZNode[] {
  const length = zset.size;
  let { start, end } = request;
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return [];
  if (end >= length) end = length - 1;
  const nodes: ZNode[] = [];
  let node = zset.at(request.reverse ? length - 1 - start : start);
  for (let i = start; i <= end && node !== undefined; i++) {
    nodes.push(node);
    node = request.reverse ? node.backward : node.forward;
  }
  return nodes;
}

/** BYSCORE and BYLEX: from the first node in range, skip `offset`, take up to `limit` while in range. */
function boundedRange(zset: SortedSet, request: RangeRequest): ZNode[] {
  const { reverse, offset } = request;
  // Redis walks `offset` nodes one by one, so a negative offset walks off the end.
  if (offset < 0 || (request.by === "score" && offset > 0 && offset >= zset.size)) return [];
  const scores = request.scores;
  const lex = request.lex as LexRange;
  let node: ZNode | undefined;
  if (scores) node = reverse ? zset.lastInRange(scores) : zset.firstInRange(scores);
  else node = reverse ? zset.lastInLex(lex) : zset.firstInLex(lex);
  if (node !== undefined && offset > 0) {
    const rank = (zset.rank(node.member) as number) + (reverse ? -offset : offset);
    node = rank < 0 || rank >= zset.size ? undefined : zset.at(rank);
  }
  const inRange = (n: ZNode) => {
    if (scores) return reverse ? scoreGteMin(n.score, scores) : scoreLteMax(n.score, scores);
    return reverse ? lexGteMin(n.member, lex) : lexLteMax(n.member, lex);
  };
  const nodes: ZNode[] = [];
  for (let left = request.limit; node !== undefined && left !== 0 && inRange(node); left--) {
    nodes.push(node);
    node = reverse ? node.backward : node.forward;
  }
  return nodes;
}

function select(zset: SortedSet, request: RangeRequest): ZNode[] {
  return request.by === "rank" ? rankRange(zset, request) : boundedRange(zset, request);
}

/** ZRANGE and its older forms, whose `by` and `reverse` are fixed. */
function zrange(ctx: CommandContext, argv: string[], by: RangeBy, reverse?: boolean): void {
  const request = parseRange(argv, 1, false, by, reverse);
  const zset = ctx.db.getTyped<SortedSet>(request.key, "zset");
  if (!zset) return ctx.reply.array(0);
  replyNodes(ctx.reply, select(zset, request), request.withScores);
}

/** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]. */
function zrangestore(ctx: CommandContext, argv: string[]): void {
  const destination = argv[1] as string;
  const request = parseRange(argv, 2, true, "auto");
  const source = ctx.db.getTyped<SortedSet>(request.key, "zset");
  const nodes = source ? select(source, request) : [];
  if (nodes.length === 0) {
    ctx.db.delete(destination);
    return ctx.reply.int(0);
  }
  // Redis starts a listpack unless a rank range is known to be longer, then converts as it adds.
  const stored = new SortedSet(request.by !== "rank" || nodes.length <= 128);
  for (const node of nodes) stored.add(node.member, node.score);
  storeZset(ctx.db, destination, stored);
  ctx.reply.int(nodes.length);
}

const READONLY = ["readonly"] as const;
const RANGE_COMPLEXITY =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.";
const BOUNDED_COMPLEXITY =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).";

export const zsetRangeCommands: CommandSpec[] = [
  zsetCommand(
    "zrange",
    -4,
    [...READONLY],
    "1.2.0",
    "Return a range of members in a sorted set",
    RANGE_COMPLEXITY,
    (ctx, argv) => zrange(ctx, argv, "auto"),
  ),
  zsetCommand(
    "zrangebyscore",
    -4,
    [...READONLY],
    "1.0.5",
    "Return a range of members in a sorted set, by score",
    BOUNDED_COMPLEXITY,
    (ctx, argv) => zrange(ctx, argv, "score", false),
  ),
  zsetCommand(
    "zrevrangebyscore",
    -4,
    [...READONLY],
    "2.2.0",
    "Return a range of members in a sorted set, by score, with scores ordered from high to low",
    BOUNDED_COMPLEXITY,
    (ctx, argv) => zrange(ctx, argv, "score", true),
  ),
  zsetCommand(
    "zrangebylex",
    -4,
    [...READONLY],
    "2.8.9",
    "Return a range of members in a sorted set, by lexicographical range",
    BOUNDED_COMPLEXITY,
    (ctx, argv) => zrange(ctx, argv, "lex", false),
  ),
  zsetCommand(
    "zrevrangebylex",
    -4,
    [...READONLY],
    "2.8.9",
    "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
    BOUNDED_COMPLEXITY,
    (ctx, argv) => zrange(ctx, argv, "lex", true),
  ),
  zsetCommand(
    "zrevrange",
    -4,
    [...READONLY],
    "1.2.0",
    "Return a range of members in a sorted set, by index, with scores ordered from high to low",
    RANGE_COMPLEXITY,
    (ctx, argv) => zrange(ctx, argv, "rank", true),
  ),
  zsetCommand(
    "zrangestore",
    -5,
    ["write", "denyoom"],
    "6.2.0",
    "Store a range of members from sorted set into another key",
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
    zrangestore,
    [1, 2, 1],
  ),
];
