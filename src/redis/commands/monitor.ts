import { err } from "../errors.js";
import { type CommandSpec, command } from "./spec.js";

/**
 * MONITOR: from now on the client gets a line per command any client runs (the dispatcher feeds
 * them). Like Redis, a second MONITOR is ignored without a reply, and inside EXEC it is refused.
 */
export const monitorCommands: CommandSpec[] = [
  command({
    name: "monitor",
    arity: 1,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    since: "1.0.0",
    summary: "Listen for all requests received by the server in real time",
    handler: (ctx) => {
      if (ctx.inExec) throw err("MONITOR isn't allowed for DENY BLOCKING client");
      if (ctx.server.monitors.has(ctx.client)) return;
      ctx.client.monitor = true;
      ctx.server.monitors.add(ctx.client);
      ctx.reply.ok();
    },
  }),
];
