import { err, notFloat, notInteger, wrongArity } from "../errors.js";
import {
  addLongDouble,
  formatLongDouble,
  type LongDouble,
  longDoubleFromInteger,
  parseLongDouble,
} from "../resp/long-double.js";
import { inInt64, parseInt64 } from "../resp/numbers.js";
import { HashValue } from "../types/hash.js";
import { matches, replyScan, scanCursorArg, scanOptions } from "./collection-scan.js";
import { hashRandomCommands } from "./hashes-random.js";
import { type CommandContext, type CommandFlag, type CommandSpec, familyCommand } from "./spec.js";

const hashAt = (ctx: CommandContext, key: string) => ctx.db.getTyped<HashValue>(key, "hash");

/** The hash at `key`, created empty when missing (hashTypeLookupWriteOrCreate). */
const hashFor = (ctx: CommandContext, key: string) => hashAt(ctx, key) ?? ctx.db.create(key, new HashValue());

/** HSET and HMSET: field/value pairs; HSET answers how many fields are new, HMSET answers OK. */
function hset(ctx: CommandContext, argv: string[]): void {
  const name = (argv[0] as string).toLowerCase();
  if (argv.length % 2 === 1) throw wrongArity(name);
  const key = argv[1] as string;
  const hash = hashFor(ctx, key);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (hash.set(argv[i] as string, argv[i + 1] as string)) created++;
  ctx.db.changed(key, hash);
  if (name === "hmset") ctx.reply.ok();
  else ctx.reply.int(created);
}

function hsetnx(ctx: CommandContext, argv: string[]): void {
  const [, key, field, value] = argv as [string, string, string, string];
  const hash = hashFor(ctx, key);
  if (hash.has(field)) return ctx.reply.int(0);
  hash.set(field, value);
  ctx.db.changed(key, hash);
  ctx.reply.int(1);
}

function hmget(ctx: CommandContext, argv: string[]): void {
  const hash = hashAt(ctx, argv[1] as string);
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.reply.bulk(hash?.get(argv[i] as string));
}

function hgetall(ctx: CommandContext, argv: string[]): void {
  const hash = hashAt(ctx, argv[1] as string);
  const reply = ctx.reply;
  reply.map(hash?.size ?? 0);
  hash?.forEach((field, value) => {
    reply.bulk(field);
    reply.bulk(value);
  });
}

/** HKEYS and HVALS. */
function hlist(ctx: CommandContext, argv: string[], values: boolean): void {
  const hash = hashAt(ctx, argv[1] as string);
  const reply = ctx.reply;
  if (!hash) return reply.array(0);
  reply.array(hash.size);
  if (!values) for (const field of hash.fields()) reply.bulk(field);
  else {
    hash.forEach((_, value) => {
      reply.bulk(value);
    });
  }
}

function hdel(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const hash = hashAt(ctx, key);
  if (!hash) return ctx.reply.int(0);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) if (hash.delete(argv[i] as string)) deleted++;
  if (deleted > 0) ctx.db.changed(key, hash);
  ctx.reply.int(deleted);
}

function hincrby(ctx: CommandContext, argv: string[]): void {
  const [, key, field, incrementText] = argv as [string, string, string, string];
  const increment = parseInt64(incrementText);
  if (increment === undefined) throw notInteger();
  const hash = hashFor(ctx, key);
  const current = hash.get(field);
  const base = current === undefined ? 0n : parseInt64(current);
  if (base === undefined) throw err("hash value is not an integer");
  const result = base + increment;
  if (!inInt64(result)) throw err("increment or decrement would overflow");
  hash.set(field, result.toString());
  ctx.db.changed(key, hash);
  ctx.reply.int(result);
}

/** HINCRBYFLOAT in C's long double like INCRBYFLOAT; logged as an HSET of the result, as Redis does. */
function hincrbyfloat(ctx: CommandContext, argv: string[]): void {
  const [, key, field, incrementText] = argv as [string, string, string, string];
  const increment = parseLongDouble(incrementText);
  if (increment === undefined) throw notFloat();
  if (typeof increment === "string") throw err("value is NaN or Infinity");
  const hash = hashFor(ctx, key);
  const current = hash.get(field);
  let base: LongDouble | "inf" | "-inf" | undefined = longDoubleFromInteger(0n);
  if (current !== undefined) base = parseLongDouble(current);
  if (base === undefined) throw err("hash value is not a float");
  const result = typeof base === "string" ? undefined : addLongDouble(base, increment);
  if (result === undefined) throw err("increment would produce NaN or Infinity");
  const text = formatLongDouble(result);
  hash.set(field, text);
  ctx.db.changed(key, hash);
  ctx.reply.bulk(text);
  ctx.propagate(["HSET", key, field, text]);
}

