import { err, notInteger, syntaxError } from "../errors.js";
import { formatHumanDouble, inInt64, parseDouble, parseInt64 } from "../resp/numbers.js";
import { floatArg, intArg } from "./args.js";
import { lcs } from "./lcs.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

const group = "string";
const ONE_KEY = [1, 1, 1] as const;

/** EX/PX/EXAT/PXAT/KEEPTTL/PERSIST as SET and GETEX read them. */
interface Expiry {
  at?: number;
  keepTtl?: boolean;
  persist?: boolean;
}

const UNITS: Record<string, [ms: number, absolute: boolean]> = {
  ex: [1000, false],
  px: [1, false],
  exat: [1000, true],
  pxat: [1, true],
};

function expiryAt(option: string, amountText: string, commandName: string): number {
  const [unit, absolute] = UNITS[option] as [number, boolean];
  const amount = intArg(amountText);
  const at = amount * unit + (absolute ? 0 : Date.now());
  if (amount <= 0 || !Number.isSafeInteger(amount * unit) || !Number.isSafeInteger(at)) {
    throw err(`invalid expire time in '${commandName}' command`);
  }
  return at;
}

function set(ctx: CommandContext, argv: string[]): void {
  const [, key, value] = argv as [string, string, string];
  let nx = false;
  let xx = false;
  let get = false;
  let expiry: Expiry | undefined;
  for (let i = 3; i < argv.length; i++) {
    const option = (argv[i] as string).toLowerCase();
    if (option === "nx" && !xx) nx = true;
    else if (option === "xx" && !nx) xx = true;
    else if (option === "get") get = true;
    else if (option === "keepttl" && !expiry) expiry = { keepTtl: true };
    else if (option in UNITS && !expiry && i + 1 < argv.length)
      expiry = { at: expiryAt(option, argv[++i] as string, "set") };
    else throw syntaxError();
  }
  const db = ctx.db;
  const old = get ? db.getString(key) : undefined;
  const exists = get ? old !== undefined : db.has(key);
  if ((nx && exists) || (xx && !exists)) return get ? ctx.reply.bulk(old) : ctx.reply.nil();
  db.set(key, value, expiry?.keepTtl === true);
  if (expiry?.at !== undefined) db.setExpiry(key, expiry.at);
  if (get) ctx.reply.bulk(old);
  else ctx.reply.ok();
}

function getex(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  let expiry: Expiry | undefined;
  for (let i = 2; i < argv.length; i++) {
    const option = (argv[i] as string).toLowerCase();
    if (option === "persist" && !expiry) expiry = { persist: true };
    else if (option in UNITS && !expiry && i + 1 < argv.length)
      expiry = { at: expiryAt(option, argv[++i] as string, "getex") };
    else throw syntaxError();
  }
  const value = ctx.db.getString(key);
  if (value !== undefined && expiry) {
    if (expiry.persist) ctx.db.persist(key);
    else if ((expiry.at as number) <= Date.now()) ctx.db.delete(key);
    else ctx.db.setExpiry(key, expiry.at as number);
  }
  ctx.reply.bulk(value);
}

function setWithTtl(ctx: CommandContext, argv: string[], option: "ex" | "px"): void {
  const [name, key, amount, value] = argv as [string, string, string, string];
  const at = expiryAt(option, amount, name.toLowerCase());
  ctx.db.set(key, value);
  ctx.db.setExpiry(key, at);
  ctx.reply.ok();
}

function mset(ctx: CommandContext, argv: string[], onlyIfNone: boolean): void {
  if (argv.length % 2 === 0)
    throw err(`wrong number of arguments for '${(argv[0] as string).toLowerCase()}' command`);
  if (onlyIfNone) {
    for (let i = 1; i < argv.length; i += 2) if (ctx.db.has(argv[i] as string)) return ctx.reply.int(0);
  }
  for (let i = 1; i < argv.length; i += 2) ctx.db.set(argv[i] as string, argv[i + 1] as string);
  if (onlyIfNone) ctx.reply.int(1);
  else ctx.reply.ok();
}

/** INCR, DECR, INCRBY, DECRBY: 64-bit signed arithmetic with Redis's overflow error. */
function incrBy(ctx: CommandContext, key: string, by: bigint): void {
  const current = ctx.db.getString(key);
  const base = current === undefined ? 0n : parseInt64(current);
  if (base === undefined) throw notInteger();
  const result = base + by;
  if (!inInt64(result)) throw err("increment or decrement would overflow");
  const text = result.toString();
  ctx.db.set(key, text, true);
  ctx.reply.int(result);
}

function int64Arg(text: string): bigint {
  const value = parseInt64(text);
  if (value === undefined) throw notInteger();
  return value;
}

function incrByFloat(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const by = floatArg(argv[2] as string);
  const current = ctx.db.getString(key);
  const base = current === undefined ? 0 : parseDouble(current);
  if (base === undefined) throw err("value is not a valid float");
  const result = base + by;
  if (!Number.isFinite(result)) throw err("increment would produce NaN or Infinity");
  const text = formatHumanDouble(result);
  ctx.db.set(key, text, true);
  ctx.reply.bulk(text);
}

function getRange(ctx: CommandContext, argv: string[]): void {
  const value = ctx.db.getString(argv[1] as string) ?? "";
  let start = intArg(argv[2] as string);
  let end = intArg(argv[3] as string);
  const length = value.length;
  if (start < 0 && end < 0 && start > end) return ctx.reply.bulk("");
  if (start < 0) start = Math.max(0, length + start);
  if (end < 0) end = Math.max(0, length + end);
  end = Math.min(end, length - 1);
  ctx.reply.bulk(start > end || length === 0 ? "" : value.slice(start, end + 1));
}

