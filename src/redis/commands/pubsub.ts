import type { Client } from "../client.js";
import { globMatch } from "../glob.js";
import type { Reply } from "../resp/reply.js";
import { replyHelp, subcommandSyntaxError } from "./help.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

const group = "pubsub";

/**
 * A subscription change as Redis confirms it: [kind, channel or nil, subscriptions left], a push in
 * RESP3 and a plain array in RESP2.
 */
function confirm(reply: Reply, kind: string, name: string | null, count: number): void {
  reply.push(3);
  reply.bulk(kind);
  reply.bulk(name);
  reply.int(count);
}

function subscribe(ctx: CommandContext, argv: string[]): void {
  const { client, server } = ctx;
  for (let i = 1; i < argv.length; i++) {
    server.pubsub.subscribe(client, argv[i] as string);
    confirm(ctx.reply, "subscribe", argv[i] as string, client.subscriptionCount);
  }
}

function psubscribe(ctx: CommandContext, argv: string[]): void {
  const { client, server } = ctx;
  for (let i = 1; i < argv.length; i++) {
    server.pubsub.psubscribe(client, argv[i] as string);
    confirm(ctx.reply, "psubscribe", argv[i] as string, client.subscriptionCount);
  }
}

/**
 * UNSUBSCRIBE / PUNSUBSCRIBE: the names given, or every current one; with none at all Redis still
 * confirms once, with a nil name.
 */
function unsubscribeFrom(ctx: CommandContext, argv: string[], patterns: boolean): void {
  const { client, server } = ctx;
  const kind = patterns ? "punsubscribe" : "unsubscribe";
  const remove = (name: string) =>
    patterns ? server.pubsub.punsubscribe(client, name) : server.pubsub.unsubscribe(client, name);
  const names = argv.length > 1 ? argv.slice(1) : [...(patterns ? client.patterns : client.channels)];
  if (names.length === 0) {
    confirm(ctx.reply, kind, null, client.subscriptionCount);
    return;
  }
  for (const name of names) {
    remove(name);
    confirm(ctx.reply, kind, name, client.subscriptionCount);
  }
}

/** PUBSUB CHANNELS [pattern]: active channels (those with a subscriber). */
function channels(ctx: CommandContext, argv: string[], from: Map<string, Set<Client>>): void {
  if (argv.length > 3) throw subcommandSyntaxError(argv);
  const pattern = argv[2];
  const names: string[] = [];
  for (const channel of from.keys()) {
    if (pattern === undefined || globMatch(pattern, channel)) names.push(channel);
  }
  ctx.reply.bulks(names);
}

/** PUBSUB NUMSUB channel…: a flat array of channel, subscriber count (no pattern subscribers). */
function numsub(ctx: CommandContext, argv: string[], from: Map<string, Set<Client>>): void {
  ctx.reply.array((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    ctx.reply.bulk(argv[i] as string);
    ctx.reply.int(from.get(argv[i] as string)?.size ?? 0);
  }
}

/** Shard channels: SSUBSCRIBE is not offered, so there never are any. */
const NO_SHARD_CHANNELS = new Map<string, Set<Client>>();

const HELP = [
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
];

const subscribeFlags = ["pubsub", "noscript", "loading", "stale"] as const;
const introspectionFlags = ["pubsub", "loading", "stale"] as const;

export const pubsubCommands: CommandSpec[] = [
  command({
    name: "subscribe",
    arity: -2,
    flags: subscribeFlags,
    group,
    since: "2.0.0",
    summary: "Listen for messages published to the given channels",
    complexity: "O(N) where N is the number of channels to subscribe to.",
    handler: subscribe,
  }),
  command({
    name: "unsubscribe",
    arity: -1,
    flags: subscribeFlags,
    group,
    since: "2.0.0",
    summary: "Stop listening for messages posted to the given channels",
    complexity: "O(N) where N is the number of clients already subscribed to a channel.",
    handler: (ctx, argv) => unsubscribeFrom(ctx, argv, false),
  }),
  command({
    name: "psubscribe",
    arity: -2,
    flags: subscribeFlags,
    group,
    since: "2.0.0",
    summary: "Listen for messages published to channels matching the given patterns",
    complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
    handler: psubscribe,
  }),
  command({
    name: "punsubscribe",
    arity: -1,
    flags: subscribeFlags,
    group,
    since: "2.0.0",
    summary: "Stop listening for messages posted to channels matching the given patterns",
    complexity:
      "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
    handler: (ctx, argv) => unsubscribeFrom(ctx, argv, true),
  }),
  command({
    name: "publish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast"],
    group,
    since: "2.0.0",
    summary: "Post a message to a channel",
    complexity:
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
    handler: (ctx, argv) => ctx.reply.int(ctx.server.pubsub.publish(argv[1] as string, argv[2] as string)),
  }),
  command({
    name: "pubsub",
    arity: -2,
    flags: [],
    group,
    since: "2.8.0",
    summary: "A container for Pub/Sub commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      command({
        name: "pubsub|channels",
        arity: -2,
        flags: introspectionFlags,
        group,
        since: "2.8.0",
        summary: "List active channels",
        complexity:
          "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
        handler: (ctx, argv) => channels(ctx, argv, ctx.server.pubsub.channels),
      }),
      command({
        name: "pubsub|help",
        arity: 2,
        flags: ["loading", "stale"],
        group,
        since: "6.2.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: (ctx, argv) => replyHelp(ctx.reply, argv[0] as string, HELP),
      }),
      command({
        name: "pubsub|numpat",
        arity: 2,
        flags: introspectionFlags,
        group,
        since: "2.8.0",
        summary: "Get the count of unique patterns pattern subscriptions",
        complexity: "O(1)",
        handler: (ctx) => ctx.reply.int(ctx.server.pubsub.patterns.size),
      }),
      command({
        name: "pubsub|numsub",
        arity: -2,
        flags: introspectionFlags,
        group,
        since: "2.8.0",
        summary: "Get the count of subscribers for channels",
        complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
        handler: (ctx, argv) => numsub(ctx, argv, ctx.server.pubsub.channels),
      }),
      command({
        name: "pubsub|shardchannels",
        arity: -2,
        flags: introspectionFlags,
        group,
        since: "7.0.0",
        summary: "List active shard channels",
        complexity:
          "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
        handler: (ctx, argv) => channels(ctx, argv, NO_SHARD_CHANNELS),
      }),
      command({
        name: "pubsub|shardnumsub",
        arity: -2,
        flags: introspectionFlags,
        group,
        since: "7.0.0",
        summary: "Get the count of subscribers for shard channels",
        complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
        handler: (ctx, argv) => numsub(ctx, argv, NO_SHARD_CHANNELS),
      }),
    ],
  }),
];
