/** XADD, XDEL, XTRIM and XSETID. */
import { err, notInteger, syntaxError, wrongArity } from "../errors.js";
import { parseInt64 } from "../resp/numbers.js";
import { Stream, type TrimOptions } from "../types/stream.js";
import {
  cString,
  formatId,
  MAX_ID,
  makeId,
  msOf,
  type ParsedId,
  parseStreamId,
  type StreamId,
  seqOf,
  UINT64_MAX,
} from "../types/stream-id.js";
import { intArg } from "./args.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";
import { getStream, group, idArg, invalidId, ONE_KEY, streamChanged } from "./streams-shared.js";

/** Default LIMIT of "~" trimming: 100 × stream-node-max-entries. */
const APPROX_TRIM_LIMIT = 10_000;

/** What XADD and XTRIM read before the entry: trimming, NOMKSTREAM, and XADD's ID. */
interface AddOrTrimArgs {
  trim: TrimOptions | undefined;
  noMkStream: boolean;
  /** undefined for "*". */
  id: ParsedId | undefined;
  /** Where the ID is (XADD); the fields follow it. */
  idIndex: number;
  /** Where the MAXLEN count or MINID ID is. */
  trimAt: number;
}

/** Redis's streamParseAddOrTrimArgsOrReply; `loading` (the AOF) accepts LIMIT without "~" and ignores it. */
function parseAddOrTrim(argv: readonly string[], xadd: boolean, loading: boolean): AddOrTrimArgs {
  let trim: TrimOptions | undefined;
  let trimAt = 0;
  let limit = 0;
  let limitGiven = false;
  let noMkStream = false;
  let id: ParsedId | undefined;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const option = cString(argv[i] as string).toLowerCase();
    if (xadd && option === "*") break;
    if ((option === "maxlen" || option === "minid") && more > 0) {
      if (trim) throw err("syntax error, MAXLEN and MINID options at the same time are not compatible");
      const marker = cString(argv[i + 1] as string);
      const approx = more >= 2 && marker === "~";
      if (more >= 2 && (marker === "~" || marker === "=")) i++;
      trim =
        option === "maxlen"
          ? { maxLen: maxLenArg(argv[i + 1] as string), approx, limit: 0 }
          : { minId: idArg(argv[i + 1] as string), approx, limit: 0 };
      trimAt = ++i;
    } else if (option === "limit" && more > 0) {
      limit = intArg(argv[++i] as string);
      if (limit < 0) throw err("The LIMIT argument must be >= 0.");
      limitGiven = true;
    } else if (xadd && option === "nomkstream") {
      noMkStream = true;
    } else if (xadd) {
      id = parseStreamId(argv[i] as string, 0n, true, true);
      if (id === undefined) throw invalidId();
      break;
    } else throw syntaxError();
  }
  if (limit !== 0 && !trim)
    throw err("syntax error, LIMIT cannot be used without specifying a trimming strategy");
  if (!xadd && !trim) throw err("syntax error, XTRIM must be called with a trimming strategy");
  if (trim && loading) trim.limit = 0;
  else if (trim) {
    if (limitGiven && !trim.approx)
      throw err("syntax error, LIMIT cannot be used without the special ~ option");
    trim.limit = limitGiven ? limit : trim.approx ? APPROX_TRIM_LIMIT : 0;
  }
  return { trim, noMkStream, id, idIndex: i, trimAt };
}

function int64Arg(text: string): bigint {
  const value = parseInt64(text);
  if (value === undefined) throw notInteger();
  return value;
}

function maxLenArg(text: string): number {
  const maxLen = intArg(text);
  if (maxLen < 0) throw err("The MAXLEN argument must be >= 0.");
  return maxLen;
}

/** The ID the new entry gets: "*" from the clock, "<ms>-*" the next sequence, or as given. */
function newEntryId(stream: Stream, given: ParsedId | undefined, now: number): StreamId {
  const last = stream.lastId;
  let id: StreamId;
  if (given === undefined) {
    const ms = BigInt(now);
    id = ms > msOf(last) ? makeId(ms, 0n) : last + 1n;
  } else if (!given.seqGiven && msOf(given.id) === msOf(last)) {
    // Redis 7.0 reports a sequence that would overflow with this (misleading) text.
    if (seqOf(last) === UINT64_MAX) throw err("Elements are too large to be stored");
    id = last + 1n;
  } else id = given.id;
  if (id <= last) throw err("The ID specified in XADD is equal or smaller than the target stream top item");
  return id;
}

