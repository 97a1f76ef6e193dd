import { timingSafeEqual } from "node:crypto";
import type { Client } from "../client.js";
import { err, RedisError } from "../errors.js";
import { parseInteger } from "../resp/numbers.js";
import type { ServerState } from "../server-state.js";
import { dbIndexArg, is } from "./args.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

export const REDIS_VERSION = "7.0.15";

const group = "connection";

/** Constant-time password check against requirepass; the only user is "default". */
function checkPassword(state: ServerState, user: string, password: string): boolean {
  const expected = state.options.password;
  if (expected === undefined || user !== "default") return false;
  const a = Buffer.from(password, "latin1");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

const wrongPass = () => new RedisError("WRONGPASS invalid username-password pair or user is disabled.");

function auth(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) throw err("syntax error");
  const [user, password] =
    argv.length === 3 ? [argv[1] as string, argv[2] as string] : ["default", argv[1] as string];
  if (ctx.server.options.password === undefined && argv.length === 2) {
    throw err(
      "AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    );
  }
  if (
    !checkPassword(ctx.server, user, password) &&
    !(ctx.server.options.password === undefined && user === "default")
  ) {
    throw wrongPass();
  }
  ctx.client.setAuthenticated(true);
  ctx.reply.ok();
}

function hello(ctx: CommandContext, argv: string[]): void {
  const { client, server, reply } = ctx;
  let protocol: 2 | 3 | undefined;
  if (argv.length >= 2) {
    const version = parseInteger(argv[1] as string);
    if (version === undefined) throw err("Protocol version is not an integer or out of range");
    if (version !== 2 && version !== 3) throw new RedisError("NOPROTO unsupported protocol version");
    protocol = version;
  }
  let name: string | undefined;
  let credentials: [string, string] | undefined;
  for (let i = 2; i < argv.length; i++) {
    if (is(argv[i], "auth") && i + 2 < argv.length) {
      credentials = [argv[i + 1] as string, argv[i + 2] as string];
      i += 2;
    } else if (is(argv[i], "setname") && i + 1 < argv.length) {
      name = argv[++i] as string;
    } else throw err(`Syntax error in HELLO option '${argv[i]}'`);
  }
  if (credentials) {
    const [user, password] = credentials;
    const open = server.options.password === undefined && user === "default";
    if (!open && !checkPassword(server, user, password)) throw wrongPass();
    client.setAuthenticated(true);
  }
  if (!client.authenticated) {
    throw new RedisError(
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    );
  }
  if (name !== undefined) setClientName(client, name);
  if (protocol) reply.resp = protocol;
  reply.map(7);
  reply.bulk("server");
  reply.bulk("redis");
  reply.bulk("version");
  reply.bulk(REDIS_VERSION);
  reply.bulk("proto");
  reply.int(reply.resp);
  reply.bulk("id");
  reply.int(client.id);
  reply.bulk("mode");
  reply.bulk("standalone");
  reply.bulk("role");
  reply.bulk("master");
  reply.bulk("modules");
  reply.array(0);
}

/** CLIENT SETNAME's rule: no spaces, newlines or other special characters. */
export function setClientName(client: Client, name: string): void {
  if (/[^\x21-\x7e]/.test(name)) {
    throw err("Client names cannot contain spaces, newlines or special characters.");
  }
  client.name = name;
}

function ping(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 2) throw err("wrong number of arguments for 'ping' command");
  const message = argv[1];
  if (ctx.reply.resp === 2 && ctx.client.subscriptionCount > 0) {
    ctx.reply.array(2);
    ctx.reply.bulk("pong");
    ctx.reply.bulk(message ?? "");
  } else if (message === undefined) ctx.reply.simple("PONG");
  else ctx.reply.bulk(message);
}

function reset(ctx: CommandContext): void {
  const { client, server } = ctx;
  client.multi = undefined;
  server.watches.unwatchAll(client);
  server.pubsub.forget(client);
  server.monitors.delete(client);
  client.dbIndex = 0;
  client.reply.resp = 2;
  client.setAuthenticated(server.options.password === undefined);
  ctx.reply.simple("RESET");
}

export const connectionCommands: CommandSpec[] = [
  command({
    name: "ping",
    arity: -1,
    flags: ["fast"],
    group,
    since: "1.0.0",
    summary: "Returns the server's liveliness response.",
    handler: ping,
  }),
  command({
    name: "echo",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    group,
    since: "1.0.0",
    summary: "Returns the given string.",
    handler: (ctx, argv) => ctx.reply.bulk(argv[1]),
  }),
  command({
    name: "quit",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group,
    since: "1.0.0",
    summary: "Closes the connection.",
    handler: (ctx) => {
      ctx.reply.ok();
      ctx.client.closing = true;
    },
  }),
  command({
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    group,
    since: "1.0.0",
    summary: "Changes the selected database.",
    handler: (ctx, argv) => {
      ctx.client.dbIndex = dbIndexArg(argv[1] as string, ctx.server.options.databases);
      ctx.reply.ok();
    },
  }),
  command({
    name: "swapdb",
    arity: 3,
    flags: ["write", "fast"],
    group: "server",
    since: "4.0.0",
    summary: "Swaps two Redis databases.",
    handler: (ctx, argv) => {
      const databases = ctx.server.options.databases;
      const a = dbIndexArg(argv[1] as string, databases, "invalid first DB index");
      const b = dbIndexArg(argv[2] as string, databases, "invalid second DB index");
      if (a !== b) ctx.server.keyspace.swap(a, b);
      ctx.reply.ok();
    },
  }),
  command({
    name: "auth",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group,
    since: "1.0.0",
    summary: "Authenticates the connection.",
    handler: auth,
  }),
  command({
    name: "hello",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group,
    since: "6.0.0",
    summary: "Handshakes with the Redis server.",
    handler: hello,
  }),
  command({
    name: "reset",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group,
    since: "6.2.0",
    summary: "Resets the connection.",
    handler: reset,
  }),
];
