import { err, syntaxError } from "../errors.js";
import { parseInteger } from "../resp/numbers.js";
import { SetValue } from "../types/set.js";
import { is } from "./args.js";
import { setAt, setCommand } from "./sets-common.js";
import type { CommandContext, CommandFlag, CommandSpec } from "./spec.js";

/** The sets at `keys`, undefined for a missing key; every key is type-checked first, as 7.0 does. */
function setsAt(ctx: CommandContext, keys: readonly string[]): (SetValue | undefined)[] {
  return keys.map((key) => setAt(ctx, key));
}

/**
 * Visits the members common to all `sets` (none missing) until `visit` returns false. Like Redis it
 * walks the smallest set (a stable sort by size: the first key among equals), so an intset there
 * gives the result sorted by value.
 */
function intersect(sets: readonly SetValue[], visit: (member: string) => boolean): void {
  const bySize = [...sets].sort((a, b) => a.size - b.size);
  const smallest = bySize[0] as SetValue;
  next: for (const member of smallest.values()) {
    for (let j = 1; j < bySize.length; j++) {
      const other = bySize[j] as SetValue;
      if (other !== smallest && !other.has(member)) continue next;
    }
    if (!visit(member)) return;
  }
}

/** The union of `sets` as a new set, built from an empty intset like sunionDiffGenericCommand. */
function union(sets: readonly (SetValue | undefined)[]): SetValue {
  const result = new SetValue();
  for (const set of sets) if (set) for (const member of set.values()) result.add(member);
  return result;
}

/**
 * The members of the first set in none of the others. Redis picks one of two algorithms by the work
 * each needs, and they can leave the result in different encodings (the second adds the whole first
 * set, then removes), which shows in OBJECT ENCODING and in the reply's order: both are kept.
 */
function difference(sets: readonly (SetValue | undefined)[]): SetValue {
  const result = new SetValue();
  const [first, ...others] = sets;
  if (!first || others.includes(first)) return result;
  let oneWork = 0;
  let twoWork = 0;
  for (const set of sets) {
    if (!set) continue;
    oneWork += first.size;
    twoWork += set.size;
  }
  const present = others.filter((set): set is SetValue => set !== undefined);
  if (Math.floor(oneWork / 2) <= twoWork) {
    for (const member of first.values()) if (!present.some((set) => set.has(member))) result.add(member);
    return result;
  }
  for (const member of first.values()) result.add(member);
  for (const set of present) {
    for (const member of set.values()) result.remove(member);
    if (result.size === 0) break;
  }
  return result;
}

function replyMembers(ctx: CommandContext, members: readonly string[]): void {
  ctx.reply.set(members.length);
  for (const member of members) ctx.reply.bulk(member);
}

/** Stores a computed set at `destination` (an empty one deletes it) and answers its size. */
function store(ctx: CommandContext, destination: string, result: SetValue): void {
  if (result.size > 0) ctx.db.set(destination, result);
  else ctx.db.delete(destination);
  ctx.reply.int(result.size);
}

function sinter(ctx: CommandContext, argv: string[]): void {
  const sets = setsAt(ctx, argv.slice(1));
  const found: string[] = [];
  if (!sets.includes(undefined)) {
    intersect(sets as SetValue[], (member) => {
      found.push(member);
      return true;
    });
  }
  replyMembers(ctx, found);
}

function sinterstore(ctx: CommandContext, argv: string[]): void {
  const sets = setsAt(ctx, argv.slice(2));
  const result = new SetValue();
  if (!sets.includes(undefined)) {
    intersect(sets as SetValue[], (member) => {
      result.add(member);
      return true;
    });
  }
  store(ctx, argv[1] as string, result);
}

/** SINTERCARD numkeys key [key …] [LIMIT limit]: the intersection's size, counting up to LIMIT. */
function sintercard(ctx: CommandContext, argv: string[]): void {
  const numkeys = parseInteger(argv[1] as string);
  if (numkeys === undefined || numkeys < 1) throw err("numkeys should be greater than 0");
  if (numkeys > argv.length - 2) throw err("Number of keys can't be greater than number of args");
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i++) {
    if (!is(argv[i], "limit") || i + 1 >= argv.length) throw syntaxError();
    const value = parseInteger(argv[++i] as string);
    if (value === undefined || value < 0) throw err("LIMIT can't be negative");
    limit = value;
  }
  const sets = setsAt(ctx, argv.slice(2, 2 + numkeys));
  let count = 0;
  // LIMIT 0 means no limit.
  if (!sets.includes(undefined)) intersect(sets as SetValue[], () => ++count !== limit);
  ctx.reply.int(count);
}

const OF_ALL_KEYS = [1, -1, 1] as const;
const STORE_KEYS = [1, -1, 1] as const;
const INTER_N =
  "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
const TOTAL_N = "O(N) where N is the total number of elements in all given sets.";
const READ: CommandFlag[] = ["readonly"];
const STORE: CommandFlag[] = ["write", "denyoom"];

export const setAlgebraCommands: CommandSpec[] = [
  setCommand("sinter", -2, READ, "1.0.0", "Intersect multiple sets", INTER_N, sinter, OF_ALL_KEYS),
  setCommand(
    "sunion",
    -2,
    READ,
    "1.0.0",
    "Add multiple sets",
    TOTAL_N,
    (ctx, argv) => replyMembers(ctx, union(setsAt(ctx, argv.slice(1))).values()),
    OF_ALL_KEYS,
  ),
  setCommand(
    "sdiff",
    -2,
    READ,
    "1.0.0",
    "Subtract multiple sets",
    TOTAL_N,
    (ctx, argv) => replyMembers(ctx, difference(setsAt(ctx, argv.slice(1))).values()),
    OF_ALL_KEYS,
  ),
  setCommand(
    "sinterstore",
    -3,
    STORE,
    "1.0.0",
    "Intersect multiple sets and store the resulting set in a key",
    INTER_N,
    sinterstore,
    STORE_KEYS,
  ),
  setCommand(
    "sunionstore",
    -3,
    STORE,
    "1.0.0",
    "Add multiple sets and store the resulting set in a key",
    TOTAL_N,
    (ctx, argv) => store(ctx, argv[1] as string, union(setsAt(ctx, argv.slice(2)))),
    STORE_KEYS,
  ),
  setCommand(
    "sdiffstore",
    -3,
    STORE,
    "1.0.0",
    "Subtract multiple sets and store the resulting set in a key",
    TOTAL_N,
    (ctx, argv) => store(ctx, argv[1] as string, difference(setsAt(ctx, argv.slice(2)))),
    STORE_KEYS,
  ),
  setCommand(
    "sintercard",
    -3,
    ["readonly", "movablekeys"],
    "7.0.0",
    "Intersect multiple sets and return the cardinality of the result",
    INTER_N,
    sintercard,
    [0, 0, 0],
  ),
];