function setRange(ctx: CommandContext, argv: string[]): void {
  const [, key, offsetText, piece] = argv as [string, string, string, string];
  const offset = intArg(offsetText);
  if (offset < 0) throw err("offset is out of range");
  const current = ctx.db.getString(key);
  if (piece.length === 0) return ctx.reply.int(current?.length ?? 0);
  if (offset + piece.length > ctx.server.options.maxBulkLength) {
    throw err("string exceeds maximum allowed size (proto-max-bulk-len)");
  }
  const base = (current ?? "").padEnd(offset, "\0");
  const next = base.slice(0, offset) + piece + base.slice(offset + piece.length);
  ctx.db.set(key, next, true);
  ctx.reply.int(next.length);
}

function append(ctx: CommandContext, argv: string[]): void {
  const [, key, piece] = argv as [string, string, string];
  const current = ctx.db.getString(key) ?? "";
  if (current.length + piece.length > ctx.server.options.maxBulkLength) {
    throw err("string exceeds maximum allowed size (proto-max-bulk-len)");
  }
  const next = current + piece;
  ctx.db.set(key, next, true);
  ctx.reply.int(next.length);
}

export const stringCommands: CommandSpec[] = [
  command({
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary: "Returns the string value of a key.",
    handler: (ctx, argv) => ctx.reply.bulk(ctx.db.getString(argv[1] as string)),
  }),
  command({
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
    handler: set,
  }),
  command({
    name: "setnx",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary: "Set the string value of a key only when the key doesn't exist.",
    handler: (ctx, argv) => {
      if (ctx.db.has(argv[1] as string)) return ctx.reply.int(0);
      ctx.db.set(argv[1] as string, argv[2] as string);
      ctx.reply.int(1);
    },
  }),
  command({
    name: "setex",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: ONE_KEY,
    group,
    since: "2.0.0",
    summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
    handler: (ctx, argv) => setWithTtl(ctx, argv, "ex"),
  }),
  command({
    name: "psetex",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: ONE_KEY,
    group,
    since: "2.6.0",
    summary:
      "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
    handler: (ctx, argv) => setWithTtl(ctx, argv, "px"),
  }),
  command({
    name: "getset",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary: "Returns the previous string value of a key after setting it to a new value.",
    handler: (ctx, argv) => {
      const old = ctx.db.getString(argv[1] as string);
      ctx.db.set(argv[1] as string, argv[2] as string);
      ctx.reply.bulk(old);
    },
  }),
  command({
    name: "getdel",
    arity: 2,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "6.2.0",
    summary: "Returns the string value of a key after deleting the key.",
    handler: (ctx, argv) => {
      const value = ctx.db.getString(argv[1] as string);
      if (value !== undefined) ctx.db.delete(argv[1] as string);
      ctx.reply.bulk(value);
    },
  }),
  command({
    name: "getex",
    arity: -2,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group,
    since: "6.2.0",
    summary: "Returns the string value of a key after setting its expiration time.",
    handler: getex,
  }),
  command({
    name: "mget",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    group,
    since: "1.0.0",
    summary: "Atomically returns the string values of one or more keys.",
    handler: (ctx, argv) => {
      ctx.reply.array(argv.length - 1);
      for (let i = 1; i < argv.length; i++) {
        const value = ctx.db.get(argv[i] as string);
        ctx.reply.bulk(typeof value === "string" ? value : null);
      }
    },
  }),
  command({
    name: "mset",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    group,
    since: "1.0.1",
    summary: "Atomically creates or modifies the string values of one or more keys.",
    handler: (ctx, argv) => mset(ctx, argv, false),
  }),
  command({
    name: "msetnx",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    group,
    since: "1.0.1",
    summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.",
    handler: (ctx, argv) => mset(ctx, argv, true),
  }),
  command({
    name: "append",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "2.0.0",
    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
    handler: append,
  }),
  command({
    name: "strlen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group,
    since: "2.2.0",
    summary: "Returns the length of a string value.",
    handler: (ctx, argv) => ctx.reply.int(ctx.db.getString(argv[1] as string)?.length ?? 0),
  }),
  command({
    name: "incr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary:
      "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    handler: (ctx, argv) => incrBy(ctx, argv[1] as string, 1n),
  }),
  command({
    name: "decr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary:
      "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    handler: (ctx, argv) => incrBy(ctx, argv[1] as string, -1n),
  }),
  command({
    name: "incrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary:
      "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    handler: (ctx, argv) => incrBy(ctx, argv[1] as string, int64Arg(argv[2] as string)),
  }),
  command({
    name: "decrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "1.0.0",
    summary:
      "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
    handler: (ctx, argv) => {
      const by = int64Arg(argv[2] as string);
      if (by === -(2n ** 63n)) throw err("decrement would overflow");
      incrBy(ctx, argv[1] as string, -by);
    },
  }),
  command({
    name: "incrbyfloat",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: ONE_KEY,
    group,
    since: "2.6.0",
    summary:
      "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    handler: incrByFloat,
  }),
  command({
    name: "getrange",
    arity: 4,
    flags: ["readonly"],
    keys: ONE_KEY,
    group,
    since: "2.4.0",
    summary: "Returns a substring of the string stored at a key.",
    handler: getRange,
  }),
  command({
    name: "setrange",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: ONE_KEY,
    group,
    since: "2.2.0",
    summary:
      "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
    handler: setRange,
  }),
  command({
    name: "lcs",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 2, 1],
    group,
    since: "7.0.0",
    summary: "Finds the longest common substring.",
    handler: lcs,
  }),
];
