import { err, syntaxError } from "../errors.js";
import { parseInteger } from "../resp/numbers.js";
import { SortedSet } from "../types/zset.js";
import { intArg, is } from "./args.js";
import type { CommandContext, CommandSpec } from "./spec.js";
import { scoreArg } from "./zsets-args.js";
import { replyNodes, storeZset, zsetCommand } from "./zsets-common.js";
import { readSources, type Source } from "./zsets-sources.js";

type Operation = "union" | "inter" | "diff";
type Aggregate = "sum" | "min" | "max";

interface SetOperation {
  op: Operation;
  sources: Source[];
  aggregate: Aggregate;
  withScores: boolean;
  /** ZINTERCARD's LIMIT; 0 = none. */
  limit: number;
}

/** zunionInterAggregate; a sum that is NaN (inf + -inf) becomes 0. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === "sum") {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  // Not Math.min/max: C's ternary keeps `target` when `value` is NaN, and keeps 0 against -0.
  // biome-ignore lint/complexity/useMathMinMax: NaN and -0 must behave as in t_zset.c
  if (how === "min") return value < target ? value : target;
  // biome-ignore lint/complexity/useMathMinMax: NaN and -0 must behave as in t_zset.c
  return value > target ? value : target;
}

/** The score of a member times its source's weight; NaN (0 × inf) becomes 0. */
function weighted(score: number, weight: number): number {
  const value = score * weight;
  return Number.isNaN(value) ? 0 : value;
}

/** Parses numkeys, the keys and the options of zunionInterDiffGenericCommand from `at` (numkeys). */
function parseOperation(
  ctx: CommandContext,
  argv: string[],
  at: number,
  op: Operation,
  mode: "reply" | "store" | "card",
): SetOperation {
  const numkeys = intArg(argv[at] as string);
  if (numkeys < 1) {
    throw err(`at least 1 input key is needed for '${(argv[0] as string).toLowerCase()}' command`);
  }
  if (numkeys > argv.length - (at + 1)) throw syntaxError();
  // Keys are looked up (WRONGTYPE) before the options are read.
  const sources = readSources(ctx.db, argv.slice(at + 1, at + 1 + numkeys));
  const parsed: SetOperation = { op, sources, aggregate: "sum", withScores: false, limit: 0 };
  for (let j = at + 1 + numkeys; j < argv.length; ) {
    const remaining = argv.length - j;
    const option = argv[j] as string;
    if (op !== "diff" && mode !== "card" && remaining >= numkeys + 1 && is(option, "weights")) {
      for (let i = 0; i < numkeys; i++) {
        (sources[i] as Source).weight = scoreArg(argv[j + 1 + i] as string, "weight value is not a float");
      }
      j += numkeys + 1;
    } else if (op !== "diff" && mode !== "card" && remaining >= 2 && is(option, "aggregate")) {
      const how = (argv[j + 1] as string).toLowerCase();
      if (how !== "sum" && how !== "min" && how !== "max") throw syntaxError();
      parsed.aggregate = how;
      j += 2;
    } else if (mode === "reply" && is(option, "withscores")) {
      parsed.withScores = true;
      j++;
    } else if (mode === "card" && remaining >= 2 && is(option, "limit")) {
      const limit = parseInteger(argv[j + 1] as string);
      if (limit === undefined || limit < 0) throw err("LIMIT can't be negative");
      parsed.limit = limit;
      j += 2;
    } else throw syntaxError();
  }
  // Smallest first, as Redis sorts them (it matters for the order of floating-point sums).
  if (op !== "diff") sources.sort((a, b) => a.size - b.size);
  return parsed;
}

function union(sources: Source[], how: Aggregate): Map<string, number> {
  const scores = new Map<string, number>();
  for (const source of sources) {
    source.forEach((member, score) => {
      const value = weighted(score, source.weight);
      const existing = scores.get(member);
      scores.set(member, existing === undefined ? value : aggregate(existing, value, how));
    });
  }
  return scores;
}

/** Members of the smallest source found in all the others; stops at `limit` (ZINTERCARD). */
function intersection(sources: Source[], how: Aggregate, limit = 0): Map<string, number> {
  const scores = new Map<string, number>();
  const [smallest, ...others] = sources as [Source, ...Source[]];
  let stop = false;
  smallest.forEach((member, score) => {
    if (stop) return;
    let total = weighted(score, smallest.weight);
    for (const other of others) {
      const found = other.find(member);
      if (found === undefined) return;
      total = aggregate(total, found * other.weight, how);
    }
    scores.set(member, total);
    if (limit > 0 && scores.size >= limit) stop = true;
  });
  return scores;
}

