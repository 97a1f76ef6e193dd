import { err, syntaxError } from "../errors.js";
import { globMatch } from "../glob.js";
import { CONFIG_PARAMS, type ConfigParam } from "./config-params.js";
import { replyHelp } from "./help.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

/**
 * CONFIG GET pattern…: a name without glob characters is looked up as typed (and echoed so); a
 * pattern matches case-insensitively. Each parameter is reported once.
 */
function configGet(ctx: CommandContext, argv: string[]): void {
  const config = ctx.server.config;
  const found = new Map<string, [shown: string, value: string]>();
  for (const pattern of argv.slice(2)) {
    if (!/[*?[]/.test(pattern)) {
      const name = pattern.toLowerCase();
      const value = config.get(name);
      if (value !== undefined && !found.has(name)) found.set(name, [pattern, value]);
      continue;
    }
    for (const [name, value] of config) {
      if (!found.has(name) && globMatch(pattern, name, true)) found.set(name, [name, value]);
    }
  }
  ctx.reply.map(found.size);
  for (const [shown, value] of found.values()) {
    ctx.reply.bulk(shown);
    ctx.reply.bulk(value);
  }
}

/** The first parameter CONFIG SET refuses before trying any value: unknown, immutable or repeated. */
function refusedName(argv: string[]): Error | undefined {
  const seen = new Set<string>();
  for (let i = 2; i < argv.length; i += 2) {
    const typed = argv[i] as string;
    const name = typed.toLowerCase();
    const param = CONFIG_PARAMS[name];
    if (!param) return err(`Unknown option or number of arguments for CONFIG SET - '${typed}'`);
    const problem = param.immutable
      ? "can't set immutable config"
      : seen.has(name)
        ? "duplicate parameter"
        : "";
    if (problem) return err(`CONFIG SET failed (possibly related to argument '${typed}') - ${problem}`);
    seen.add(name);
  }
  return undefined;
}

/** CONFIG SET name value …: all values are checked before any is set, as Redis 7 does. */
function configSet(ctx: CommandContext, argv: string[]): void {
  if (argv.length % 2 === 1) throw syntaxError();
  const refused = refusedName(argv);
  if (refused) throw refused;
  const { server } = ctx;
  const changes: [name: string, param: ConfigParam, value: string][] = [];
  for (let i = 2; i < argv.length; i += 2) {
    const name = (argv[i] as string).toLowerCase();
    const param = CONFIG_PARAMS[name] as ConfigParam;
    const parsed = param.parse ? param.parse(argv[i + 1] as string) : (argv[i + 1] as string);
    const fail = (reason: string) =>
      err(`CONFIG SET failed (possibly related to argument '${name}') - ${reason}`);
    if (typeof parsed !== "string") throw fail(parsed.error);
    if (param.supports && !param.supports(parsed, server)) throw fail("not supported by this server");
    changes.push([name, param, parsed]);
  }
  for (const [name, param, value] of changes) {
    server.config.set(name, value);
    param.apply?.(value, server);
  }
  ctx.reply.ok();
}

/** CONFIG RESETSTAT: the counters INFO stats and commandstats report. */
function resetStats(ctx: CommandContext): void {
  const { stats, keyspace } = ctx.server;
  stats.connectionsReceived = 0;
  stats.commandsProcessed = 0;
  stats.rejectedConnections = 0;
  stats.keyspaceHits = 0;
  stats.keyspaceMisses = 0;
  stats.netInputBytes = 0;
  stats.commands.clear();
  keyspace.expiredKeys = 0;
  ctx.reply.ok();
}

const HELP = [
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
];

const group = "server";
const flags = ["admin", "noscript", "loading", "stale"] as const;

export const configCommands: CommandSpec[] = [
  command({
    name: "config",
    arity: -2,
    flags: [],
    group,
    since: "2.0.0",
    summary: "A container for server configuration commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      command({
        name: "config|get",
        arity: -3,
        flags,
        group,
        since: "2.0.0",
        summary: "Get the values of configuration parameters",
        complexity: "O(N) when N is the number of configuration parameters provided",
        handler: configGet,
      }),
      command({
        name: "config|help",
        arity: 2,
        flags: ["loading", "stale"],
        group,
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: (ctx, argv) => replyHelp(ctx.reply, argv[0] as string, HELP),
      }),
      command({
        name: "config|resetstat",
        arity: 2,
        flags,
        group,
        since: "2.0.0",
        summary: "Reset the stats returned by INFO",
        complexity: "O(1)",
        handler: resetStats,
      }),
      command({
        name: "config|rewrite",
        arity: 2,
        flags,
        group,
        since: "2.8.0",
        summary: "Rewrite the configuration file with the in memory configuration",
        complexity: "O(1)",
        // The embedded server's configuration lives in HeroAgent's config, not a redis.conf.
        handler: () => {
          throw err("The server is running without a config file");
        },
      }),
      command({
        name: "config|set",
        arity: -4,
        flags,
        group,
        since: "2.0.0",
        summary: "Set configuration parameters to the given values",
        complexity: "O(N) when N is the number of configuration parameters provided",
        handler: configSet,
      }),
    ],
  }),
];
