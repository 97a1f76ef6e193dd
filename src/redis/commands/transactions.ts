import type { Client } from "../client.js";
import { execute } from "../dispatcher.js";
import { err, RedisError } from "../errors.js";
import type { ServerState } from "../server-state.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

const group = "transactions";

/** Redis's discardTransaction: the queue, the MULTI state and the watches go. */
function discardTransaction(server: ServerState, client: Client): void {
  client.multi = undefined;
  server.watches.unwatchAll(client);
}

/** The spec of a queued command (the dispatcher checked it when queueing it). */
function queuedSpec(server: ServerState, argv: string[]): CommandSpec {
  const name = (argv[0] as string).toLowerCase();
  const spec = server.commands.get(name) as CommandSpec;
  if (!spec.subcommands || argv.length < 2) return spec;
  const sub = `${name}|${(argv[1] as string).toLowerCase()}`;
  return spec.subcommands.find((candidate) => candidate.name === sub) as CommandSpec;
}

/**
 * EXEC (multi.c execCommand): refused after a queueing error, a nil array when a watched key
 * changed or expired, otherwise the replies of the queued commands as one array.
 */
function exec(ctx: CommandContext): void {
  const { client, server, reply } = ctx;
  const multi = client.multi;
  if (!multi) throw err("EXEC without MULTI");
  if (server.watches.expiredSinceWatch(client, server.keyspace.databases)) client.watchDirty = true;
  if (multi.aborted || client.watchDirty) {
    discardTransaction(server, client);
    if (multi.aborted) throw new RedisError("EXECABORT Transaction discarded because of previous errors.");
    reply.nilArray();
    return;
  }
  discardTransaction(server, client);
  reply.array(multi.queue.length);
  for (const argv of multi.queue) execute(server, client, queuedSpec(server, argv), argv, true);
}

function watch(ctx: CommandContext, argv: string[]): void {
  const { client, server } = ctx;
  if (client.multi) throw err("WATCH inside MULTI is not allowed");
  if (!client.watchDirty) {
    // A dirty client's EXEC fails anyway: no point in watching more (as Redis).
    for (let i = 1; i < argv.length; i++) server.watches.watch(client, ctx.db, argv[i] as string);
  }
  ctx.reply.ok();
}

const flags = ["noscript", "loading", "stale", "fast", "allow_busy"] as const;

export const transactionCommands: CommandSpec[] = [
  command({
    name: "multi",
    arity: 1,
    flags,
    group,
    since: "1.2.0",
    summary: "Mark the start of a transaction block",
    complexity: "O(1)",
    handler: (ctx) => {
      if (ctx.client.multi) throw err("MULTI calls can not be nested");
      ctx.client.multi = { queue: [], aborted: false };
      ctx.reply.ok();
    },
  }),
  command({
    name: "exec",
    arity: 1,
    flags: ["noscript", "loading", "stale", "skip_slowlog"],
    group,
    since: "1.2.0",
    summary: "Execute all commands issued after MULTI",
    complexity: "Depends on commands in the transaction",
    handler: exec,
  }),
  command({
    name: "discard",
    arity: 1,
    flags,
    group,
    since: "2.0.0",
    summary: "Discard all commands issued after MULTI",
    complexity: "O(N), when N is the number of queued commands",
    handler: (ctx) => {
      if (!ctx.client.multi) throw err("DISCARD without MULTI");
      discardTransaction(ctx.server, ctx.client);
      ctx.reply.ok();
    },
  }),
  command({
    name: "watch",
    arity: -2,
    flags,
    keys: [1, -1, 1],
    group,
    since: "2.2.0",
    summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
    complexity: "O(1) for every key.",
    handler: watch,
  }),
  command({
    name: "unwatch",
    arity: 1,
    flags,
    group,
    since: "2.2.0",
    summary: "Forget about all watched keys",
    complexity: "O(1)",
    handler: (ctx) => {
      ctx.server.watches.unwatchAll(ctx.client);
      ctx.reply.ok();
    },
  }),
];
