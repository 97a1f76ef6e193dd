import { err, notInteger, syntaxError } from "../errors.js";
import { globMatch } from "../glob.js";
import type { Database } from "../keyspace/database.js";
import { encodingOf, typeOf } from "../keyspace/values.js";
import { parseInt64 } from "../resp/numbers.js";
import { dbIndexArg, intArg, is, valueAfter } from "./args.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

const group = "generic";
const ONE_KEY = [1, 1, 1] as const;
const ALL_KEYS = [1, -1, 1] as const;

function countKeys(ctx: CommandContext, argv: string[], act: (db: Database, key: string) => boolean): void {
  let count = 0;
  for (let i = 1; i < argv.length; i++) if (act(ctx.db, argv[i] as string)) count++;
  ctx.reply.int(count);
}

function keys(ctx: CommandContext, argv: string[]): void {
  const pattern = argv[1] as string;
  const now = Date.now();
  const found: string[] = [];
  for (const key of ctx.db.data.keys()) {
    if (!ctx.db.isExpired(key, now) && (pattern === "*" || globMatch(pattern, key))) found.push(key);
  }
  ctx.reply.bulks(found);
}

function scan(ctx: CommandContext, argv: string[]): void {
  let count = 10;
  let pattern: string | undefined;
  let type: string | undefined;
  for (let i = 2; i < argv.length; i += 2) {
    const value = valueAfter(argv, i);
    if (is(argv[i], "count")) {
      count = intArg(value);
      if (count < 1) throw syntaxError();
    } else if (is(argv[i], "match")) pattern = value;
    else if (is(argv[i], "type")) type = value.toLowerCase();
    else throw syntaxError();
  }
  const db = ctx.db;
  const page = ctx.server.scans.next(argv[1] as string, db.data, () => db.data.keys(), count);
  const now = Date.now();
  const keys = page.items.filter((key) => {
    if (db.isExpired(key, now)) {
      db.expire(key);
      return false;
    }
    const value = db.data.get(key);
    if (value === undefined) return false;
    if (pattern !== undefined && pattern !== "*" && !globMatch(pattern, key)) return false;
    return type === undefined || typeOf(value) === type;
  });
  ctx.reply.array(2);
  ctx.reply.bulk(page.cursor);
  ctx.reply.bulks(keys);
}

function rename(ctx: CommandContext, argv: string[], onlyIfNew: boolean): void {
  const [, from, to] = argv as [string, string, string];
  const db = ctx.db;
  const value = db.get(from);
  if (value === undefined) throw err("no such key");
  if (onlyIfNew && db.has(to)) return ctx.reply.int(0);
  if (from !== to) {
    const expiresAt = db.expiresAt(from);
    db.delete(from);
    db.delete(to);
    db.set(to, value);
    if (expiresAt !== undefined) db.setExpiry(to, expiresAt);
    if (typeof value !== "string") db.ready(to);
  }
  if (onlyIfNew) ctx.reply.int(1);
  else ctx.reply.ok();
}

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `unit` ms per unit; `absolute` for the …AT forms. */
function expire(ctx: CommandContext, argv: string[], unit: number, absolute: boolean): void {
  const key = argv[1] as string;
  const flags = new Set<string>();
  for (const arg of argv.slice(3)) {
    const flag = arg.toLowerCase();
    if (!["nx", "xx", "gt", "lt"].includes(flag)) throw err(`Unsupported option ${arg}`);
    flags.add(flag);
  }
  if (flags.has("nx") && (flags.has("xx") || flags.has("gt") || flags.has("lt"))) {
    throw err("NX and XX, GT or LT options at the same time are not compatible");
  }
  if (flags.has("gt") && flags.has("lt")) throw err("GT and LT options at the same time are not compatible");
  const at = expireTime(argv, unit, absolute);
  const db = ctx.db;
  if (!db.has(key)) return ctx.reply.int(0);
  const current = db.expiresAt(key);
  if (flags.has("nx") && current !== undefined) return ctx.reply.int(0);
  if (flags.has("xx") && current === undefined) return ctx.reply.int(0);
  if (flags.has("gt") && (current === undefined || at <= current)) return ctx.reply.int(0);
  if (flags.has("lt") && current !== undefined && at >= current) return ctx.reply.int(0);
  // While the AOF loads, a past time only sets the TTL: a logged command may still need the key.
  if (at <= Date.now() && !ctx.server.loading) {
    db.delete(key);
    ctx.propagate(["DEL", key]);
  } else {
    db.setExpiry(key, at);
    ctx.propagate(["PEXPIREAT", key, String(at)]);
  }
  ctx.reply.int(1);
}

