import { syntaxError } from "../errors.js";
import { is } from "./args.js";
import { info } from "./info.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

const group = "server";

function flush(ctx: CommandContext, argv: string[], all: boolean): void {
  if (argv.length > 2 || (argv[1] !== undefined && !is(argv[1], "async") && !is(argv[1], "sync")))
    throw syntaxError();
  if (all) ctx.server.keyspace.flushAll();
  else ctx.db.clear();
  ctx.reply.ok();
}

export const serverCommands: CommandSpec[] = [
  command({
    name: "info",
    arity: -1,
    flags: ["loading", "stale"],
    group,
    since: "1.0.0",
    summary: "Returns information and statistics about the server.",
    handler: info,
  }),
  command({
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    group: "server",
    since: "1.0.0",
    summary: "Returns the number of keys in the database.",
    handler: (ctx) => ctx.reply.int(ctx.db.size),
  }),
  command({
    name: "flushdb",
    arity: -1,
    flags: ["write"],
    group,
    since: "1.0.0",
    summary: "Remove all keys from the current database.",
    handler: (ctx, argv) => flush(ctx, argv, false),
  }),
  command({
    name: "flushall",
    arity: -1,
    flags: ["write"],
    group,
    since: "1.0.0",
    summary: "Removes all keys from all databases.",
    handler: (ctx, argv) => flush(ctx, argv, true),
  }),
  command({
    name: "time",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    group,
    since: "2.6.0",
    summary: "Returns the server time.",
    handler: (ctx) => {
      const micros = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
      ctx.reply.array(2);
      ctx.reply.bulk(String(micros / 1_000_000n));
      ctx.reply.bulk(String(micros % 1_000_000n));
    },
  }),
];
