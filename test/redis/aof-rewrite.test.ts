/** The AOF rewrite: a compact snapshot, built in the background while clients keep writing. */
import fs from "node:fs";
import path from "node:path";
import type { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import type { RedisServer } from "../../src/redis/index.js";
import type { Collection } from "../../src/redis/keyspace/values.js";
import { aofPath, nextTurn, parseAof, readAof, startAofServer } from "./aof-helpers.js";
import { ioredis } from "./helpers.js";

/** Every key of databases 0–3 with its value and whether it has a TTL. */
async function dump(client: Redis): Promise<Record<string, [string | null, boolean]>> {
  const all: Record<string, [string | null, boolean]> = {};
  for (const db of [0, 1, 2, 3]) {
    await client.select(db);
    const keys = await client.keys("*");
    const pipeline = client.pipeline();
    for (const key of keys) pipeline.get(key).pttl(key);
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const value = replies[2 * i]?.[1] as string | null;
      const ttl = replies[2 * i + 1]?.[1] as number;
      all[`${db}:${key}`] = [value, ttl > 0];
    });
  }
  await client.select(0);
  return all;
}

async function restartAndDump(server: RedisServer, file: string, client: Redis) {
  client.disconnect();
  await server.stop();
  const copy = path.join(path.dirname(file), "copy.aof");
  fs.copyFileSync(file, copy);
  const again = await startAofServer(copy);
  return dump(ioredis(again.server.port));
}