function difference(sources: Source[]): Map<string, number> {
  const scores = new Map<string, number>();
  const [first, ...others] = sources as [Source, ...Source[]];
  first.forEach((member, score) => {
    if (others.every((other) => other.find(member) === undefined)) scores.set(member, score);
  });
  return scores;
}

function compute(operation: SetOperation): SortedSet {
  const { op, sources } = operation;
  const scores =
    op === "union"
      ? union(sources, operation.aggregate)
      : op === "inter"
        ? intersection(sources, operation.aggregate)
        : difference(sources);
  const result = new SortedSet(false);
  for (const [member, score] of scores) result.add(member, score);
  return result;
}

/** ZUNION, ZINTER, ZDIFF numkeys key… [options]. */
function setOperation(ctx: CommandContext, argv: string[], op: Operation): void {
  const operation = parseOperation(ctx, argv, 1, op, "reply");
  const result = compute(operation);
  const nodes = [];
  for (let node = result.first; node !== undefined; node = node.forward) nodes.push(node);
  replyNodes(ctx.reply, nodes, operation.withScores);
}

/** ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE destination numkeys key… [options]. */
function setOperationStore(ctx: CommandContext, argv: string[], op: Operation): void {
  const destination = argv[1] as string;
  const result = compute(parseOperation(ctx, argv, 2, op, "store"));
  if (result.size === 0) {
    ctx.db.delete(destination);
    return ctx.reply.int(0);
  }
  result.compactIfSmall();
  storeZset(ctx.db, destination, result);
  ctx.reply.int(result.size);
}

function zintercard(ctx: CommandContext, argv: string[]): void {
  const operation = parseOperation(ctx, argv, 1, "inter", "card");
  ctx.reply.int(intersection(operation.sources, "sum", operation.limit).size);
}

const MOVABLE_READ = ["readonly", "movablekeys"] as const;
const MOVABLE_STORE = ["write", "denyoom", "movablekeys"] as const;
const NO_KEYS = [0, 0, 0] as const;
const DEST_KEY = [1, 1, 1] as const;
const UNION_COMPLEXITY =
  "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.";
const INTER_COMPLEXITY =
  "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.";
const DIFF_COMPLEXITY =
  "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.";

export const zsetStoreCommands: CommandSpec[] = [
  zsetCommand(
    "zunion",
    -3,
    [...MOVABLE_READ],
    "6.2.0",
    "Add multiple sorted sets",
    UNION_COMPLEXITY,
    (ctx, argv) => setOperation(ctx, argv, "union"),
    NO_KEYS,
  ),
  zsetCommand(
    "zinter",
    -3,
    [...MOVABLE_READ],
    "6.2.0",
    "Intersect multiple sorted sets",
    INTER_COMPLEXITY,
    (ctx, argv) => setOperation(ctx, argv, "inter"),
    NO_KEYS,
  ),
  zsetCommand(
    "zdiff",
    -3,
    [...MOVABLE_READ],
    "6.2.0",
    "Subtract multiple sorted sets",
    DIFF_COMPLEXITY,
    (ctx, argv) => setOperation(ctx, argv, "diff"),
    NO_KEYS,
  ),
  zsetCommand(
    "zunionstore",
    -4,
    [...MOVABLE_STORE],
    "2.0.0",
    "Add multiple sorted sets and store the resulting sorted set in a new key",
    "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
    (ctx, argv) => setOperationStore(ctx, argv, "union"),
    DEST_KEY,
  ),
  zsetCommand(
    "zinterstore",
    -4,
    [...MOVABLE_STORE],
    "2.0.0",
    "Intersect multiple sorted sets and store the resulting sorted set in a new key",
    INTER_COMPLEXITY,
    (ctx, argv) => setOperationStore(ctx, argv, "inter"),
    DEST_KEY,
  ),
  zsetCommand(
    "zdiffstore",
    -4,
    [...MOVABLE_STORE],
    "6.2.0",
    "Subtract multiple sorted sets and store the resulting sorted set in a new key",
    DIFF_COMPLEXITY,
    (ctx, argv) => setOperationStore(ctx, argv, "diff"),
    DEST_KEY,
  ),
  zsetCommand(
    "zintercard",
    -3,
    [...MOVABLE_READ],
    "7.0.0",
    "Intersect multiple sorted sets and return the cardinality of the result",
    "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    zintercard,
    NO_KEYS,
  ),
];
