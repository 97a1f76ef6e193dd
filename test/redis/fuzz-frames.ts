/**
 * Frames for the fuzz test (fuzz.test.ts), from a seeded PRNG so a failing seed replays: valid
 * commands of every family with odd arguments, the same mutated (byte flips, truncation, splices),
 * absurd lengths, random bytes, inline garbage and nested multibulks.
 *
 * Left out on purpose: what would break the well-behaved client running beside the fuzz (FLUSHALL,
 * FLUSHDB, SWAPDB, CLIENT KILL/PAUSE, CONFIG SET, SHUTDOWN, DEBUG), not bugs it would hide.
 */

type Random = () => number;
const int = (rnd: Random, max: number) => Math.floor(rnd() * max);
const pick = <T>(rnd: Random, items: readonly T[]): T => items[int(rnd, items.length)] as T;

function randomBytes(rnd: Random, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += String.fromCharCode(int(rnd, 256));
  return out;
}

/** Argument makers, by the placeholder that names them in COMMANDS. */
const ARGS: Record<string, (rnd: Random) => string> = {
  k: (rnd) => (rnd() < 0.95 ? `k${int(rnd, 12)}` : randomBytes(rnd, int(rnd, 6))),
  v: (rnd) => (rnd() < 0.9 ? randomBytes(rnd, int(rnd, 24)) : randomBytes(rnd, int(rnd, 2000))),
  n: (rnd) => String(int(rnd, 100)),
  i: (rnd) =>
    pick(rnd, [
      "0",
      "1",
      "-1",
      "2",
      "-2",
      "10",
      "-100",
      "9223372036854775807",
      "-9223372036854775808",
      "x",
      "",
    ]),
  f: (rnd) =>
    pick(rnd, [
      "0",
      "1.5",
      "-2.5",
      "inf",
      "-inf",
      "+inf",
      "nan",
      "1e400",
      "-0",
      "0x10",
      "3",
      "(1",
      "(2.5",
      "abc",
    ]),
  lex: (rnd) => pick(rnd, ["-", "+", "[a", "(b", "[", "a", "(", "[\xff"]),
  id: (rnd) =>
    pick(rnd, [
      "*",
      "$",
      ">",
      "0",
      "0-0",
      "0-1",
      "1-1",
      "-",
      "+",
      "99-99",
      "18446744073709551615-18446744073709551615",
      "x-1",
      "1-*",
    ]),
  t: (rnd) => pick(rnd, ["0.01", "0.001", "-1", "abc", "0.02"]),
  pat: (rnd) => {
    const parts = ["*", "?", "[a-c]", "[^a]", "\\", "[", "]", "k", "1", "\\*", "[\\]"];
    let out = "";
    for (let n = int(rnd, 6); n >= 0; n--) out += pick(rnd, parts);
    return out;
  },
  any: (rnd) =>
    pick(rnd, [
      "NX",
      "XX",
      "GT",
      "LT",
      "CH",
      "INCR",
      "WITHSCORES",
      "LIMIT",
      "COUNT",
      "MATCH",
      "TYPE",
      "REV",
      "BYSCORE",
      "BYLEX",
      "LEFT",
      "RIGHT",
      "BEFORE",
      "AFTER",
      "KEEPTTL",
      "GET",
      "EX",
      "PX",
      "MAXLEN",
      "~",
      "=",
      "NOACK",
      "",
    ]),
};

