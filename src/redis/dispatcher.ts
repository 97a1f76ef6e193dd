import { isWrite, propagate } from "./aof/propagation.js";
import type { Client } from "./client.js";
import type { CommandContext, CommandSpec, CommandTable } from "./commands/spec.js";
import { RedisError } from "./errors.js";
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
 * The spec `argv` names (its subcommand's, for a container command) with the arity checked, or the
 * error Redis replies with. Shared by clients and the AOF loader.
 */
export function lookupCommand(commands: CommandTable, argv: string[]): CommandSpec | string {
  let spec = commands.find(argv[0] as string);
  if (!spec) {
    let args = "";
    for (let i = 1; i < argv.length && args.length < 128; i++)
      args += `'${cString(argv[i] as string).slice(0, 128 - args.length)}' `;
    return `ERR unknown command '${cString(argv[0] as string).slice(0, 128)}', with args beginning with: ${args}`;
  }
  const name = spec.name;
  if (spec.subcommands && argv.length >= 2) {
    const sub = spec.subcommands.find((s) => s.name === `${name}|${(argv[1] as string).toLowerCase()}`);
    if (!sub)
      return `ERR unknown subcommand '${cString(argv[1] as string).slice(0, 128)}'. Try ${name.toUpperCase()} HELP.`;
    spec = sub;
  }
  if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) {
    const what = spec.name.includes("|") ? spec.name : name;
    return `ERR wrong number of arguments for '${what}' command`;
  }
  return spec;
}

/** An argument as Redis's "%s" prints it in an error: up to its first NUL byte. */
function cString(text: string): string {
  const nul = text.indexOf("\0");
  return nul < 0 ? text : text.slice(0, nul);
}

/**
 * Resolves a command and its subcommand, and checks what Redis checks before running one (unknown
 * command, arity, authentication, MULTI queueing, the pub/sub context). Returns the spec to run or
 * replies with the error itself.
 */
export function resolve(state: ServerState, client: Client, argv: string[]): CommandSpec | undefined {
  const spec = lookupCommand(state.commands, argv);
  if (typeof spec === "string") return reject(state, client, argv, spec);
  const name = (argv[0] as string).toLowerCase();
  if (!client.authenticated && !NO_AUTH.has(name))
    return reject(state, client, argv, "NOAUTH Authentication required.");
  if (client.reply.resp === 2 && client.subscriptionCount > 0 && !PUBSUB_CONTEXT.has(name)) {
    return reject(
      state,
      client,
      argv,
      `ERR Can't execute '${spec.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
  }
  const aofError = state.aof?.writeError;
  if (aofError !== undefined && isWrite(spec)) {
    return reject(state, client, argv, `MISCONF Errors writing to the AOF file: ${aofError}`);
  }
  // A MONITOR client is a replica to Redis, and replicas may not touch the keyspace.
  if (state.monitors.size > 0 && state.monitors.has(client) && touchesKeyspace(spec)) {
    return reject(state, client, argv, "ERR Replica can't interact with the keyspace");
  }
  return spec;
}

/** processCommand's rejectCommand: a refused EXEC also ends the transaction (execCommandAbort). */
function reject(state: ServerState, client: Client, argv: string[], message: string): undefined {
  const name = argv[0] as string;
  if (name.length !== 4 || name.toLowerCase() !== "exec") return refuse(client, message);
  client.multi = undefined;
  state.watches.unwatchAll(client);
  const reason = message.startsWith("ERR ") ? message.slice(4) : message;
  client.reply.error(`EXECABORT Transaction discarded because of: ${reason}`);
  const exec = state.commands.get("exec");
  if (state.monitors.size > 0 && exec) feedMonitors(state, client, exec, argv);
  return undefined;
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
    client.lastCommand = spec.name; // CLIENT LIST's cmd= shows a queued command too
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
  const dbIndex = client.dbIndex;
  const db = state.keyspace.db(dbIndex);
  const ctx: CommandContext = { client, server: state, db, reply: client.reply, inExec, propagate };
  const stat = commandStat(state, spec.name);
  // Two clock reads per command are a few % of a GET: after its first 8 calls, one call in 8 is timed.
  const timed = stat.calls < 8 || (stat.calls & 7) === 0;
  const started = timed ? performance.now() : 0;
  const propagation = state.propagation.active ? state.propagation : undefined;
  propagation?.enter(spec, dbIndex, argv);
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
  if (propagation) {
    propagation.leave(spec, dbIndex, argv);
    if (client.blocked) propagation.whenServed(client.blocked, spec, dbIndex, argv);
  }
  // Like Redis's call(): fed after the command ran (SELECT shows the new db), admin commands never.
  if (state.monitors.size > 0 && !spec.flags.includes("skip_monitor") && !spec.flags.includes("admin")) {
    feedMonitors(state, client, spec, argv);
  }
  client.lastCommand = spec.name;
  state.stats.commandsProcessed++;
  stat.calls++;
  if (timed) stat.usec += (performance.now() - started) * (stat.calls <= 8 ? 1000 : 8000);
  if (failed) stat.failed++;
}

function commandStat(state: ServerState, name: string): { calls: number; usec: number; failed: number } {
  let stat = state.stats.commands.get(name);
  if (!stat) {
    stat = { calls: 0, usec: 0, failed: 0 };
    state.stats.commands.set(name, stat);
  }
  return stat;
}

const touchesKeyspace = (spec: CommandSpec) =>
  spec.flags.includes("write") || spec.flags.includes("readonly") || spec.flags.includes("may_replicate");

/** replicationFeedMonitors: "<secs>.<micros> [<db> <addr>] "arg" …" to every monitor, itself included. */
function feedMonitors(state: ServerState, client: Client, spec: CommandSpec, argv: string[]): void {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const time = `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
  const unixPath = state.listening.unixSocketPath;
  const source = unixPath && client.address === `${unixPath}:0` ? `unix:${unixPath}` : client.address;
  const redacted = redactedArguments(spec.name, argv);
  const args = argv.map((a, i) => (redacted.has(i) ? '"(redacted)"' : `"${escapeForMonitor(a)}"`)).join(" ");
  const line = `${time} [${client.dbIndex} ${source}] ${args}`;
  for (const monitor of state.monitors) {
    monitor.reply.simple(line);
    if (monitor !== client) state.deliver(monitor);
  }
}

/** The arguments Redis hides from monitors: AUTH's credentials and HELLO's AUTH pair. */
function redactedArguments(name: string, argv: string[]): Set<number> {
  const hidden = new Set<number>();
  if (name === "auth" && argv.length <= 3) for (let i = 1; i < argv.length; i++) hidden.add(i);
  if (name === "hello" && (argv.length < 2 || argv[1] === "2" || argv[1] === "3")) {
    for (let i = 2; i < argv.length; i++) {
      const option = (argv[i] as string).toLowerCase();
      if (option === "auth" && i + 2 < argv.length) {
        hidden.add(i + 1).add(i + 2);
        i += 2;
      } else if (option === "setname" && i + 1 < argv.length) i++;
      else break;
    }
  }
  return hidden;
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
