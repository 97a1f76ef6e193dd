import { err, syntaxError } from "../errors.js";
import { globMatch } from "../glob.js";
import type { Reply } from "../resp/reply.js";
import { findKeys, hasKeys } from "./command-keys.js";
import {
  aclCategories,
  commandMeta,
  findCommand,
  infoFlags,
  keySpecs,
  type MetaValue,
  writeMeta,
} from "./command-meta.js";
import { replyHelp } from "./help.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

/** COMMAND INFO's entry in Redis 7.0 form: name, arity, flags, first/last/step, ACL categories,
 * tips, key specs, subcommands. */
function writeInfo(reply: Reply, spec: CommandSpec): void {
  reply.array(10);
  reply.bulk(spec.name);
  reply.int(spec.arity);
  const flags = infoFlags(spec);
  reply.set(flags.length);
  for (const flag of flags) reply.simple(flag);
  reply.int(spec.keys[0]);
  reply.int(spec.keys[1]);
  reply.int(spec.keys[2]);
  const categories = aclCategories(spec);
  reply.set(categories.length);
  for (const category of categories) reply.simple(category);
  const tips = commandMeta(spec.name)?.tips ?? [];
  reply.set(tips.length);
  for (const tip of tips) reply.bulk(tip);
  const specs = keySpecs(spec);
  reply.set(specs.length);
  for (const keySpec of specs) writeMeta(reply, keySpec as unknown as MetaValue);
  if (!spec.subcommands) {
    reply.set(0);
    return;
  }
  reply.array(spec.subcommands.length);
  for (const sub of spec.subcommands) writeInfo(reply, sub);
}

/** COMMAND DOCS's map for one command: Redis 7.0.15's documentation, or what our spec says. */
function writeDocs(reply: Reply, spec: CommandSpec): void {
  const docs = commandMeta(spec.name)?.docs ?? {
    summary: spec.summary,
    since: spec.since,
    group: spec.group,
    ...(spec.complexity ? { complexity: spec.complexity } : {}),
  };
  const entries = Object.entries(docs);
  reply.map(entries.length + (spec.subcommands ? 1 : 0));
  for (const [name, value] of entries) {
    reply.bulk(name);
    writeMeta(reply, value, name);
  }
  if (!spec.subcommands) return;
  reply.bulk("subcommands");
  reply.map(spec.subcommands.length);
  for (const sub of spec.subcommands) {
    reply.bulk(sub.name);
    writeDocs(reply, sub);
  }
}

function commandInfo(ctx: CommandContext, argv: string[]): void {
  const { reply, server } = ctx;
  if (argv.length <= 2) {
    reply.array(server.commands.size);
    for (const spec of server.commands.all()) writeInfo(reply, spec);
    return;
  }
  reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const spec = findCommand(server.commands, argv[i] as string);
    if (spec) writeInfo(reply, spec);
    else reply.nil();
  }
}

function commandDocs(ctx: CommandContext, argv: string[]): void {
  const { reply, server } = ctx;
  const specs: CommandSpec[] = [];
  if (argv.length === 2) specs.push(...server.commands.all());
  for (let i = 2; i < argv.length; i++) {
    const spec = findCommand(server.commands, argv[i] as string);
    if (spec) specs.push(spec);
  }
  reply.map(specs.length);
  for (const spec of specs) {
    reply.bulk(spec.name);
    writeDocs(reply, spec);
  }
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]. */
function commandList(ctx: CommandContext, argv: string[]): void {
  let accept: (spec: CommandSpec) => boolean = () => true;
  for (let i = 2; i < argv.length; i += 3) {
    if ((argv[i] as string).toLowerCase() !== "filterby" || argv.length - 1 - i !== 2) throw syntaxError();
    const type = (argv[i + 1] as string).toLowerCase();
    const arg = argv[i + 2] as string;
    if (type === "module")
      accept = () => false; // no modules here
    else if (type === "aclcat") {
      const category = `@${arg.toLowerCase()}`;
      accept = (spec) => aclCategories(spec).includes(category);
    } else if (type === "pattern") accept = (spec) => globMatch(arg, spec.name, true);
    else throw syntaxError();
  }
  const names: string[] = [];
  for (const spec of ctx.server.commands.all()) {
    if (accept(spec)) names.push(spec.name);
    for (const sub of spec.subcommands ?? []) if (accept(sub)) names.push(sub.name);
  }
  ctx.reply.bulks(names);
}

