import { RedisError } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import type { ListValue } from "../types/list.js";
import { is, timeoutArg } from "./args.js";
import {
  firstList,
  headArg,
  listAt,
  listCommand,
  moveElement,
  parseMultiPop,
  popManyWithKey,
  popOneWithKey,
} from "./lists-common.js";
import type { CommandContext, CommandSpec } from "./spec.js";

/**
 * Parks the client on `keys` until one of them is a non-empty list. `take` then serves it from the
 * key that became ready (Redis 7.0 serves that key, not the first of the command's keys).
 */
function blockOn(
  ctx: CommandContext,
  keys: string[],
  timeoutMs: number,
  take: (db: Database, key: string, list: ListValue) => void,
  timedOut: () => void,
): void {
  const { client, server } = ctx;
  const dbIndex = client.dbIndex;
  const serve = (readyKey: string): boolean => {
    const db = server.keyspace.db(dbIndex);
    const list = listAt(db, readyKey);
    if (!list) return false;
    try {
      take(db, readyKey, list);
    } catch (error) {
      if (!(error instanceof RedisError)) throw error;
      client.reply.error(error.message); // BLMOVE onto a key that is no longer a list
    }
    return true;
  };
  const unique = keys.length > 1 ? [...new Set(keys)] : keys;
  server.blocking.block(client, { dbIndex, keys: unique, serve, timeout: timedOut }, timeoutMs);
}

/**
 * Logs `argv` to the AOF in place of the blocking command, for the database it was served from (the
 * client's index: after a SWAPDB that is no longer the Database object the command started with).
 */
function logAs(ctx: CommandContext, db: Database, argv: string[]): void {
  if (db === ctx.db) ctx.propagate(argv);
  else ({ ...ctx, db }).propagate(argv);
}

/** BLPOP and BRPOP: key… timeout. Logged as the LPOP or RPOP of the key served, as Redis does. */
function blockingPop(ctx: CommandContext, argv: string[], head: boolean): void {
  const timeoutMs = timeoutArg(argv[argv.length - 1] as string);
  const keys = argv.slice(1, -1);
  const reply = ctx.client.reply;
  const take = (db: Database, key: string, list: ListValue) => {
    popOneWithKey(db, reply, key, list, head);
    logAs(ctx, db, [head ? "LPOP" : "RPOP", key]);
  };
  const found = firstList(ctx.db, keys);
  if (found) return take(ctx.db, found[0], found[1]);
  if (ctx.inExec) return reply.nilArray();
  blockOn(ctx, keys, timeoutMs, take, () => reply.nilArray());
}

/**
 * BLMOVE and BRPOPLPUSH, logged as LMOVE and RPOPLPUSH. The destination's type is only checked once
 * there is something to move. Inside MULTI they reply a nil bulk, but a timeout replies a nil array
 * (Redis 7.0's replyToBlockedClientTimedOut answers every list command so).
 */
function blockingMove(ctx: CommandContext, argv: string[], fromHead: boolean, toHead: boolean): void {
  const [name, from, to] = argv as [string, string, string];
  const timeoutMs = timeoutArg(argv[argv.length - 1] as string);
  const reply = ctx.client.reply;
  const logged = is(name, "brpoplpush")
    ? ["RPOPLPUSH", from, to]
    : ["LMOVE", from, to, argv[3] as string, argv[4] as string];
  const take = (db: Database, key: string, list: ListValue) => {
    moveElement(db, reply, key, list, to, fromHead, toHead);
    logAs(ctx, db, logged);
  };
  const source = ctx.db.getTyped<ListValue>(from, "list");
  if (source) return take(ctx.db, from, source);
  if (ctx.inExec) return reply.nil();
  blockOn(ctx, [from], timeoutMs, take, () => reply.nilArray());
}

/** BLMPOP timeout numkeys key… LEFT|RIGHT [COUNT count], logged as LPOP/RPOP key count. */
function blmpop(ctx: CommandContext, argv: string[]): void {
  const { keys, head, count } = parseMultiPop(argv, 2);
  const timeoutMs = timeoutArg(argv[1] as string);
  const reply = ctx.client.reply;
  const take = (db: Database, key: string, list: ListValue) => {
    const popped = Math.min(count, list.size);
    popManyWithKey(db, reply, key, list, head, count);
    logAs(ctx, db, [head ? "LPOP" : "RPOP", key, String(popped)]);
  };
  const found = firstList(ctx.db, keys);
  if (found) return take(ctx.db, found[0], found[1]);
  if (ctx.inExec) return reply.nilArray();
  blockOn(ctx, keys, timeoutMs, take, () => reply.nilArray());
}

const POP_COMPLEXITY = "O(N) where N is the number of provided keys.";
const BLOCK_ON_KEYS = [1, -2, 1] as const;

export const listBlockingCommands: CommandSpec[] = [
  listCommand(
    "blpop",
    -3,
    ["write", "noscript", "blocking"],
    "2.0.0",
    "Remove and get the first element in a list, or block until one is available",
    POP_COMPLEXITY,
    (ctx, argv) => blockingPop(ctx, argv, true),
    BLOCK_ON_KEYS,
  ),
  listCommand(
    "brpop",
    -3,
    ["write", "noscript", "blocking"],
    "2.0.0",
    "Remove and get the last element in a list, or block until one is available",
    POP_COMPLEXITY,
    (ctx, argv) => blockingPop(ctx, argv, false),
    BLOCK_ON_KEYS,
  ),
  listCommand(
    "blmove",
    6,
    ["write", "denyoom", "noscript", "blocking"],
    "6.2.0",
    "Pop an element from a list, push it to another list and return it; or block until one is available",
    "O(1)",
    (ctx, argv) => blockingMove(ctx, argv, headArg(argv[3] as string), headArg(argv[4] as string)),
    [1, 2, 1],
  ),
  listCommand(
    "brpoplpush",
    4,
    ["write", "denyoom", "noscript", "blocking"],
    "2.2.0",
    "Pop an element from a list, push it to another list and return it; or block until one is available",
    "O(1)",
    (ctx, argv) => blockingMove(ctx, argv, false, true),
    [1, 2, 1],
  ),
  listCommand(
    "blmpop",
    -5,
    ["write", "blocking", "movablekeys"],
    "7.0.0",
    "Pop elements from a list, or block until one is available",
    "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    blmpop,
    [0, 0, 0],
  ),
];
