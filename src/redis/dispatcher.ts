import type { Client } from "./client.js";
import type { CommandContext, CommandSpec } from "./commands/spec.js";
import { RedisError } from "./errors.js";
import { getOrSet } from "./maps.js";
import type { ServerState } from "./server-state.js";

/** Commands a client may send before AUTH when a password is set. */
const NO_AUTH = new Set(["auth", "hello", "quit"]);
/** Commands that run at once inside MULTI instead of being queued. */
const MULTI_CONTROL = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);
/** What a RESP2 client may send while subscribed. */
const PUBSUB_CONTEXT = new Set([
  "subscribe",
  "psubscribe",
  "unsubscribe",
  "punsubscribe",
  "ssubscribe",
  "sunsubscribe",
  "ping",
  "quit",
  "reset",
]);

/**
 * Resolves a command and its subcommand, and checks what Redis checks before running one (unknown
 * command, arity, authentication, MULTI queueing, the pub/sub context). Returns the spec to run or
 * replies with the error itself.
 */
export function resolve(state: ServerState, client: Client, argv: string[]): CommandSpec | undefined {
  const name = (argv[0] as string).toLowerCase();
  let spec = state.commands.get(name);
  if (!spec) {
    let args = "";
    for (let i = 1; i < argv.length && args.length < 128; i++)
      args += `'${argv[i]?.slice(0, 128 - args.length)}' `;
    return refuse(
      client,
      `ERR unknown command '${argv[0]?.slice(0, 128)}', with args beginning with: ${args}`,
    );
  }
  if (spec.subcommands && argv.length >= 2) {
    const sub = spec.subcommands.find((s) => s.name === `${name}|${(argv[1] as string).toLowerCase()}`);
    if (!sub) {
      return refuse(
        client,
        `ERR unknown subcommand '${argv[1]?.slice(0, 128)}'. Try ${name.toUpperCase()} HELP.`,
      );
    }
    spec = sub;
  }
  if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) {
    const what = spec.name.includes("|") ? spec.name : name;
    return refuse(client, `ERR wrong number of arguments for '${what}' command`);
  }
  if (!client.authenticated && !NO_AUTH.has(name)) return refuse(client, "NOAUTH Authentication required.");
  if (client.reply.resp === 2 && client.subscriptionCount > 0 && !PUBSUB_CONTEXT.has(name)) {
    return refuse(
      client,
      `ERR Can't execute '${spec.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
  }
  return spec;
}

function refuse(client: Client, message: string): undefined {
  if (client.multi) client.multi.aborted = true;
  client.reply.error(message);
  return undefined;
}

/** Runs one command of `client`: queued inside MULTI, otherwise executed. */
export function dispatch(state: ServerState, client: Client, argv: string[]): void {
  const spec = resolve(state, client, argv);
  if (!spec) return;
  if (client.multi && !MULTI_CONTROL.has(spec.name)) {
    client.multi.queue.push(argv);
    client.reply.simple("QUEUED");
    return;
  }
  execute(state, client, spec, argv, false);
}

/** Calls the handler; a RedisError becomes the error reply, anything else an internal error. */
export function execute(
  state: ServerState,
  client: Client,
  spec: CommandSpec,
  argv: string[],
  inExec: boolean,
): void {
  const db = state.keyspace.db(client.dbIndex);
  const ctx: CommandContext = { client, server: state, db, reply: client.reply, inExec };
  if (state.monitors.size > 0 && !spec.flags.includes("skip_monitor")) feedMonitors(state, client, argv);
  const started = performance.now();
  let failed = false;
  try {
    (spec.handler as NonNullable<CommandSpec["handler"]>)(ctx, argv);
  } catch (error) {
    failed = true;
    if (error instanceof RedisError) client.reply.error(error.message);
    else {
      client.reply.error(`ERR internal error while running '${spec.name}'`);
      state.onInternalError?.(error, spec.name);
    }
  }
  client.lastCommand = spec.name;
  state.stats.commandsProcessed++;
  const stat = getOrSet(state.stats.commands, spec.name, () => ({ calls: 0, usec: 0, failed: 0 }));
  stat.calls++;
  stat.usec += (performance.now() - started) * 1000;
  if (failed) stat.failed++;
}

function feedMonitors(state: ServerState, client: Client, argv: string[]): void {
  const time = (Date.now() / 1000).toFixed(6);
  const source = client.address.startsWith("/") ? `unix:${client.address}` : client.address;
  const args = argv.map((a) => `"${escapeForMonitor(a)}"`).join(" ");
  const line = `${time} [${client.dbIndex} ${source}] ${args}`;
  for (const monitor of state.monitors) {
    if (monitor === client) continue;
    monitor.reply.simple(line);
    state.deliver(monitor);
  }
}

const MONITOR_ESCAPES: Record<string, string> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\x07": "\\a",
  "\b": "\\b",
  '"': '\\"',
  "\\": "\\\\",
};

/** sdscatrepr: printable ASCII as is, the rest escaped. */
function escapeForMonitor(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (MONITOR_ESCAPES[c] !== undefined) out += MONITOR_ESCAPES[c];
    else if (code < 0x20 || code > 0x7e) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += c;
  }
  return out;
}
