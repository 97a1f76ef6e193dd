import { err, notFloat, notInteger, syntaxError } from "../errors.js";
import {
  addLongDouble,
  formatLongDouble,
  longDoubleFromInteger,
  parseLongDouble,
} from "../resp/long-double.js";
import { inInt64, parseInt64 } from "../resp/numbers.js";
import { intArg } from "./args.js";
import { lcs } from "./lcs.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

const group = "string";
const ONE_KEY = [1, 1, 1] as const;

/** SET's EX/PX/EXAT/PXAT (as an absolute time) or KEEPTTL. */
interface Expiry {
  at?: number;
  keepTtl?: boolean;
}

const UNITS: Record<string, [ms: number, absolute: boolean]> = {
  ex: [1000, false],
  px: [1, false],
  exat: [1000, true],
  pxat: [1, true],
};

const INT64_MAX = 2n ** 63n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The absolute expiry time (ms) of EX/PX/EXAT/PXAT `amountText`, checked as Redis's
 * getExpireMillisecondsOrReply does: positive, no overflow of a signed 64-bit millisecond time.
 */
function expiryAt(option: string, amountText: string, commandName: string): number {
  const [unit, absolute] = UNITS[option] as [number, boolean];
  const amount = parseInt64(amountText);
  if (amount === undefined) throw notInteger();
  const invalid = () => err(`invalid expire time in '${commandName}' command`);
  if (amount <= 0n || (unit === 1000 && amount > INT64_MAX / 1000n)) throw invalid();
  const at = amount * BigInt(unit) + (absolute ? 0n : BigInt(Date.now()));
  if (at > INT64_MAX) throw invalid();
  // Past 2^53 ms (year 287,396) a number is not exact: such keys just never expire.
  return Number(at > MAX_SAFE ? MAX_SAFE : at);
}

/** Parses SET's options like parseExtendedStringArgumentsOrReply: an option may repeat, not conflict. */
function setOptions(argv: string[]): { nx: boolean; xx: boolean; get: boolean; expiry?: Expiry } {
  let nx = false;
  let xx = false;
  let get = false;
  let keepTtl = false;
  let unit: string | undefined;
  let amount = "";
  for (let i = 3; i < argv.length; i++) {
    const option = (argv[i] as string).toLowerCase();
    if (option === "nx" && !xx) nx = true;
    else if (option === "xx" && !nx) xx = true;
    else if (option === "get") get = true;
    else if (option === "keepttl" && unit === undefined) keepTtl = true;
    else if (option in UNITS && !keepTtl && (unit === undefined || unit === option) && i + 1 < argv.length) {
      unit = option;
      amount = argv[++i] as string;
    } else throw syntaxError();
  }
  const expiry = unit ? { at: expiryAt(unit, amount, "set") } : keepTtl ? { keepTtl } : undefined;
  return { nx, xx, get, ...(expiry ? { expiry } : {}) };
}

function set(ctx: CommandContext, argv: string[]): void {
  const [, key, value] = argv as [string, string, string];
  if (argv.length === 3) {
    ctx.db.get(key); // lookupKeyWrite: an expired key is deleted first (WATCH tells the two apart)
    ctx.db.set(key, value);
    return ctx.reply.ok();
  }
  const { nx, xx, get, expiry } = setOptions(argv);
  const db = ctx.db;
  const old = get ? db.getString(key) : undefined;
  const exists = get ? old !== undefined : db.has(key);
  if ((nx && exists) || (xx && !exists)) return get ? ctx.reply.bulk(old) : ctx.reply.nil();
  db.set(key, value, expiry?.keepTtl === true);
  if (expiry?.at !== undefined) {
    db.setExpiry(key, expiry.at);
    ctx.propagate(["SET", key, value, "PXAT", String(expiry.at)]); // a relative TTL is logged absolute
  }
  if (get) ctx.reply.bulk(old);
  else ctx.reply.ok();
}