function xadd(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const args = parseAddOrTrim(argv, true, ctx.server.loading);
  const fieldsAt = args.idIndex + 1;
  const fieldArgs = argv.length - fieldsAt;
  if (fieldArgs < 2 || fieldArgs % 2 === 1) throw wrongArity("xadd");
  if (args.id?.seqGiven && args.id.id === 0n) throw err("The ID specified in XADD must be greater than 0-0");
  let stream = getStream(ctx, key);
  if (stream === undefined) {
    if (args.noMkStream) return ctx.reply.nil();
    stream = ctx.db.create(key, new Stream());
  }
  if (stream.lastId === MAX_ID) {
    throw err("The stream has exhausted the last possible ID, unable to add more items");
  }
  const id = newEntryId(stream, args.id, Date.now());
  stream.append(id, argv, fieldsAt);
  ctx.reply.bulk(formatId(id));
  if (args.trim) stream.trim(args.trim);
  streamChanged(ctx, key);
  ctx.db.ready(key);
  if (!args.id?.seqGiven || args.trim?.approx) ctx.propagate(loggedXadd(argv, args, id, stream));
}

/** XADD as Redis propagates it: with the ID it generated and "~" trimming made exact. */
function loggedXadd(argv: readonly string[], args: AddOrTrimArgs, id: StreamId, stream: Stream): string[] {
  const logged = args.trim?.approx ? withExactTrim(argv, args, stream) : argv.slice();
  logged[args.idIndex] = formatId(id);
  return logged;
}

/** MAXLEN/MINID ~ x → = (what the trim left), so a replay trims the same entries. */
function withExactTrim(argv: readonly string[], args: AddOrTrimArgs, stream: Stream): string[] {
  const logged = argv.slice();
  logged[args.trimAt - 1] = "=";
  logged[args.trimAt] =
    args.trim?.maxLen !== undefined ? String(stream.length) : formatId(stream.firstIdWithTombstones());
  return logged;
}

function xtrim(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const args = parseAddOrTrim(argv, false, ctx.server.loading);
  const stream = getStream(ctx, key);
  if (stream === undefined) return ctx.reply.int(0);
  const deleted = stream.trim(args.trim as TrimOptions);
  if (deleted > 0) {
    streamChanged(ctx, key);
    if (args.trim?.approx) ctx.propagate(withExactTrim(argv, args, stream));
  }
  ctx.reply.int(deleted);
}

function xdel(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const stream = getStream(ctx, key);
  if (stream === undefined) return ctx.reply.int(0);
  const ids = argv.slice(2).map((arg) => idArg(arg));
  const deleted = stream.deleteIds(ids);
  if (deleted > 0) streamChanged(ctx, key);
  ctx.reply.int(deleted);
}

function xsetid(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const id = idArg(argv[2] as string);
  let entriesAdded = -1n;
  let maxDeleted = 0n;
  for (let i = 3; i < argv.length; i += 2) {
    const option = (argv[i] as string).toLowerCase();
    const value = argv[i + 1];
    if (value === undefined) throw syntaxError();
    if (option === "entriesadded") {
      entriesAdded = int64Arg(value);
      if (entriesAdded < 0n) throw err("entries_added must be positive");
    } else if (option === "maxdeletedid") {
      maxDeleted = idArg(value);
      if (id < maxDeleted)
        throw err("The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
    } else throw syntaxError();
  }
  const stream = getStream(ctx, key);
  if (stream === undefined) throw err("no such key");
  if (stream.length > 0) {
    if (id < stream.lastLiveId())
      throw err("The ID specified in XSETID is smaller than the target stream top item");
    if (entriesAdded !== -1n && BigInt(stream.length) > entriesAdded) {
      throw err("The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  stream.lastId = id;
  if (entriesAdded !== -1n) stream.entriesAdded = entriesAdded;
  if (maxDeleted !== 0n) stream.maxDeletedId = maxDeleted;
  ctx.propagate(argv);
  ctx.reply.ok();
}

export const streamWriteCommands: CommandSpec[] = [
  command({
    name: "xadd",
    arity: -5,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary: "Appends a new entry to a stream",
    complexity:
      "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
    handler: xadd,
  }),
  command({
    name: "xtrim",
    arity: -4,
    flags: ["write"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary: "Trims the stream to (approximately if '~' is passed) a certain size",
    complexity:
      "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
    handler: xtrim,
  }),
  command({
    name: "xdel",
    arity: -3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary:
      "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
    complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
    handler: xdel,
  }),
  command({
    name: "xsetid",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary: "An internal command for replicating stream values",
    complexity: "O(1)",
    handler: xsetid,
  }),
];