describe("AOF rewrite", () => {
  it("replaces the file with the commands that rebuild the keyspace, which is smaller", async () => {
    const file = aofPath();
    const { server, logs } = await startAofServer(file);
    const client = ioredis(server.port);
    for (let i = 0; i < 200; i++) await client.incr("counter");
    await client.set("gone", "x");
    await client.del("gone");
    await client.set("ttl", "v", "EX", 1000);
    await client.select(2);
    await client.set("two", Buffer.from([0, 10, 13, 255]));
    await nextTurn();
    const before = fs.statSync(file).size;

    await server.rewriteAppendOnlyFile();
    const text = readAof(file);
    expect(text.length).toBeLessThan(before / 10);
    const commands = parseAof(text);
    expect(commands.slice(0, 3)).toEqual([
      ["SELECT", "0"],
      ["SET", "counter", "200"],
      ["SET", "ttl", "v"],
    ]);
    expect(commands[3]?.slice(0, 2)).toEqual(["PEXPIREAT", "ttl"]);
    expect(commands.slice(4)).toEqual([
      ["SELECT", "2"],
      ["SET", "two", "\x00\n\r\xff"],
    ]);
    expect(logs.map((line) => line.message)).toContain("append-only file rewritten");
    expect(await client.info("persistence")).toMatch(/aof_rewrites:1\r\n/);

    // Logging continues in the new file, in the right database.
    await client.select(0);
    await client.incr("counter");
    await nextTurn();
    expect(parseAof(readAof(file)).slice(-2)).toEqual([
      ["SELECT", "0"],
      ["incr", "counter"],
    ]);
    const expected = await dump(client);
    expect(await restartAndDump(server, file, client)).toEqual(expected);
    expect(fs.readdirSync(path.dirname(file)).filter((name) => name.startsWith("temp-"))).toEqual([]);
  });

  it("rebuilds every type from the commands each one describes itself with", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    const read = async (redis: Redis) => [
      await redis.lrange("list", 0, -1),
      await redis.hgetall("hash"),
      (await redis.smembers("set")).sort(),
      await redis.zrange("zset", "0", "-1", "WITHSCORES"),
      await redis.xrange("stream", "-", "+"),
      await redis.xinfo("GROUPS", "stream"),
      await redis.object("ENCODING", "big"),
      await redis.pttl("list").then((ttl) => ttl > 0),
    ];
    await client.rpush("list", "a", "b\r\n", "\x00");
    await client.expire("list", 1000);
    await client.hset("hash", "f", "1", "g", "2");
    await client.sadd("set", "x", "y", "z");
    await client.zadd("zset", "1.5", "m", "-2", "n", "inf", "o");
    await client.xadd("stream", "1-1", "f", "v");
    await client.xadd("stream", "2-0", "g", "w");
    await client.xgroup("CREATE", "stream", "readers", "0");
    await client.xreadgroup("GROUP", "readers", "alice", "COUNT", "1", "STREAMS", "stream", ">");
    await client.rpush("big", ...Array.from({ length: 300 }, (_, i) => `item${i}`));
    const expected = await read(client);
    await server.rewriteAppendOnlyFile();
    client.disconnect();
    await server.stop();
    const again = await startAofServer(file);
    expect(await read(ioredis(again.server.port))).toEqual(expected);
  });

  it("keeps a point-in-time snapshot while clients write during it", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    const load = client.pipeline();
    for (let i = 0; i < 40_000; i++) load.set(`k${i}`, "0");
    await load.exec();
    await client.select(1);
    await client.mset("a", "1", "b", "2");
    await client.select(0);

    const rewrite = server.rewriteAppendOnlyFile();
    let during = 0;
    for (let round = 0; round < 30 && server.state.aof?.rewriting; round++) {
      const writes = client.pipeline();
      for (let i = 0; i < 50; i++) {
        const n = (round * 977 + i * 131) % 40_000;
        writes.incr(`k${n}`).append(`k${(n + 7) % 40_000}`, "x");
      }
      writes
        .del(`k${round}`)
        .rename(`k${40_000 - round - 1}`, `moved${round}`)
        .set(`new${round}`, "n");
      writes.expire(`k${round + 100}`, 1000).incr(`new${round}`);
      await writes.exec();
      during++;
    }
    await rewrite;
    expect(during).toBeGreaterThan(1); // the rewrite really ran alongside the writes
    await client.incr("after");
    const expected = await dump(client);
    expect(await restartAndDump(server, file, client)).toEqual(expected);
  });

  it("snapshots everything left before a command whose keys it cannot know (MOVE, SWAPDB, FLUSHDB)", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    const load = client.pipeline();
    for (let i = 0; i < 20_000; i++) load.set(`k${i}`, String(i));
    await load.exec();

    const rewrite = server.rewriteAppendOnlyFile();
    await client.move("k19999", 1);
    await client.incr("k19998");
    await client.swapdb(1, 2);
    await client.select(2);
    await client.incr("k19999");
    await client.flushdb();
    await client.set("after", "flush");
    await client.select(0);
    await rewrite;
    const expected = await dump(client);
    expect(expected["0:k19998"]).toEqual(["19999", false]);
    expect(await restartAndDump(server, file, client)).toEqual(expected);
  });

  it("starts by itself once the file doubled past the minimum size", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file, { aofRewriteMinSize: 4096 });
    const client = ioredis(server.port);
    for (let i = 0; i < 300; i++) await client.incr("counter");
    await vi.waitFor(() => expect(server.state.aof?.rewrites).toBeGreaterThan(0), { timeout: 3000 });
    await nextTurn();
    expect(fs.statSync(file).size).toBeLessThan(4096);
    expect(await restartAndDump(server, file, client)).toEqual({ "0:counter": ["300", false] });
  });

  it("is refused, keeping the file, while a type cannot be written as commands", async () => {
    const file = aofPath();
    const { server, logs } = await startAofServer(file);
    const client = ioredis(server.port);
    await client.set("a", "1");
    await nextTurn();
    const opaque: Collection = { type: "hash", size: 1, encoding: () => "listpack", clone: () => opaque };
    server.state.keyspace.db(0).create("opaque", opaque);
    const before = readAof(file);
    await expect(server.rewriteAppendOnlyFile()).rejects.toThrow(
      "the hash type cannot be written as commands yet (Collection.toCommands is missing)",
    );
    expect(readAof(file)).toBe(before);
    expect(logs).toContainEqual(expect.objectContaining({ level: "warn" }));
    expect(fs.readdirSync(path.dirname(file)).filter((name) => name.startsWith("temp-"))).toEqual([]);
    await client.set("b", "2");
    await nextTurn();
    expect(parseAof(readAof(file)).at(-1)).toEqual(["set", "b", "2"]);
  });

  it("is abandoned when the server stops, leaving the old file and no temporary file", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    const load = client.pipeline();
    for (let i = 0; i < 20_000; i++) load.set(`k${i}`, "v");
    await load.exec();
    await nextTurn();
    const before = readAof(file);
    const rewrite = server.rewriteAppendOnlyFile();
    await server.stop();
    await expect(rewrite).rejects.toThrow("the server stopped");
    expect(readAof(file)).toBe(before);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["appendonly.aof"]);
  });
});