/** Command templates: words, with {placeholders} filled from ARGS. */
const COMMANDS = [
  // strings and keys
  "SET {k} {v}",
  "SET {k} {v} EX {n}",
  "SET {k} {v} {any} {any}",
  "GET {k}",
  "GETSET {k} {v}",
  "GETDEL {k}",
  "GETEX {k} {any} {i}",
  "MSET {k} {v} {k} {v}",
  "MGET {k} {k} {k}",
  "MSETNX {k} {v}",
  "APPEND {k} {v}",
  "STRLEN {k}",
  "INCR {k}",
  "DECRBY {k} {i}",
  "INCRBYFLOAT {k} {f}",
  "GETRANGE {k} {i} {i}",
  "SETRANGE {k} {n} {v}",
  "LCS {k} {k} {any}",
  "DEL {k} {k}",
  "UNLINK {k}",
  "EXISTS {k} {k}",
  "TYPE {k}",
  "KEYS {pat}",
  "SCAN {n} MATCH {pat} COUNT {n}",
  "SCAN 0 TYPE {any}",
  "RENAME {k} {k}",
  "RENAMENX {k} {k}",
  "EXPIRE {k} {i} {any}",
  "PEXPIRE {k} {n}",
  "TTL {k}",
  "PTTL {k}",
  "PERSIST {k}",
  "EXPIRETIME {k}",
  "COPY {k} {k} {any}",
  "MOVE {k} {n}",
  "OBJECT ENCODING {k}",
  "OBJECT FREQ {k}",
  "RANDOMKEY",
  "TOUCH {k}",
  // lists
  "LPUSH {k} {v} {v}",
  "RPUSH {k} {v}",
  "LPUSHX {k} {v}",
  "LPOP {k} {i}",
  "RPOP {k}",
  "LLEN {k}",
  "LRANGE {k} {i} {i}",
  "LINDEX {k} {i}",
  "LSET {k} {i} {v}",
  "LREM {k} {i} {v}",
  "LTRIM {k} {i} {i}",
  "LINSERT {k} {any} {v} {v}",
  "LPOS {k} {v} {any} {i}",
  "LMOVE {k} {k} {any} {any}",
  "RPOPLPUSH {k} {k}",
  "LMPOP {n} {k} {k} {any}",
  "BLPOP {k} {t}",
  "BRPOP {k} {k} {t}",
  "BLMOVE {k} {k} LEFT RIGHT {t}",
  "BLMPOP {t} 1 {k} LEFT",
  // hashes
  "HSET {k} {v} {v}",
  "HSETNX {k} {v} {v}",
  "HGET {k} {v}",
  "HMGET {k} {v} {v}",
  "HGETALL {k}",
  "HDEL {k} {v}",
  "HEXISTS {k} {v}",
  "HLEN {k}",
  "HKEYS {k}",
  "HVALS {k}",
  "HINCRBY {k} {v} {i}",
  "HINCRBYFLOAT {k} {v} {f}",
  "HSTRLEN {k} {v}",
  "HSCAN {k} 0 MATCH {pat}",
  "HRANDFIELD {k} {i} {any}",
  // sets
  "SADD {k} {v} {v}",
  "SREM {k} {v}",
  "SMEMBERS {k}",
  "SISMEMBER {k} {v}",
  "SMISMEMBER {k} {v} {v}",
  "SCARD {k}",
  "SPOP {k} {i}",
  "SRANDMEMBER {k} {i}",
  "SMOVE {k} {k} {v}",
  "SINTER {k} {k}",
  "SUNION {k} {k}",
  "SDIFF {k} {k}",
  "SINTERSTORE {k} {k} {k}",
  "SINTERCARD {n} {k} {k} {any} {i}",
  "SSCAN {k} 0 COUNT {i}",
  // sorted sets
  "ZADD {k} {any} {f} {v}",
  "ZADD {k} {f} {v} {f} {v}",
  "ZREM {k} {v}",
  "ZSCORE {k} {v}",
  "ZINCRBY {k} {f} {v}",
  "ZCARD {k}",
  "ZCOUNT {k} {f} {f}",
  "ZLEXCOUNT {k} {lex} {lex}",
  "ZRANGE {k} {i} {i} {any} {any}",
  "ZRANGE {k} {f} {f} BYSCORE LIMIT {i} {i}",
  "ZRANGE {k} {lex} {lex} BYLEX",
  "ZRANGEBYSCORE {k} {f} {f} {any}",
  "ZRANK {k} {v}",
  "ZPOPMIN {k} {i}",
  "ZPOPMAX {k}",
  "BZPOPMIN {k} {t}",
  "ZMPOP {n} {k} MIN",
  "ZRANGESTORE {k} {k} {i} {i}",
  "ZREMRANGEBYSCORE {k} {f} {f}",
  "ZUNIONSTORE {k} {n} {k} {k} {any} {i}",
  "ZINTER {n} {k} {k} {any}",
  "ZDIFF {n} {k} {k}",
  "ZRANDMEMBER {k} {i} {any}",
  "ZSCAN {k} 0 MATCH {pat}",
  // streams
  "XADD {k} {id} {v} {v}",
  "XADD {k} MAXLEN {any} {n} * {v} {v}",
  "XLEN {k}",
  "XRANGE {k} {id} {id} COUNT {i}",
  "XREVRANGE {k} {id} {id}",
  "XDEL {k} {id}",
  "XTRIM {k} MAXLEN {n}",
  "XREAD COUNT {i} STREAMS {k} {id}",
  "XREAD BLOCK 10 STREAMS {k} $",
  "XGROUP CREATE {k} {v} {id} {any}",
  "XREADGROUP GROUP {v} {v} STREAMS {k} {id}",
  "XACK {k} {v} {id}",
  "XPENDING {k} {v}",
  "XCLAIM {k} {v} {v} {i} {id}",
  "XAUTOCLAIM {k} {v} {v} {i} {id}",
  "XINFO STREAM {k}",
  "XINFO GROUPS {k}",
  "XGROUP DESTROY {k} {v}",
  // pub/sub, transactions, connection, server
  "SUBSCRIBE {v} {v}",
  "PSUBSCRIBE {pat}",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE {pat}",
  "PUBLISH {v} {v}",
  "PUBSUB CHANNELS {pat}",
  "PUBSUB NUMSUB {v}",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH {k}",
  "UNWATCH",
  "PING {v}",
  "ECHO {v}",
  "SELECT {n}",
  "HELLO {i}",
  "HELLO 3",
  "HELLO 2",
  "AUTH {v}",
  "RESET",
  "QUIT",
  "DBSIZE",
  "INFO {any}",
  "TIME",
  "COMMAND COUNT",
  "COMMAND INFO {v}",
  "COMMAND GETKEYS {v} {k}",
  "COMMAND DOCS GET",
  "CONFIG GET {pat}",
  "CLIENT ID",
  "CLIENT GETNAME",
  "CLIENT SETNAME {v}",
  "CLIENT INFO",
  "CLIENT LIST",
  "CLIENT NO-EVICT {any}",
  "MONITOR",
  "{v} {v}",
];