const INT64_MAX = 2n ** 63n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The absolute time in ms of an EXPIRE-family argument, with Redis's 64-bit overflow checks. */
function expireTime(argv: string[], unit: number, absolute: boolean): number {
  const amount = parseInt64(argv[2] as string);
  if (amount === undefined) throw notInteger();
  const invalid = () => err(`invalid expire time in '${(argv[0] as string).toLowerCase()}' command`);
  if (unit === 1000 && (amount > INT64_MAX / 1000n || amount < -INT64_MAX / 1000n)) throw invalid();
  const base = absolute ? 0n : BigInt(Date.now());
  const at = amount * BigInt(unit);
  if (at > INT64_MAX - base) throw invalid();
  // Past 2^53 ms (year 287,396) a number is not exact: such keys just never expire.
  return Number(at + base > MAX_SAFE ? MAX_SAFE : at + base);
}

/** TTL and friends: -2 for a missing key, -1 without a TTL. */
function ttl(ctx: CommandContext, key: string, toReply: (at: number) => number): void {
  if (!ctx.db.has(key)) return ctx.reply.int(-2);
  const at = ctx.db.expiresAt(key);
  ctx.reply.int(at === undefined ? -1 : toReply(at));
}

function copy(ctx: CommandContext, argv: string[]): void {
  const [, from, to] = argv as [string, string, string];
  let target = ctx.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (is(argv[i], "replace")) replace = true;
    else if (is(argv[i], "db") && i + 1 < argv.length) {
      target = ctx.server.keyspace.db(dbIndexArg(argv[++i] as string, ctx.server.options.databases));
    } else throw syntaxError();
  }
  if (target === ctx.db && from === to) throw err("source and destination objects are the same");
  const value = ctx.db.get(from);
  if (value === undefined) return ctx.reply.int(0);
  if (target.has(to)) {
    if (!replace) return ctx.reply.int(0);
    target.delete(to);
  }
  target.set(to, typeof value === "string" ? value : value.clone());
  const expiresAt = ctx.db.expiresAt(from);
  if (expiresAt !== undefined) target.setExpiry(to, expiresAt);
  if (typeof value !== "string") target.ready(to);
  ctx.reply.int(1);
}

function move(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const target = ctx.server.keyspace.db(dbIndexArg(argv[2] as string, ctx.server.options.databases));
  if (target === ctx.db) throw err("source and destination objects are the same");
  const value = ctx.db.get(key);
  if (value === undefined || target.has(key)) return ctx.reply.int(0);
  const expiresAt = ctx.db.expiresAt(key);
  ctx.db.delete(key);
  target.set(key, value);
  if (expiresAt !== undefined) target.setExpiry(key, expiresAt);
  if (typeof value !== "string") target.ready(key);
  ctx.reply.int(1);
}

function randomKey(ctx: CommandContext): void {
  const db = ctx.db;
  // Up to 100 tries past expired keys, as Redis does, from a random starting point of the key order.
  for (let tries = 0; tries < 100 && db.size > 0; tries++) {
    const skip = Math.floor(Math.random() * Math.min(db.size, 64));
    let n = 0;
    for (const key of db.data.keys()) {
      if (n++ < skip) continue;
      if (db.isExpired(key)) {
        db.expire(key);
        break;
      }
      return ctx.reply.bulk(key);
    }
  }
  ctx.reply.nil();
}

function object(ctx: CommandContext, argv: string[]): void {
  const sub = (argv[1] as string).toLowerCase();
  const value = ctx.db.get(argv[2] as string);
  if (value === undefined) return ctx.reply.nil();
  if (sub === "encoding") ctx.reply.bulk(encodingOf(value));
  else if (sub === "refcount") ctx.reply.int(1);
  else if (sub === "idletime") ctx.reply.int(0);
  else {
    throw err(
      "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    );
  }
}

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
];

const objectSub = (name: string, summary: string) =>
  command({
    name: `object|${name}`,
    arity: 3,
    flags: ["readonly"],
    keys: [2, 2, 1],
    group,
    since: "2.2.3",
    summary,
    handler: object,
  });

