/** XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP) and XACK. */
import { err, notInteger, RedisError } from "../errors.js";
import { parseInt64 } from "../resp/numbers.js";
import { Stream } from "../types/stream.js";
import { ConsumerGroup, ENTRIES_READ_UNKNOWN } from "../types/stream-group.js";
import { cString, MIN_ID, type StreamId } from "../types/stream-id.js";
import { replyHelp, subcommandSyntaxError } from "./help.js";
import { type CommandContext, type CommandFlag, type CommandSpec, command } from "./spec.js";
import {
  findGroup,
  getStream,
  group,
  idArg,
  noGroupNamed,
  ONE_KEY,
  streamChanged,
} from "./streams-shared.js";

/** XGROUP's arguments after the group name, and the key and group they apply to. */
interface GroupArgs {
  sub: string;
  key: string;
  groupName: string;
  mkStream: boolean;
  entriesRead: bigint;
  stream: Stream | undefined;
  group: ConsumerGroup | undefined;
}

/** Options, then the key and group checks, in the order Redis's xgroupCommand makes them. */
function groupArgs(ctx: CommandContext, argv: readonly string[]): GroupArgs {
  const sub = (argv[1] as string).toLowerCase();
  const [key, groupName] = [argv[2] as string, argv[3] as string];
  let mkStream = false;
  let entriesRead = ENTRIES_READ_UNKNOWN;
  for (let i = 5; i < argv.length; ) {
    const option = (argv[i] as string).toLowerCase();
    if (sub === "create" && option === "mkstream") {
      mkStream = true;
      i++;
    } else if ((sub === "create" || sub === "setid") && option === "entriesread" && i + 1 < argv.length) {
      entriesRead = entriesReadArg(argv[i + 1] as string);
      i += 2;
    } else throw subcommandSyntaxError(argv);
  }
  const stream = getStream(ctx, key);
  const found = findGroup(stream, groupName);
  if (!mkStream) {
    if (stream === undefined) {
      throw err(
        "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
      );
    }
    if (found === undefined && sub !== "create" && sub !== "destroy") throw noGroupNamed(key, groupName);
  }
  return { sub, key, groupName, mkStream, entriesRead, stream, group: found };
}

function entriesReadArg(text: string): bigint {
  const value = parseInt64(text);
  if (value === undefined) throw notInteger();
  if (value < 0n && value !== ENTRIES_READ_UNKNOWN) throw err("value for ENTRIESREAD must be positive or -1");
  return value;
}

function create(ctx: CommandContext, argv: string[]): void {
  const args = groupArgs(ctx, argv);
  if (argv.length > 8) throw subcommandSyntaxError(argv);
  const id: StreamId =
    cString(argv[4] as string) === "$" ? (args.stream?.lastId ?? MIN_ID) : idArg(argv[4] as string);
  let stream = args.stream;
  if (stream === undefined) {
    stream = ctx.db.create(args.key, new Stream());
    streamChanged(ctx, args.key);
  }
  stream.groups ??= new Map();
  if (stream.groups.has(args.groupName)) throw new RedisError("BUSYGROUP Consumer Group name already exists");
  stream.groups.set(args.groupName, new ConsumerGroup(id, args.entriesRead));
  ctx.propagate(argv);
  ctx.reply.ok();
}

function setId(ctx: CommandContext, argv: string[]): void {
  const args = groupArgs(ctx, argv);
  if (argv.length !== 5 && argv.length !== 7) throw subcommandSyntaxError(argv);
  const stream = args.stream as Stream;
  const target = args.group as ConsumerGroup;
  target.lastId = cString(argv[4] as string) === "$" ? stream.lastId : idArg(argv[4] as string, 0n, false);
  target.entriesRead = args.entriesRead;
  ctx.propagate(argv);
  ctx.reply.ok();
}

function destroy(ctx: CommandContext, argv: string[]): void {
  const { stream, group: target, key, groupName } = groupArgs(ctx, argv);
  if (target === undefined) return ctx.reply.int(0);
  stream?.groups?.delete(groupName);
  ctx.propagate(argv);
  ctx.reply.int(1);
  ctx.db.ready(key); // blocked XREADGROUP clients of the group get an error
}

function createConsumer(ctx: CommandContext, argv: string[]): void {
  const target = groupArgs(ctx, argv).group as ConsumerGroup;
  const name = argv[4] as string;
  if (target.consumers.has(name)) return ctx.reply.int(0);
  target.consumer(name, Date.now());
  ctx.propagate(argv);
  ctx.reply.int(1);
}

function deleteConsumer(ctx: CommandContext, argv: string[]): void {
  const target = groupArgs(ctx, argv).group as ConsumerGroup;
  const pending = target.deleteConsumer(argv[4] as string);
  if (pending >= 0) ctx.propagate(argv);
  ctx.reply.int(Math.max(pending, 0));
}

function xack(ctx: CommandContext, argv: string[]): void {
  const target = findGroup(getStream(ctx, argv[1] as string), argv[2] as string);
  if (target === undefined) return ctx.reply.int(0);
  const ids = argv.slice(3).map((arg) => idArg(arg));
  let acknowledged = 0;
  for (const id of ids) if (target.acknowledge(id)) acknowledged++;
  if (acknowledged > 0) ctx.propagate(argv);
  ctx.reply.int(acknowledged);
}

const XGROUP_HELP = [
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
];

function xgroupSub(
  name: string,
  arity: number,
  flags: CommandFlag[],
  since: string,
  summary: string,
  complexity: string,
  handler: (ctx: CommandContext, argv: string[]) => void,
): CommandSpec {
  return command({
    name: `xgroup|${name}`,
    arity,
    flags,
    keys: [2, 2, 1],
    group,
    since,
    summary,
    complexity,
    handler,
  });
}

export const streamGroupCommands: CommandSpec[] = [
  command({
    name: "xgroup",
    arity: -2,
    flags: [],
    group,
    since: "5.0.0",
    summary: "A container for consumer groups commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      xgroupSub(
        "setid",
        -5,
        ["write"],
        "5.0.0",
        "Set a consumer group to an arbitrary last delivered ID value.",
        "O(1)",
        setId,
      ),
      xgroupSub("create", -5, ["write", "denyoom"], "5.0.0", "Create a consumer group.", "O(1)", create),
      xgroupSub(
        "delconsumer",
        5,
        ["write"],
        "5.0.0",
        "Delete a consumer from a consumer group.",
        "O(1)",
        deleteConsumer,
      ),
      xgroupSub(
        "createconsumer",
        5,
        ["write", "denyoom"],
        "6.2.0",
        "Create a consumer in a consumer group.",
        "O(1)",
        createConsumer,
      ),
      xgroupSub(
        "destroy",
        4,
        ["write"],
        "5.0.0",
        "Destroy a consumer group.",
        "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        destroy,
      ),
      command({
        name: "xgroup|help",
        arity: 2,
        flags: ["loading", "stale"],
        group,
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: (ctx) => replyHelp(ctx.reply, "xgroup", XGROUP_HELP),
      }),
    ],
  }),
  command({
    name: "xack",
    arity: -4,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary:
      "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
    complexity: "O(1) for each message ID processed.",
    handler: xack,
  }),
];