const TEMPLATES = COMMANDS.map((line) => line.split(" "));

/** A random command of the corpus, as its arguments. */
export function randomCommand(rnd: Random): string[] {
  return pick(rnd, TEMPLATES).map((word) => {
    const make = /^\{(\w+)\}$/.exec(word);
    return make ? (ARGS[make[1] as string] as (rnd: Random) => string)(rnd) : word;
  });
}

export function encode(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return out;
}

function mutate(rnd: Random, frame: string): string {
  const at = int(rnd, frame.length);
  switch (int(rnd, 6)) {
    case 0: // flip a byte
      return frame.slice(0, at) + String.fromCharCode(int(rnd, 256)) + frame.slice(at + 1);
    case 1: // truncate
      return frame.slice(0, at);
    case 2: // drop a byte
      return frame.slice(0, at) + frame.slice(at + 1);
    case 3: // insert bytes
      return frame.slice(0, at) + randomBytes(rnd, 1 + int(rnd, 4)) + frame.slice(at);
    case 4: // a digit of a length replaced
      return frame.replace(
        /[*$](\d+)/,
        (m) =>
          `${m[0]}${pick(rnd, ["0", "-1", "-2", "99", "2147483648", "18446744073709551616", "536870913", "+1", "01", ""])}`,
      );
    default: // CR/LF damaged
      return frame.replace(pick(rnd, ["\r\n", "\r", "\n"]), pick(rnd, ["\n", "\r", "\r\r\n", "", "\n\r"]));
  }
}

const ABSURD = [
  "*-1\r\n",
  "*0\r\n",
  "*-5\r\n",
  "*99999999999\r\n",
  "*2147483648\r\n",
  "*1\r\n$-1\r\n",
  "*1\r\n$99999999999\r\n",
  "*1\r\n$536870913\r\n",
  "*2\r\n$3\r\nGET\r\n$536870912\r\nabc",
  "*1\r\n$0\r\n\r\n",
  "*1\r\n$3\r\nGETX\r\n",
  "*\r\n",
  "$\r\n",
  "*x\r\n",
  "*1\r\n$x\r\n",
  "*3\r\n$1\r\n",
  "*1\r\n+PING\r\n",
  "*1\r\n:1\r\n",
  "*-0\r\n",
  "*1\r\n$+1\r\na\r\n",
];

/** `depth` nested multibulk headers: clients may not send nested arrays. */
const nested = (rnd: Random) => `${"*1\r\n".repeat(1 + int(rnd, 2000))}$4\r\nPING\r\n`;

function inlineGarbage(rnd: Random): string {
  const pieces = [
    "PING",
    "SET",
    "GET",
    " ",
    "  ",
    '"',
    "'",
    "\\x4",
    "\\xZZ",
    '"a"b',
    "'a'b",
    "\\",
    "\t",
    "k",
    "\x00",
    "\xff",
  ];
  let line = "";
  for (let n = int(rnd, 12); n >= 0; n--) line += pick(rnd, pieces);
  return `${line}${pick(rnd, ["\r\n", "\n", "\r\n\r\n", ""])}`;
}

/** A frame that breaks the protocol or a command: mutated, absurd, garbage, nested or random. */
export function brokenFrame(rnd: Random): string {
  const kind = rnd();
  if (kind < 0.5) return mutate(rnd, encode(randomCommand(rnd)));
  if (kind < 0.64) return pick(rnd, ABSURD);
  if (kind < 0.8) return inlineGarbage(rnd);
  if (kind < 0.85) return nested(rnd);
  if (kind < 0.855) return `${"x".repeat(70_000)}\r\n`; // longer than an inline request may be
  return randomBytes(rnd, 1 + int(rnd, 64));
}

/**
 * The frames of one connection: valid commands, then a broken frame (which may end the connection
 * with a protocol error), then a few more frames of either kind that the server must then ignore.
 */
export function connectionFrames(rnd: Random): string[] {
  const frames: string[] = [];
  for (let n = int(rnd, 40); n > 0; n--) frames.push(encode(randomCommand(rnd)));
  frames.push(brokenFrame(rnd));
  for (let n = int(rnd, 4); n > 0; n--)
    frames.push(rnd() < 0.5 ? encode(randomCommand(rnd)) : brokenFrame(rnd));
  return frames;
}
