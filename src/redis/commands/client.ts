import type { Client } from "../client.js";
import { err, notInteger, syntaxError } from "../errors.js";
import { parseInteger } from "../resp/numbers.js";
import { clientInfoLine, clientType, clientTypeByName } from "./client-info.js";
import { setClientName } from "./connection.js";
import { replyHelp, subcommandSyntaxError } from "./help.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

/** CLIENT LIST [TYPE type | ID id …]. */
function list(ctx: CommandContext, argv: string[]): void {
  const { server } = ctx;
  let clients: Client[];
  const option = argv[2]?.toLowerCase();
  if (argv.length === 4 && option === "type") {
    const type = clientTypeByName(argv[3] as string);
    if (!type) throw err(`Unknown client type '${argv[3]}'`);
    clients = [...server.clients.values()].filter((client) => clientType(client) === type);
  } else if (argv.length > 3 && option === "id") {
    clients = [];
    for (const text of argv.slice(3)) {
      const id = parseInteger(text);
      if (id === undefined) throw err("Invalid client ID");
      const client = server.clients.get(id);
      if (client) clients.push(client);
    }
  } else if (argv.length !== 2) throw syntaxError();
  else clients = [...server.clients.values()];
  const current = (client: Client) => (client === ctx.client ? "client|list" : undefined);
  ctx.reply.verbatim(
    clients.map((client) => `${clientInfoLine(server, client, current(client))}\n`).join(""),
  );
}

interface KillFilter {
  addr?: string;
  laddr?: string;
  type?: string;
  id?: number;
  user?: string;
  skipMe: boolean;
}

/** The filters of CLIENT KILL's new form (networking.c): option/value pairs. */
function killFilter(argv: string[]): KillFilter {
  const filter: KillFilter = { skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    const option = (argv[i] as string).toLowerCase();
    const value = argv[i + 1];
    if (value === undefined) throw syntaxError();
    if (option === "id") {
      const id = parseInteger(value);
      if (id === undefined || id < 1) throw err("client-id should be greater than 0");
      filter.id = id;
    } else if (option === "type") {
      filter.type = clientTypeByName(value);
      if (!filter.type) throw err(`Unknown client type '${value}'`);
    } else if (option === "addr") filter.addr = value;
    else if (option === "laddr") filter.laddr = value;
    else if (option === "user") {
      if (value !== "default") throw err(`No such user '${value}'`);
      filter.user = value;
    } else if (option === "skipme") {
      const yes = value.toLowerCase();
      if (yes !== "yes" && yes !== "no") throw syntaxError();
      filter.skipMe = yes === "yes";
    } else throw syntaxError();
  }
  return filter;
}