/** The command COMMAND GETKEYS is asked about: a container resolves to its subcommand. */
function targetOf(ctx: CommandContext, target: string[]): CommandSpec {
  const base = ctx.server.commands.get((target[0] as string).toLowerCase());
  const spec =
    base?.subcommands && target.length > 1
      ? base.subcommands.find((sub) => sub.name === `${base.name}|${(target[1] as string).toLowerCase()}`)
      : base;
  if (!spec) throw err("Invalid command specified");
  if (!hasKeys(spec)) throw err("The command has no key arguments");
  if ((spec.arity > 0 && spec.arity !== target.length) || target.length < -spec.arity) {
    throw err("Invalid number of arguments specified for command");
  }
  return spec;
}

function getKeys(ctx: CommandContext, argv: string[], withFlags: boolean): void {
  const target = argv.slice(2);
  const spec = targetOf(ctx, target);
  const keys = findKeys(spec, target) ?? [];
  if (keys.length === 0 && !infoFlags(spec).includes("no_mandatory_keys")) {
    throw err("Invalid arguments specified for command");
  }
  const reply = ctx.reply;
  reply.array(keys.length);
  for (const { index, flags } of keys) {
    if (!withFlags) {
      reply.bulk(target[index]);
      continue;
    }
    reply.array(2);
    reply.bulk(target[index]);
    reply.set(flags.length);
    for (const flag of flags) reply.simple(flag);
  }
}

const HELP = [
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
];

const group = "server";
const flags = ["loading", "stale"] as const;

export const commandDocsCommands: CommandSpec[] = [
  command({
    name: "command",
    arity: -1,
    flags,
    group,
    since: "2.8.13",
    summary: "Get array of Redis command details",
    complexity: "O(N) where N is the total number of Redis commands",
    handler: (ctx) => commandInfo(ctx, []),
    subcommands: [
      command({
        name: "command|count",
        arity: 2,
        flags,
        group,
        since: "2.8.13",
        summary: "Get total number of Redis commands",
        complexity: "O(1)",
        handler: (ctx) => ctx.reply.int(ctx.server.commands.size),
      }),
      command({
        name: "command|docs",
        arity: -2,
        flags,
        group,
        since: "7.0.0",
        summary: "Get array of specific Redis command documentation",
        complexity: "O(N) where N is the number of commands to look up",
        handler: commandDocs,
      }),
      command({
        name: "command|getkeys",
        arity: -4,
        flags,
        group,
        since: "2.8.13",
        summary: "Extract keys given a full Redis command",
        complexity: "O(N) where N is the number of arguments to the command",
        handler: (ctx, argv) => getKeys(ctx, argv, false),
      }),
      command({
        name: "command|getkeysandflags",
        arity: -4,
        flags,
        group,
        since: "7.0.0",
        summary: "Extract keys and access flags given a full Redis command",
        complexity: "O(N) where N is the number of arguments to the command",
        handler: (ctx, argv) => getKeys(ctx, argv, true),
      }),
      command({
        name: "command|help",
        arity: 2,
        flags,
        group,
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: (ctx, argv) => replyHelp(ctx.reply, argv[0] as string, HELP),
      }),
      command({
        name: "command|info",
        arity: -2,
        flags,
        group,
        since: "2.8.13",
        summary: "Get array of specific Redis command details, or all when no argument is given.",
        complexity: "O(N) where N is the number of commands to look up",
        handler: commandInfo,
      }),
      command({
        name: "command|list",
        arity: -2,
        flags,
        group,
        since: "7.0.0",
        summary: "Get an array of Redis command names",
        complexity: "O(N) where N is the total number of Redis commands",
        handler: commandList,
      }),
    ],
  }),
];
