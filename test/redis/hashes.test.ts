import { describe, expect, it } from "vitest";
import { HashValue } from "../../src/redis/types/hash.js";
import { aofPath, nextTurn, parseAof, readAof, startAofServer } from "./aof-helpers.js";
import { ioredis, rawExchange, resp, startServer } from "./helpers.js";

/** Sends `commands` (one array of arguments each) over raw RESP2 and returns the raw reply bytes. */
async function raw(port: number, ...commands: string[][]): Promise<string> {
  const { reply } = await rawExchange(port, Buffer.concat(commands.map((argv) => resp(...argv))));
  return reply;
}

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const bulk = (text: string) => `$${text.length}\r\n${text}\r\n`;
/** HSET key f0 v0 … f(n-1) v(n-1). */
const hsetMany = (key: string, n: number): string[] => [
  "HSET",
  key,
  ...Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`]).flat(),
];

describe("HashValue", () => {
  it("keeps insertion order like a Map, and its slots agree with it, through random sets and deletes", () => {
    const hash = new HashValue();
    const model = new Map<string, string>();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const mismatches: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const field = `f${random(60)}`;
      if (random(3) === 0) {
        if (hash.delete(field) !== model.delete(field)) mismatches.push(step);
      } else {
        if (hash.set(field, String(step)) === model.has(field)) mismatches.push(step);
        model.set(field, String(step));
      }
      if (hash.size !== model.size || hash.get(field) !== model.get(field)) mismatches.push(step);
    }
    expect(mismatches).toEqual([]);
    const entries: [string, string][] = [];
    hash.forEach((field, value) => {
      entries.push([field, value]);
    });
    expect(entries).toEqual([...model]);
    expect([...hash.fields()]).toEqual([...model.keys()]);
    const slots = [...hash.orderedSlots()];
    expect(slots.map((slot) => hash.fieldAtSlot(slot))).toEqual([...model.keys()]);
    expect(slots.map((slot) => hash.valueAtSlot(slot))).toEqual([...model.values()]);
    expect([...slots].sort((a, b) => a - b)).toEqual(Array.from({ length: model.size }, (_, i) => i));
  });

  it("is a listpack up to 512 fields of at most 64 bytes, then a hashtable for good", () => {
    const hash = new HashValue();
    for (let i = 0; i < 511; i++) hash.set(`f${i}`, "v");
    hash.set("f0", "x".repeat(64));
    hash.set("y".repeat(64), "v");
    expect(hash.size).toBe(512);
    expect(hash.encoding()).toBe("listpack");
    hash.set("f511", "v");
    expect(hash.encoding()).toBe("hashtable");
    for (let i = 0; i < 500; i++) hash.delete(`f${i}`);
    expect(hash.encoding()).toBe("hashtable");

    const long = new HashValue();
    long.set("a", "x".repeat(65));
    expect(long.encoding()).toBe("hashtable");
    const longField = new HashValue();
    longField.set("x".repeat(65), "");
    expect(longField.encoding()).toBe("hashtable");
  });

  it("clones deeply, keeping the encoding, and rebuilds itself as HSETs of 64 fields", () => {
    const hash = new HashValue();
    for (let i = 0; i < 130; i++) hash.set(`f${i}`, `v${i}`);
    hash.set("big", "x".repeat(100));
    hash.delete("big");
    const copy = hash.clone();
    copy.set("f0", "changed");
    expect(hash.get("f0")).toBe("v0");
    expect(copy.encoding()).toBe("hashtable");
    const commands = hash.toCommands("k");
    expect(commands.map((argv) => argv.length)).toEqual([2 + 128, 2 + 128, 2 + 4]);
    expect(commands[0]?.slice(0, 4)).toEqual(["HSET", "k", "f0", "v0"]);
    expect(commands[2]?.slice(2)).toEqual(["f128", "v128", "f129", "v129"]);
  });
});

describe("hash commands", () => {
  it("sets and reads fields with ioredis (RESP3), answering in insertion order", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    expect(await client.hset("h", "b", "1", "a", "2")).toBe(2);
    expect(await client.hset("h", { c: "3", b: "10" })).toBe(1);
    expect(await client.hget("h", "b")).toBe("10");
    expect(await client.hget("h", "zz")).toBeNull();
    expect(await client.hmget("h", "a", "zz", "c")).toEqual(["2", null, "3"]);
    expect(Object.entries(await client.hgetall("h"))).toEqual([
      ["b", "10"],
      ["a", "2"],
      ["c", "3"],
    ]);
    expect(await client.hkeys("h")).toEqual(["b", "a", "c"]);
    expect(await client.hvals("h")).toEqual(["10", "2", "3"]);
    expect(await client.hlen("h")).toBe(3);
    expect(await client.hexists("h", "a")).toBe(1);
    expect(await client.hstrlen("h", "b")).toBe(2);
    expect(await client.hsetnx("h", "a", "x")).toBe(0);
    expect(await client.hsetnx("h", "d", "4")).toBe(1);
    expect(await client.hmset("h", "e", "5")).toBe("OK");
    expect(await client.hdel("h", "a", "zz")).toBe(1);
    expect(await client.hkeys("h")).toEqual(["b", "c", "d", "e"]);
    expect(await client.hdel("h", "b", "c", "d", "e")).toBe(4);
    expect(await client.exists("h")).toBe(0);
    expect(await client.hgetall("h")).toEqual({});
  });

  it("answers HGETALL as a flat array in RESP2 and a map in RESP3", async () => {
    const server = await startServer();
    const hello = resp("HELLO", "3");
    expect(
      await raw(server.port, ["hset", "h", "a", "1", "b", "2"], ["HGETALL", "h"], ["HGETALL", "nokey"]),
    ).toBe(`:2\r\n*4\r\n${bulk("a")}${bulk("1")}${bulk("b")}${bulk("2")}*0\r\n`);
    const { reply } = await rawExchange(
      server.port,
      Buffer.concat([hello, resp("HGETALL", "h"), resp("HMGET", "h", "x")]),
    );
    expect(reply.slice(reply.indexOf("%2\r\n$1\r\na"))).toBe(
      `%2\r\n${bulk("a")}${bulk("1")}${bulk("b")}${bulk("2")}*1\r\n_\r\n`,
    );
  });

  it("checks HSET's pairs before the type, and answers WRONGTYPE for every hash command", async () => {
    const server = await startServer();
    expect(
      await raw(server.port, ["SET", "s", "v"], ["HSET", "s", "a", "1", "b"], ["HMSET", "s", "a", "1", "b"]),
    ).toBe(
      "+OK\r\n-ERR wrong number of arguments for 'hset' command\r\n-ERR wrong number of arguments for 'hmset' command\r\n",
    );
    const commands = [
      ["HSET", "s", "a", "1"],
      ["HSETNX", "s", "a", "1"],
      ["HGET", "s", "a"],
      ["HMGET", "s", "a"],
      ["HGETALL", "s"],
      ["HDEL", "s", "a"],
      ["HEXISTS", "s", "a"],
      ["HLEN", "s"],
      ["HKEYS", "s"],
      ["HVALS", "s"],
      ["HINCRBY", "s", "a", "1"],
      ["HINCRBYFLOAT", "s", "a", "1"],
      ["HSTRLEN", "s", "a"],
      ["HSCAN", "s", "0"],
      ["HRANDFIELD", "s"],
      ["HRANDFIELD", "s", "-5", "WITHVALUES"],
    ];
    expect(await raw(server.port, ...commands)).toBe(WRONGTYPE.repeat(commands.length));
  });

  it("increments integers with overflow checks and floats in long double", async () => {
    const server = await startServer();
    expect(
      await raw(
        server.port,
        ["HINCRBY", "h", "n", "9223372036854775806"],
        ["HINCRBY", "h", "n", "1"],
        ["HINCRBY", "h", "n", "1"],
        ["HINCRBY", "h", "n", "x"],
        ["HSET", "h", "s", "1.5"],
        ["HINCRBY", "h", "s", "1"],
        ["HINCRBYFLOAT", "h", "f", "0.1"],
        ["HINCRBYFLOAT", "h", "f", "0.2"],
        ["HINCRBYFLOAT", "h", "s", "1e3"],
        ["HINCRBYFLOAT", "h", "f", "inf"],
        ["HINCRBYFLOAT", "h", "f", "x"],
        ["HSET", "h", "t", "text"],
        ["HINCRBYFLOAT", "h", "t", "1"],
        ["HINCRBYFLOAT", "h", "big", "1e4932"],
        ["HINCRBYFLOAT", "h", "big", "1e4932"],
      ),
    ).toMatch(
      new RegExp(
        "^:9223372036854775806\r\n:9223372036854775807\r\n-ERR increment or decrement would overflow\r\n" +
          "-ERR value is not an integer or out of range\r\n:1\r\n-ERR hash value is not an integer\r\n" +
          "\\$3\r\n0.1\r\n\\$3\r\n0.3\r\n\\$6\r\n1001.5\r\n-ERR value is NaN or Infinity\r\n" +
          "-ERR value is not a valid float\r\n:1\r\n-ERR hash value is not a float\r\n" +
          "\\$4933\r\n1\\d{4932}\r\n-ERR increment would produce NaN or Infinity\r\n$",
      ),
    );
  });

  it("HSCAN answers a listpack whole and walks a hashtable, missing nothing present throughout", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.hset("small", "a", "1", "ab", "2", "b", "3");
    expect(await client.hscan("small", "123", "COUNT", "1")).toEqual(["0", ["a", "1", "ab", "2", "b", "3"]]);
    expect(await client.hscan("small", "0", "MATCH", "a*")).toEqual(["0", ["a", "1", "ab", "2"]]);
    expect(await client.hscan("nokey", "0", "COUNT", "0")).toEqual(["0", []]);
    await expect(client.hscan("small", "0", "COUNT", "0")).rejects.toThrow("ERR syntax error");
    await expect(client.hscan("small", "x")).rejects.toThrow("ERR invalid cursor");

    await client.call(...(hsetMany("big", 1000) as [string, ...string[]]));
    const seen = new Map<string, number>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, flat] = await client.hscan("big", cursor, "COUNT", "25");
      calls++;
      for (let i = 0; i < flat.length; i += 2) {
        const field = flat[i] as string;
        expect(flat[i + 1]).toBe(`v${field.slice(1)}`);
        seen.set(field, (seen.get(field) ?? 0) + 1);
      }
      // Churn during the scan: f990 and f991 go (f990 comes back), a new field appears.
      if (calls === 5) await client.hdel("big", "f990", "f991");
      if (calls === 10) await client.hset("big", "fnew", "vnew", "f990", "v990");
      cursor = next;
    } while (cursor !== "0");
    expect(calls).toBeGreaterThan(30);
    for (let i = 0; i < 1000; i++) if (i !== 990 && i !== 991) expect(seen.get(`f${i}`)).toBe(1);
    const [, matched] = await client.hscan("big", "0", "MATCH", "f99?", "COUNT", "5000");
    expect(matched.filter((_, i) => i % 2 === 0).sort()).toEqual(
      ["f990", "f992", "f993", "f994", "f995", "f996", "f997", "f998", "f999"].sort(),
    );
  });

  it("HRANDFIELD keeps its invariants: distinct or repeated fields, values that match", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.hset("h", "a", "1", "b", "2", "c", "3", "d", "4");
    const values: Record<string, string> = { a: "1", b: "2", c: "3", d: "4" };
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const one = (await client.hrandfield("h")) as string;
      expect(values[one]).toBeDefined();
      seen.add(one);
      const distinct = (await client.hrandfield("h", 3)) as string[];
      expect(new Set(distinct).size).toBe(3);
      for (const field of distinct) expect(values[field]).toBeDefined();
      const repeated = (await client.hrandfield("h", -10)) as string[];
      expect(repeated).toHaveLength(10);
      for (const field of repeated) expect(values[field]).toBeDefined();
    }
    expect(seen.size).toBe(4);
    // RESP3 with values: pairs; a count ≥ size gives the whole hash in order.
    const pairs = (await client.call("HRANDFIELD", "h", "-6", "WITHVALUES")) as [string, string][];
    expect(pairs).toHaveLength(6);
    for (const [field, value] of pairs) expect(values[field]).toBe(value);
    expect(await client.call("HRANDFIELD", "h", "9", "WITHVALUES")).toEqual([
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
      ["d", "4"],
    ]);
    expect(await client.hrandfield("nokey")).toBeNull();
    expect(await client.hrandfield("nokey", -3)).toEqual([]);
    // RESP2 with values: a flat array.
    const flat = await raw(server.port, ["HRANDFIELD", "h", "-2", "WITHVALUES"]);
    expect(flat).toMatch(/^\*4\r\n(\$1\r\n([a-d])\r\n\$1\r\n[1-4]\r\n){2}$/);
  });

  it("HRANDFIELD picks distinct fields of a hashtable, and a huge negative count hits the output limit", async () => {
    const server = await startServer({ maxOutputBuffer: 1024 * 1024 });
    const client = ioredis(server.port);
    await client.call(...(hsetMany("big", 700) as [string, ...string[]]));
    for (const count of [5, 300, 699]) {
      const picked = (await client.hrandfield("big", count)) as string[];
      expect(new Set(picked).size).toBe(count);
      for (const field of picked) expect(field).toMatch(/^f\d+$/);
    }
    const { closed } = await rawExchange(
      server.port,
      resp("HRANDFIELD", "big", "-4611686018427387903"),
      5000,
    );
    expect(closed).toBe(true);
    expect(await client.hlen("big")).toBe(700);
  });

  it("tells WATCH about changes, even to the same value, and not about no-ops", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.hset("h", "a", "1");
    await client.watch("h");
    await client.hdel("h", "zz");
    await client.hsetnx("h", "a", "2");
    expect(await client.multi().hget("h", "a").exec()).toEqual([[null, "1"]]);
    await client.watch("h");
    await client.hset("h", "a", "1");
    expect(await client.multi().hget("h", "a").exec()).toBeNull();
  });

  it("logs HINCRBYFLOAT as HSET of the result, and replays and rewrites hashes", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    await client.hset("h", "a", "1", "b", "2");
    await client.hincrbyfloat("h", "f", "0.1");
    await client.hincrbyfloat("h", "f", "0.2");
    await client.hdel("h", "a", "zz");
    await client.hdel("h", "zz");
    await nextTurn();
    expect(parseAof(readAof(file))).toEqual([
      ["SELECT", "0"],
      ["hset", "h", "a", "1", "b", "2"],
      ["HSET", "h", "f", "0.1"],
      ["HSET", "h", "f", "0.3"],
      ["hdel", "h", "a", "zz"],
    ]);
    await client.call(...(hsetMany("big", 100) as [string, ...string[]]));
    await server.rewriteAppendOnlyFile();
    const rewritten = parseAof(readAof(file));
    expect(rewritten.filter((argv) => argv[1] === "big").map((argv) => argv.length)).toEqual([130, 74]);
    const before = [await client.hgetall("h"), await client.hgetall("big")];
    client.disconnect();
    await server.stop();
    const again = await startAofServer(file);
    const other = ioredis(again.server.port);
    expect([await other.hgetall("h"), await other.hgetall("big")]).toEqual(before);
  });
});