/** CLIENT KILL addr (old form: +OK or an error) or CLIENT KILL filters… (the number killed). */
function kill(ctx: CommandContext, argv: string[]): void {
  const oldForm = argv.length === 3;
  const filter: KillFilter = oldForm ? { addr: argv[2] as string, skipMe: false } : killFilter(argv);
  let killed = 0;
  for (const client of [...ctx.server.clients.values()]) {
    if (filter.addr !== undefined && client.address !== filter.addr) continue;
    if (filter.laddr !== undefined && client.localAddress !== filter.laddr) continue;
    if (filter.type !== undefined && clientType(client) !== filter.type) continue;
    if (filter.id !== undefined && client.id !== filter.id) continue;
    if (client === ctx.client && filter.skipMe) continue;
    if (client === ctx.client)
      client.closing = true; // after this reply
    else ctx.server.disconnect(client);
    killed++;
  }
  if (!oldForm) ctx.reply.int(killed);
  else if (killed === 0) throw err("No such client");
  else ctx.reply.ok();
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: a blocked client gets its timeout reply, or an error. */
function unblock(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 4) throw subcommandSyntaxError(argv);
  const reason = argv[3]?.toLowerCase();
  if (reason !== undefined && reason !== "timeout" && reason !== "error") {
    throw err("CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  }
  const id = parseInteger(argv[2] as string);
  if (id === undefined) throw notInteger();
  const target = ctx.server.clients.get(id);
  const blocked = target?.blocked;
  if (!target || !blocked) {
    ctx.reply.int(0);
    return;
  }
  ctx.server.blocking.unblock(target);
  if (reason === "error") target.reply.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  else blocked.timeout();
  // Its next commands run after this one, as Redis runs unblocked clients before sleeping.
  queueMicrotask(() => ctx.server.resume(target));
  ctx.reply.int(1);
}

/** CLIENT NO-EVICT / NO-TOUCH on|off. */
function onOff(argv: string[]): boolean {
  const value = (argv[2] as string).toLowerCase();
  if (value !== "on" && value !== "off") throw syntaxError();
  return value === "on";
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; node-redis sends it on connect). */
function setInfo(ctx: CommandContext, argv: string[]): void {
  const attribute = argv[2] as string;
  const value = argv[3] as string;
  const which = attribute.toLowerCase();
  if (which !== "lib-name" && which !== "lib-ver") throw err(`Unrecognized option '${attribute}'`);
  if (/[^\x21-\x7e]/.test(value)) {
    throw err(`${attribute} cannot contain spaces, newlines or special characters.`);
  }
  if (which === "lib-name") ctx.client.libName = value;
  else ctx.client.libVersion = value;
  ctx.reply.ok();
}

function trackingInfo(ctx: CommandContext): void {
  const reply = ctx.reply;
  reply.map(3);
  reply.bulk("flags");
  reply.set(1);
  reply.bulk("off");
  reply.bulk("redirect");
  reply.int(-1);
  reply.bulk("prefixes");
  reply.array(0);
}

const HELP = [
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "SETINFO <option> <value>",
  "    Set client meta attr. Options are:",
  "    * LIB-NAME: the client lib name.",
  "    * LIB-VER: the client lib version.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  "NO-TOUCH (ON|OFF)",
  "    Will not touch LRU/LFU stats when this mode is on.",
];

const group = "connection";
const flags = ["noscript", "loading", "stale"] as const;
const adminFlags = ["admin", "noscript", "loading", "stale"] as const;

/** A CLIENT subcommand with the defaults they share. */
const sub = (spec: Omit<CommandSpec, "group" | "flags" | "keys"> & { flags?: CommandSpec["flags"] }) =>
  command({ group, flags, complexity: "O(1)", ...spec });

export const clientCommands: CommandSpec[] = [
  command({
    name: "client",
    arity: -2,
    flags: [],
    group,
    since: "2.4.0",
    summary: "A container for client connection commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      sub({
        name: "client|getname",
        arity: 2,
        since: "2.6.9",
        summary: "Get the current connection name",
        handler: (ctx) => ctx.reply.bulk(ctx.client.name || null),
      }),
      sub({
        name: "client|getredir",
        arity: 2,
        since: "6.0.0",
        summary: "Get tracking notifications redirection client ID if any",
        handler: (ctx) => ctx.reply.int(-1), // tracking is never on
      }),
      sub({
        name: "client|help",
        arity: 2,
        flags: ["loading", "stale"],
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        handler: (ctx, argv) => replyHelp(ctx.reply, argv[0] as string, HELP),
      }),
      sub({
        name: "client|id",
        arity: 2,
        since: "5.0.0",
        summary: "Returns the client ID for the current connection",
        handler: (ctx) => ctx.reply.int(ctx.client.id),
      }),
      sub({
        name: "client|info",
        arity: 2,
        since: "6.2.0",
        summary: "Returns information about the current client connection.",
        handler: (ctx) => ctx.reply.verbatim(`${clientInfoLine(ctx.server, ctx.client, "client|info")}\n`),
      }),
      sub({
        name: "client|kill",
        arity: -3,
        flags: adminFlags,
        since: "2.4.0",
        summary: "Kill the connection of a client",
        complexity: "O(N) where N is the number of client connections",
        handler: kill,
      }),
      sub({
        name: "client|list",
        arity: -2,
        flags: adminFlags,
        since: "2.4.0",
        summary: "Get the list of client connections",
        complexity: "O(N) where N is the number of client connections",
        handler: list,
      }),
      sub({
        name: "client|no-evict",
        arity: 3,
        flags: adminFlags,
        since: "7.0.0",
        summary: "Set client eviction mode for the current connection",
        handler: (ctx, argv) => {
          ctx.client.noEvict = onOff(argv);
          ctx.reply.ok();
        },
      }),
      sub({
        name: "client|no-touch",
        arity: 3,
        since: "7.2.0",
        summary:
          "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.",
        handler: (ctx, argv) => {
          ctx.client.noTouch = onOff(argv);
          ctx.reply.ok();
        },
      }),
      sub({
        name: "client|setinfo",
        arity: 4,
        since: "7.2.0",
        summary: "Set client or connection specific info.",
        handler: setInfo,
      }),
      sub({
        name: "client|setname",
        arity: 3,
        since: "2.6.9",
        summary: "Set the current connection name",
        handler: (ctx, argv) => {
          setClientName(ctx.client, argv[2] as string);
          ctx.reply.ok();
        },
      }),
      sub({
        name: "client|trackinginfo",
        arity: 2,
        since: "6.2.0",
        summary: "Return information about server assisted client side caching for the current connection",
        handler: trackingInfo,
      }),
      sub({
        name: "client|unblock",
        arity: -3,
        flags: adminFlags,
        since: "5.0.0",
        summary: "Unblock a client blocked in a blocking command from a different connection",
        complexity: "O(log N) where N is the number of client connections",
        handler: unblock,
      }),
    ],
  }),
];