/** GETEX: options are parsed first, the key looked up next, and only then the time is checked. */
function getex(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  let persist = false;
  let unit: string | undefined;
  let amount = "";
  for (let i = 2; i < argv.length; i++) {
    const option = (argv[i] as string).toLowerCase();
    if (option === "persist" && unit === undefined) persist = true;
    else if (option in UNITS && !persist && (unit === undefined || unit === option) && i + 1 < argv.length) {
      unit = option;
      amount = argv[++i] as string;
    } else throw syntaxError();
  }
  const value = ctx.db.getString(key);
  if (value === undefined) return ctx.reply.nil();
  const at = unit ? expiryAt(unit, amount, "getex") : undefined;
  ctx.reply.bulk(value);
  if (persist) {
    if (ctx.db.persist(key)) ctx.propagate(["PERSIST", key]);
  } else if (at !== undefined && at <= Date.now()) {
    ctx.db.delete(key);
    ctx.propagate(["DEL", key]);
  } else if (at !== undefined) {
    ctx.db.setExpiry(key, at);
    ctx.propagate(["PEXPIREAT", key, String(at)]);
  }
}

function setWithTtl(ctx: CommandContext, argv: string[], option: "ex" | "px"): void {
  const [name, key, amount, value] = argv as [string, string, string, string];
  const at = expiryAt(option, amount, name.toLowerCase());
  ctx.db.get(key); // lookupKeyWrite first, as setKey does: an expired key is deleted, then set
  ctx.db.set(key, value);
  ctx.db.setExpiry(key, at);
  ctx.propagate(["SET", key, value, "PXAT", String(at)]);
  ctx.reply.ok();
}

function mset(ctx: CommandContext, argv: string[], onlyIfNone: boolean): void {
  if (argv.length % 2 === 0)
    throw err(`wrong number of arguments for '${(argv[0] as string).toLowerCase()}' command`);
  if (onlyIfNone) {
    for (let i = 1; i < argv.length; i += 2) if (ctx.db.has(argv[i] as string)) return ctx.reply.int(0);
  }
  for (let i = 1; i < argv.length; i += 2) {
    ctx.db.get(argv[i] as string); // setKey's lookupKeyWrite: an expired key is deleted first
    ctx.db.set(argv[i] as string, argv[i + 1] as string);
  }
  if (onlyIfNone) ctx.reply.int(1);
  else ctx.reply.ok();
}

/**
 * A decimal of at most 15 digits in Redis's integer syntax as a number (exact: below 2^53), else
 * undefined. INCR and friends use it to skip BigInt for the common small counters.
 */
function smallInteger(text: string): number | undefined {
  const length = text.length;
  const negative = length > 0 && text.charCodeAt(0) === 45;
  const first = negative ? 1 : 0;
  if (length === first || length - first > 15) return undefined;
  if (text.charCodeAt(first) === 48) return length === 1 ? 0 : undefined;
  let value = 0;
  for (let i = first; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** INCR, DECR, INCRBY, DECRBY: 64-bit signed arithmetic with Redis's overflow error. */
function incrBy(ctx: CommandContext, key: string, by: bigint | number): void {
  const current = ctx.db.getString(key);
  if (typeof by === "number") {
    const small = current === undefined ? 0 : smallInteger(current);
    if (small !== undefined) {
      const result = small + by; // both below 10^15: exact, and far inside the 64-bit range
      ctx.db.set(key, String(result), true);
      return ctx.reply.int(result);
    }
  }
  const base = current === undefined ? 0n : parseInt64(current);
  if (base === undefined) throw notInteger();
  const result = base + BigInt(by);
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

/** INCRBYFLOAT in C's long double, printed as Redis prints it (see long-double.ts). */
function incrByFloat(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  const current = ctx.db.getString(key);
  const base = current === undefined ? longDoubleFromInteger(0n) : parseLongDouble(current);
  const by = parseLongDouble(argv[2] as string);
  if (base === undefined || by === undefined) throw notFloat();
  const result = typeof base === "object" && typeof by === "object" ? addLongDouble(base, by) : undefined;
  if (result === undefined) throw err("increment would produce NaN or Infinity");
  const text = formatLongDouble(result);
  ctx.db.set(key, text, true);
  ctx.propagate(["SET", key, text, "KEEPTTL"]); // the result, not the float arithmetic, is logged
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
    handler: (ctx, argv) => incrBy(ctx, argv[1] as string, 1),
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
    handler: (ctx, argv) => incrBy(ctx, argv[1] as string, -1),
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
    handler: (ctx, argv) =>
      incrBy(ctx, argv[1] as string, smallInteger(argv[2] as string) ?? int64Arg(argv[2] as string)),
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
      const small = smallInteger(argv[2] as string);
      if (small !== undefined) return incrBy(ctx, argv[1] as string, -small);
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