/** HSCAN: a listpack-encoded hash comes back whole with cursor 0; a hashtable COUNT at a time. */
function hscan(ctx: CommandContext, argv: string[]): void {
  const cursor = scanCursorArg(argv[2] as string);
  const hash = hashAt(ctx, argv[1] as string);
  if (!hash) return replyScan(ctx.reply, "0", []);
  const { count, pattern } = scanOptions(argv, 3);
  const found: string[] = [];
  if (hash.compact) {
    hash.forEach((field, value) => {
      if (matches(pattern, field)) found.push(field, value);
    });
    return replyScan(ctx.reply, "0", found);
  }
  const page = ctx.server.scans.next(cursor, hash, () => hash.fields(), count);
  for (const field of page.items) {
    const value = hash.get(field);
    if (value !== undefined && matches(pattern, field)) found.push(field, value);
  }
  replyScan(ctx.reply, page.cursor, found);
}

const hashCommand = familyCommand("hash");

const WRITE_FAST: CommandFlag[] = ["write", "denyoom", "fast"];
const READ_FAST: CommandFlag[] = ["readonly", "fast"];
const SIZE_N = "O(N) where N is the size of the hash.";
const SCAN_COMPLEXITY =
  "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..";

export const hashCommands: CommandSpec[] = [
  hashCommand(
    "hset",
    -4,
    WRITE_FAST,
    "2.0.0",
    "Set the string value of a hash field",
    "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
    hset,
  ),
  hashCommand(
    "hsetnx",
    4,
    WRITE_FAST,
    "2.0.0",
    "Set the value of a hash field, only if the field does not exist",
    "O(1)",
    hsetnx,
  ),
  hashCommand(
    "hmset",
    -4,
    WRITE_FAST,
    "2.0.0",
    "Set multiple hash fields to multiple values",
    "O(N) where N is the number of fields being set.",
    hset,
  ),
  hashCommand("hget", 3, READ_FAST, "2.0.0", "Get the value of a hash field", "O(1)", (ctx, argv) =>
    ctx.reply.bulk(hashAt(ctx, argv[1] as string)?.get(argv[2] as string)),
  ),
  hashCommand(
    "hmget",
    -3,
    READ_FAST,
    "2.0.0",
    "Get the values of all the given hash fields",
    "O(N) where N is the number of fields being requested.",
    hmget,
  ),
  hashCommand(
    "hgetall",
    2,
    ["readonly"],
    "2.0.0",
    "Get all the fields and values in a hash",
    SIZE_N,
    hgetall,
  ),
  hashCommand("hkeys", 2, ["readonly"], "2.0.0", "Get all the fields in a hash", SIZE_N, (ctx, argv) =>
    hlist(ctx, argv, false),
  ),
  hashCommand("hvals", 2, ["readonly"], "2.0.0", "Get all the values in a hash", SIZE_N, (ctx, argv) =>
    hlist(ctx, argv, true),
  ),
  hashCommand(
    "hdel",
    -3,
    ["write", "fast"],
    "2.0.0",
    "Delete one or more hash fields",
    "O(N) where N is the number of fields to be removed.",
    hdel,
  ),
  hashCommand("hexists", 3, READ_FAST, "2.0.0", "Determine if a hash field exists", "O(1)", (ctx, argv) =>
    ctx.reply.int(hashAt(ctx, argv[1] as string)?.has(argv[2] as string) ? 1 : 0),
  ),
  hashCommand("hlen", 2, READ_FAST, "2.0.0", "Get the number of fields in a hash", "O(1)", (ctx, argv) =>
    ctx.reply.int(hashAt(ctx, argv[1] as string)?.size ?? 0),
  ),
  hashCommand(
    "hstrlen",
    3,
    READ_FAST,
    "3.2.0",
    "Get the length of the value of a hash field",
    "O(1)",
    (ctx, argv) => ctx.reply.int(hashAt(ctx, argv[1] as string)?.get(argv[2] as string)?.length ?? 0),
  ),
  hashCommand(
    "hincrby",
    4,
    WRITE_FAST,
    "2.0.0",
    "Increment the integer value of a hash field by the given number",
    "O(1)",
    hincrby,
  ),
  hashCommand(
    "hincrbyfloat",
    4,
    WRITE_FAST,
    "2.6.0",
    "Increment the float value of a hash field by the given amount",
    "O(1)",
    hincrbyfloat,
  ),
  hashCommand(
    "hscan",
    -3,
    ["readonly"],
    "2.8.0",
    "Incrementally iterate hash fields and associated values",
    SCAN_COMPLEXITY,
    hscan,
  ),
  ...hashRandomCommands,
];
