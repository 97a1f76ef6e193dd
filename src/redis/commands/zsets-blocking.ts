import { RedisError } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import type { Reply } from "../resp/reply.js";
import type { SortedSet } from "../types/zset.js";
import { timeoutArg } from "./args.js";
import type { CommandContext, CommandSpec } from "./spec.js";
import { firstZset, type PopShape, popAndReply, zsetAt, zsetCommand } from "./zsets-common.js";
import { parseMultiPop, propagatePop } from "./zsets-write.js";

/** What a blocking pop does once it has a non-empty set. */
interface PopRequest {
  keys: string[];
  max: boolean;
  /** Undefined for BZPOPMIN/BZPOPMAX (one member, a flat reply). */
  count: number | undefined;
  timeoutMs: number;
}

function pop(
  ctx: CommandContext,
  db: Database,
  reply: Reply,
  key: string,
  zset: SortedSet,
  request: PopRequest,
): void {
  const shape: PopShape = { withKey: true, nested: request.count !== undefined };
  const popped = popAndReply(db, reply, key, zset, request.max, request.count ?? 1, shape);
  propagatePop(ctx, key, request.max, request.count === undefined ? undefined : popped);
}

/**
 * blockingGenericZpopCommand: serves at once from the first key holding a sorted set (a key of
 * another type before it is WRONGTYPE), or parks the client until a write makes one ready. Inside
 * EXEC it answers as if the timeout expired. Redis 7.0 serves a woken client from the key that
 * became ready; one of another type by then leaves it waiting.
 */
function blockingPop(ctx: CommandContext, request: PopRequest): void {
  const found = firstZset(ctx.db, request.keys);
  if (found) return pop(ctx, ctx.db, ctx.reply, found[0], found[1], request);
  if (ctx.inExec) return ctx.reply.nilArray();
  const { client, server } = ctx;
  const dbIndex = client.dbIndex;
  const serve = (readyKey: string): boolean => {
    const db = server.keyspace.db(dbIndex);
    const zset = zsetAt(db, readyKey);
    if (!zset) return false;
    try {
      pop(ctx, db, client.reply, readyKey, zset, request);
    } catch (error) {
      if (!(error instanceof RedisError)) throw error;
      client.reply.error(error.message);
    }
    return true;
  };
  const keys = request.keys.length > 1 ? [...new Set(request.keys)] : request.keys;
  server.blocking.block(
    client,
    { dbIndex, keys, serve, timeout: () => client.reply.nilArray() },
    request.timeoutMs,
  );
}

/** BZPOPMIN and BZPOPMAX key… timeout. */
function bzpop(ctx: CommandContext, argv: string[], max: boolean): void {
  const timeoutMs = timeoutArg(argv[argv.length - 1] as string);
  blockingPop(ctx, { keys: argv.slice(1, -1), max, count: undefined, timeoutMs });
}

/** BZMPOP timeout numkeys key… MIN|MAX [COUNT count]: the timeout is read after the rest. */
function bzmpop(ctx: CommandContext, argv: string[]): void {
  const { keys, max, count } = parseMultiPop(argv, 2);
  const timeoutMs = timeoutArg(argv[1] as string);
  blockingPop(ctx, { keys, max, count, timeoutMs });
}

const BLOCKING = ["write", "noscript", "blocking", "fast"] as const;
const ONE_POP = "O(log(N)) with N being the number of elements in the sorted set.";

export const zsetBlockingCommands: CommandSpec[] = [
  zsetCommand(
    "bzpopmin",
    -3,
    [...BLOCKING],
    "5.0.0",
    "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
    ONE_POP,
    (ctx, argv) => bzpop(ctx, argv, false),
    [1, -2, 1],
  ),
  zsetCommand(
    "bzpopmax",
    -3,
    [...BLOCKING],
    "5.0.0",
    "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
    ONE_POP,
    (ctx, argv) => bzpop(ctx, argv, true),
    [1, -2, 1],
  ),
  zsetCommand(
    "bzmpop",
    -5,
    ["write", "blocking", "movablekeys"],
    "7.0.0",
    "Remove and return members with scores in a sorted set or block until one is available",
    "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    bzmpop,
    [0, 0, 0],
  ),
];