export const keyCommands: CommandSpec[] = [
  command({
    name: "del",
    arity: -2,
    flags: ["write"],
    keys: ALL_KEYS,
    group,
    since: "1.0.0",
    summary: "Deletes one or more keys.",
    handler: (ctx, argv) => countKeys(ctx, argv, (db, key) => db.delete(key)),
  }),
  command({
    name: "unlink",
    arity: -2,
    flags: ["write", "fast"],
    keys: ALL_KEYS,
    group,
    since: "4.0.0",
    summary: "Asynchronously deletes one or more keys.",
    handler: (ctx, argv) => countKeys(ctx, argv, (db, key) => db.delete(key)),
  }),
  command({
    name: "exists",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: ALL_KEYS,
    group,
    since: "1.0.0",
    summary: "Determines whether one or more keys exist.",
    handler: (ctx, argv) => countKeys(ctx, argv, (db, key) => db.has(key)),
  }),
  command({
    name: "touch",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: ALL_KEYS,
    group,
    since: "3.2.1",
    summary:
      "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
    handler: (ctx, argv) => countKeys(ctx, argv, (db, key) => db.has(key)),
  }),
  command({
    name: "type",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary: "Determines the type of value stored at a key.",
    handler: (ctx, argv) => {
      const value = ctx.db.get(argv[1] as string);
      ctx.reply.simple(value === undefined ? "none" : typeOf(value));
    },
  }),
  command({
    name: "keys",
    arity: 2,
    flags: ["readonly"],
    group,
    since: "1.0.0",
    summary: "Returns all key names that match a pattern.",
    complexity: "O(N)",
    handler: keys,
  }),
  command({
    name: "scan",
    arity: -2,
    flags: ["readonly"],
    group,
    since: "2.8.0",
    summary: "Iterates over the key names in the database.",
    handler: scan,
  }),
  command({
    name: "rename",
    arity: 3,
    flags: ["write"],
    keys: [1, 2, 1],
    group,
    since: "1.0.0",
    summary: "Renames a key and overwrites the destination.",
    handler: (ctx, argv) => rename(ctx, argv, false),
  }),
  command({
    name: "renamenx",
    arity: 3,
    flags: ["write", "fast"],
    keys: [1, 2, 1],
    group,
    since: "1.0.0",
    summary: "Renames a key only when the target key name doesn't exist.",
    handler: (ctx, argv) => rename(ctx, argv, true),
  }),
  command({
    name: "expire",
    arity: -3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary: "Sets the expiration time of a key in seconds.",
    handler: (ctx, argv) => expire(ctx, argv, 1000, false),
  }),
  command({
    name: "pexpire",
    arity: -3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "2.6.0",
    summary: "Sets the expiration time of a key in milliseconds.",
    handler: (ctx, argv) => expire(ctx, argv, 1, false),
  }),
  command({
    name: "expireat",
    arity: -3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.2.0",
    summary: "Sets the expiration time of a key to a Unix timestamp.",
    handler: (ctx, argv) => expire(ctx, argv, 1000, true),
  }),
  command({
    name: "pexpireat",
    arity: -3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "2.6.0",
    summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.",
    handler: (ctx, argv) => expire(ctx, argv, 1, true),
  }),
  command({
    name: "ttl",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary: "Returns the expiration time in seconds of a key.",
    handler: (ctx, argv) => ttl(ctx, argv[1] as string, (at) => Math.floor((at - Date.now() + 500) / 1000)),
  }),
  command({
    name: "pttl",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group,
    since: "2.6.0",
    summary: "Returns the expiration time in milliseconds of a key.",
    handler: (ctx, argv) => ttl(ctx, argv[1] as string, (at) => at - Date.now()),
  }),
  command({
    name: "expiretime",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group,
    since: "7.0.0",
    summary: "Returns the expiration time of a key as a Unix timestamp.",
    handler: (ctx, argv) => ttl(ctx, argv[1] as string, (at) => Math.floor(at / 1000)),
  }),
  command({
    name: "pexpiretime",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group,
    since: "7.0.0",
    summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.",
    handler: (ctx, argv) => ttl(ctx, argv[1] as string, (at) => at),
  }),
  command({
    name: "persist",
    arity: 2,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "2.2.0",
    summary: "Removes the expiration time of a key.",
    handler: (ctx, argv) =>
      ctx.reply.int(ctx.db.has(argv[1] as string) && ctx.db.persist(argv[1] as string) ? 1 : 0),
  }),
  command({
    name: "randomkey",
    arity: 1,
    flags: ["readonly"],
    group,
    since: "1.0.0",
    summary: "Returns a random key name from the database.",
    handler: randomKey,
  }),
  command({
    name: "copy",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    group,
    since: "6.2.0",
    summary: "Copies the value of a key to a new key.",
    handler: copy,
  }),
  command({
    name: "move",
    arity: 3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary: "Moves a key to another database.",
    handler: move,
  }),
  command({
    name: "object",
    arity: -2,
    flags: [],
    group,
    since: "2.2.3",
    summary: "A container for object introspection commands.",
    subcommands: [
      objectSub("encoding", "Returns the internal encoding of a Redis object."),
      objectSub("refcount", "Returns the reference count of a value of a key."),
      objectSub("idletime", "Returns the time since the last access to a Redis object."),
      objectSub("freq", "Returns the logarithmic access frequency counter of a Redis object."),
      command({
        name: "object|help",
        arity: 2,
        flags: ["loading", "stale"],
        group,
        since: "6.2.0",
        summary: "Returns helpful text about the different subcommands.",
        handler: (ctx) => {
          ctx.reply.array(OBJECT_HELP.length);
          for (const line of OBJECT_HELP) ctx.reply.simple(line);
        },
      }),
    ],
  }),
];
