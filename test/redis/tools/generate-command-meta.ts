/**
 * Regenerates src/redis/commands/command-meta-data.ts from a real Redis 7.0 (Debian's redis-server):
 * what the embedded server's specs do not hold but COMMAND INFO / COMMAND DOCS report — ACL
 * categories, tips, key specs, flags the specs cannot express, and the 7.0 documentation (summary,
 * complexity, history, arguments). Redis's command docs are BSD-licensed (src/commands/*.json).
 *
 *   npx tsx test/redis/tools/generate-command-meta.ts
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { allCommands } from "../../../src/redis/commands/index.js";
import { freePort } from "../../../support/ports.js";

/** The commands issue #3 asks for and those the server has (containers bring their subcommands). */
const ISSUE_COMMANDS =
  `ping echo quit reset select swapdb auth hello client info dbsize flushdb flushall time command
config monitor del unlink exists type keys scan rename renamenx expire pexpire expireat pexpireat ttl pttl
expiretime pexpiretime persist randomkey copy move touch object get set setnx setex psetex getset getdel getex
mget mset msetnx append strlen incr decr incrby decrby incrbyfloat getrange setrange lcs hset hsetnx hget hmget
hmset hgetall hdel hexists hlen hkeys hvals hincrby hincrbyfloat hstrlen hscan hrandfield lpush rpush lpushx
rpushx lpop rpop llen lrange lindex lset lrem ltrim linsert lpos lmove rpoplpush lmpop blpop brpop blmove
brpoplpush blmpop sadd srem smembers sismember smismember scard spop srandmember smove sinter sunion sdiff
sinterstore sunionstore sdiffstore sintercard sscan zadd zrem zscore zmscore zincrby zcard zcount zlexcount
zrange zrangebyscore zrevrangebyscore zrangebylex zrevrangebylex zrevrange zrank zrevrank zpopmin zpopmax
bzpopmin bzpopmax bzmpop zmpop zrangestore zremrangebyscore zremrangebyrank zremrangebylex zunionstore
zinterstore zdiffstore zunion zinter zdiff zrandmember zscan xadd xlen xrange xrevrange xdel xtrim xread xgroup
xreadgroup xack xpending xclaim xautoclaim xinfo subscribe unsubscribe psubscribe punsubscribe publish pubsub
ssubscribe sunsubscribe spublish multi exec discard watch unwatch`.split(/\s+/);
const COMMANDS = [...new Set([...ISSUE_COMMANDS, ...allCommands().map((spec) => spec.name)])];

/** Flags the embedded server's CommandFlag type does not model: copied from Redis. */
const UNMODELLED_FLAGS = new Set(["no_mandatory_keys", "no_async_loading", "asking", "movablekeys"]);

type Value = string | number | null | Value[] | { [key: string]: Value };

/** A minimal RESP3 reader: maps become objects (key order kept), sets and arrays become arrays. */
function parse(buf: Buffer, pos = 0): [Value, number] {
  const end = buf.indexOf("\r\n", pos);
  const type = String.fromCharCode(buf[pos] as number);
  const line = buf.toString("latin1", pos + 1, end);
  let next = end + 2;
  if (type === "+" || type === "-") return [line, next];
  if (type === ":") return [Number(line), next];
  if (type === "_") return [null, next];
  if (type === "$" || type === "=") {
    const length = Number(line);
    return [buf.toString("latin1", next, next + length), next + length + 2];
  }
  const count = Number(line);
  if (type === "%") {
    const map: { [key: string]: Value } = {};
    for (let i = 0; i < count; i++) {
      const [key, afterKey] = parse(buf, next);
      const [value, afterValue] = parse(buf, afterKey);
      map[key as string] = value;
      next = afterValue;
    }
    return [map, next];
  }
  const items: Value[] = [];
  for (let i = 0; i < count; i++) {
    const [item, after] = parse(buf, next);
    items.push(item);
    next = after;
  }
  return [items, next];
}

async function ask(port: number, args: string[]): Promise<Value> {
  const request = [["HELLO", "3"], args]
    .map((a) => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join("")}`)
    .join("");
  const chunks: Buffer[] = [];
  const socket = net.connect({ port, host: "127.0.0.1" });
  socket.write(request);
  socket.on("data", (chunk) => chunks.push(chunk));
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const buf = Buffer.concat(chunks);
    try {
      const [, afterHello] = parse(buf);
      const [value, end] = parse(buf, afterHello);
      if (end <= buf.length) {
        socket.destroy();
        return value;
      }
    } catch {
      // incomplete: wait for more
    }
  }
}

interface Meta {
  extraFlags?: string[];
  acl: string[];
  tips?: string[];
  keySpecs?: Value[];
  docs: Record<string, Value>;
}

function collect(info: Value[], docs: Record<string, Value>, out: Record<string, Meta>): void {
  const [name, , flags, , , , acl, tips, keySpecs, subcommands] = info as [
    string,
    number,
    string[],
    number,
    number,
    number,
    string[],
    string[],
    Value[],
    Value[][],
  ];
  const { subcommands: subDocs, ...doc } = docs[name] as Record<string, Value>;
  const extraFlags = flags.filter((flag) => UNMODELLED_FLAGS.has(flag));
  out[name] = {
    ...(extraFlags.length > 0 ? { extraFlags } : {}),
    acl,
    ...(tips.length > 0 ? { tips } : {}),
    ...(keySpecs.length > 0 ? { keySpecs } : {}),
    docs: doc,
  };
  for (const sub of subcommands) collect(sub, (subDocs ?? {}) as Record<string, Value>, out);
}

async function main(): Promise<void> {
  const port = await freePort();
  const server = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const infos = (await ask(port, ["COMMAND", "INFO", ...COMMANDS])) as Value[][];
    const docs = (await ask(port, ["COMMAND", "DOCS", ...COMMANDS])) as Record<string, Value>;
    const meta: Record<string, Meta> = {};
    for (const info of infos) if (info) collect(info, docs, meta);
    const target = path.join(
      path.dirname(fileURLToPath(import.meta.url)),
      "../../../src/redis/commands/command-meta-data.ts",
    );
    const text = [
      "// Generated by test/redis/tools/generate-command-meta.ts from Redis 7.0.15's COMMAND INFO and",
      "// COMMAND DOCS (Redis's command documentation, BSD-3-Clause). Do not edit by hand.",
      "",
      `export const COMMAND_META_JSON = ${JSON.stringify(JSON.stringify(meta))};`,
      "",
    ].join("\n");
    fs.writeFileSync(target, text);
    console.log(`${Object.keys(meta).length} commands, ${text.length} bytes → ${target}`);
  } finally {
    server.kill("SIGKILL");
  }
}

await main();
