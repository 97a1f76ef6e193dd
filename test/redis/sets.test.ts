import { describe, expect, it } from "vitest";
import { compareIntegers, isIntsetMember, SetValue } from "../../src/redis/types/set.js";
import { aofPath, nextTurn, parseAof, readAof, startAofServer } from "./aof-helpers.js";
import { ioredis, rawExchange, resp, startServer } from "./helpers.js";

/** Sends `commands` (one array of arguments each) over raw RESP2 and returns the raw reply bytes. */
async function raw(port: number, ...commands: string[][]): Promise<string> {
  const { reply } = await rawExchange(port, Buffer.concat(commands.map((argv) => resp(...argv))));
  return reply;
}

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const bulks = (...items: string[]) => items.map((item) => `$${item.length}\r\n${item}\r\n`).join("");
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => String(from + i));
const sorted = (items: string[]) => [...items].sort();

describe("SetValue", () => {
  it("knows which strings an intset holds, and orders them by value", () => {
    for (const text of ["0", "-1", "42", "9223372036854775807", "-9223372036854775808"]) {
      expect(isIntsetMember(text)).toBe(true);
    }
    for (const text of [
      "",
      "-",
      "-0",
      "01",
      "+1",
      "1.0",
      " 1",
      "9223372036854775808",
      "-9223372036854775809",
      "1e3",
    ]) {
      expect(isIntsetMember(text)).toBe(false);
    }
    const numbers = [
      "-9223372036854775808",
      "-100",
      "-99",
      "-1",
      "0",
      "7",
      "10",
      "123",
      "9223372036854775807",
    ];
    const shuffled = [...numbers].reverse();
    expect(shuffled.sort(compareIntegers)).toEqual(numbers);
  });

  it("matches a model through random adds and removes, sorted while an intset", () => {
    const set = new SetValue();
    const model = new Set<string>();
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const mismatches: string[] = [];
    const step = (member: string) => {
      const adding = random(2) === 0;
      const answer = adding ? set.add(member) : set.remove(member);
      if (answer !== (adding !== model.has(member)))
        mismatches.push(`${adding ? "add" : "remove"} ${member}`);
      if (adding) model.add(member);
      else model.delete(member);
      if (set.size !== model.size) mismatches.push(`size after ${member}`);
    };
    for (let i = 0; i < 20_000; i++) {
      step(String(random(400) - 200));
    }
    expect(mismatches).toEqual([]);
    expect(set.encoding()).toBe("intset");
    expect(set.values()).toEqual([...model].sort(compareIntegers));
    set.add("x");
    model.add("x");
    for (let i = 0; i < 20_000; i++) {
      step(random(4) === 0 ? String(random(100)) : `m${random(300)}`);
    }
    expect(mismatches).toEqual([]);
    expect(set.encoding()).toBe("hashtable");
    expect(sorted([...set.values()])).toEqual(sorted([...model]));
    expect(sorted([...set.scanOrder()])).toEqual(sorted([...model]));
    for (let i = 0; i < set.size; i++) expect(set.has(set.at(i))).toBe(true);
  });

  it("becomes a hashtable past 512 integers or with a non-integer, for good", () => {
    const set = new SetValue();
    for (const member of range(512)) set.add(member);
    expect(set.encoding()).toBe("intset");
    set.add("512");
    expect(set.encoding()).toBe("hashtable");
    for (const member of range(510)) set.remove(member);
    expect(set.encoding()).toBe("hashtable");
    const other = new SetValue();
    other.add("1");
    other.add("01");
    expect(other.encoding()).toBe("hashtable");
    expect(sorted([...other.values()])).toEqual(["01", "1"]);
  });

  it("clones deeply, keeping the encoding, and rebuilds itself as SADDs of 64 members", () => {
    const set = new SetValue();
    for (const member of range(100)) set.add(member);
    set.add("x");
    set.remove("x");
    const copy = set.clone();
    copy.remove("5");
    expect(set.has("5")).toBe(true);
    expect(copy.encoding()).toBe("hashtable");
    const commands = set.toCommands("k");
    expect(commands.map((argv) => argv.length)).toEqual([66, 38]);
    expect(sorted(commands.flatMap((argv) => argv.slice(2)))).toEqual(sorted(range(100)));
  });
});

describe("set commands", () => {
  it("adds, removes and answers membership with ioredis (RESP3)", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    expect(await client.sadd("s", "3", "1", "2", "1")).toBe(3);
    expect(await client.smembers("s")).toEqual(["1", "2", "3"]);
    expect(await client.scard("s")).toBe(3);
    expect(await client.sismember("s", "2")).toBe(1);
    expect(await client.smismember("s", "1", "9", "3")).toEqual([1, 0, 1]);
    expect(await client.srem("s", "1", "9")).toBe(1);
    expect(await client.object("ENCODING", "s")).toBe("intset");
    expect(await client.sadd("s", "x")).toBe(1);
    expect(await client.object("ENCODING", "s")).toBe("hashtable");
    expect(sorted(await client.smembers("s"))).toEqual(["2", "3", "x"]);
    expect(await client.srem("s", "2", "3", "x")).toBe(3);
    expect(await client.exists("s")).toBe(0);
    expect(await client.smembers("s")).toEqual([]);
  });

  it("answers sets as sets in RESP3 and arrays in RESP2, SRANDMEMBER as arrays in both", async () => {
    const server = await startServer();
    const commands = [
      resp("SADD", "s", "2", "1"),
      resp("SMEMBERS", "s"),
      resp("SPOP", "nokey", "2"),
      resp("SRANDMEMBER", "s", "5"),
      resp("SINTER", "s", "nokey"),
    ];
    expect((await rawExchange(server.port, Buffer.concat(commands))).reply).toBe(
      `:2\r\n*2\r\n${bulks("1", "2")}*0\r\n*2\r\n${bulks("1", "2")}*0\r\n`,
    );
    const { reply } = await rawExchange(
      server.port,
      Buffer.concat([resp("HELLO", "3"), ...commands.slice(1)]),
    );
    expect(reply.slice(reply.indexOf("~2\r\n"))).toBe(
      `~2\r\n${bulks("1", "2")}~0\r\n*2\r\n${bulks("1", "2")}~0\r\n`,
    );
  });

  it("answers WRONGTYPE for every set command, checking every key of the multi-key ones", async () => {
    const server = await startServer();
    const commands = [
      ["SADD", "str", "a"],
      ["SREM", "str", "a"],
      ["SMEMBERS", "str"],
      ["SISMEMBER", "str", "a"],
      ["SMISMEMBER", "str", "a"],
      ["SCARD", "str"],
      ["SPOP", "str"],
      ["SPOP", "str", "0"],
      ["SRANDMEMBER", "str", "0"],
      ["SMOVE", "str", "s", "1"],
      ["SMOVE", "s", "str", "1"],
      ["SINTER", "nokey", "str"],
      ["SUNION", "s", "str"],
      ["SDIFF", "nokey", "str"],
      ["SINTERSTORE", "d", "nokey", "str"],
      ["SUNIONSTORE", "d", "str"],
      ["SDIFFSTORE", "d", "s", "str"],
      ["SINTERCARD", "2", "nokey", "str"],
      ["SSCAN", "str", "0"],
    ];
    expect(await raw(server.port, ["SET", "str", "v"], ["SADD", "s", "1"], ...commands)).toBe(
      `+OK\r\n:1\r\n${WRONGTYPE.repeat(commands.length)}`,
    );
  });

  it("moves members between sets", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.sadd("a", "1", "x");
    expect(await client.smove("a", "b", "1")).toBe(1);
    expect(await client.object("ENCODING", "b")).toBe("intset");
    expect(await client.smove("a", "b", "zz")).toBe(0);
    expect(await client.smove("a", "a", "x")).toBe(1);
    expect(await client.smove("a", "b", "x")).toBe(1);
    expect(await client.exists("a")).toBe(0);
    expect(await client.object("ENCODING", "b")).toBe("hashtable");
    expect(sorted(await client.smembers("b"))).toEqual(["1", "x"]);
    await client.set("str", "v");
    expect(await client.smove("nokey", "str", "1")).toBe(0);
    await expect(client.smove("b", "str", "1")).rejects.toThrow("WRONGTYPE");
  });

  it("intersects, unites and subtracts, storing results with the encoding Redis would choose", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.sadd("a", "5", "3", "1", "4", "2");
    await client.sadd("b", "9", "4", "2", "5", "x");
    expect(await client.sinter("a", "b")).toEqual(["2", "4", "5"]);
    expect(await client.sinter("a", "nokey")).toEqual([]);
    expect(await client.sunion("a", "nokey")).toEqual(["1", "2", "3", "4", "5"]);
    expect(sorted(await client.sunion("a", "b"))).toEqual(["1", "2", "3", "4", "5", "9", "x"]);
    expect(await client.sdiff("a", "b")).toEqual(["1", "3"]);
    expect(await client.sdiff("a", "a")).toEqual([]);
    expect(await client.sintercard(2, "a", "b")).toBe(3);
    expect(await client.call("SINTERCARD", "2", "a", "b", "LIMIT", "2")).toBe(2);
    expect(await client.sinterstore("d", "a", "b")).toBe(3);
    expect(await client.object("ENCODING", "d")).toBe("intset");
    expect(await client.sunionstore("d", "a", "b")).toBe(7);
    expect(await client.object("ENCODING", "d")).toBe("hashtable");
    expect(await client.sdiffstore("d", "b", "a")).toBe(2);
    expect(sorted(await client.smembers("d"))).toEqual(["9", "x"]);
    expect(await client.sinterstore("d", "a", "nokey")).toBe(0);
    expect(await client.exists("d")).toBe(0);
    // SDIFF's second algorithm (a big first set, small others) keeps the hashtable it started from.
    await client.sadd("big", "x", ...range(10, 1));
    await client.sadd("one", "x");
    await client.sadd("two", "1");
    expect(await client.sdiffstore("d", "big", "one", "two")).toBe(9);
    expect(await client.object("ENCODING", "d")).toBe("hashtable");
    expect(await client.sdiffstore("d", "big", "one")).toBe(10);
    expect(await client.object("ENCODING", "d")).toBe("intset");
  });

  it("checks SINTERCARD's arguments like Redis", async () => {
    const server = await startServer();
    expect(
      await raw(
        server.port,
        ["SINTERCARD", "0", "a"],
        ["SINTERCARD", "2", "a"],
        ["SINTERCARD", "1", "a", "LIMIT"],
        ["SINTERCARD", "1", "a", "LIMIT", "-1"],
        ["SINTERCARD", "1", "a", "NOPE", "1"],
      ),
    ).toBe(
      "-ERR numkeys should be greater than 0\r\n-ERR Number of keys can't be greater than number of args\r\n" +
        "-ERR syntax error\r\n-ERR LIMIT can't be negative\r\n-ERR syntax error\r\n",
    );
  });

  it("SPOP and SRANDMEMBER keep their invariants", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const members = range(20);
    await client.sadd("s", ...members);
    const popped = new Set<string>();
    for (let i = 0; i < 5; i++) popped.add((await client.spop("s")) as string);
    const more = await client.spop("s", 6);
    expect(more).toHaveLength(6);
    for (const member of more) popped.add(member);
    expect(popped.size).toBe(11);
    const left = await client.smembers("s");
    expect(left).toHaveLength(9);
    expect(sorted([...left, ...popped])).toEqual(sorted(members));
    for (let i = 0; i < 100; i++) {
      const distinct = await client.srandmember("s", 5);
      expect(new Set(distinct).size).toBe(5);
      for (const member of distinct) expect(left).toContain(member);
      const repeated = await client.srandmember("s", -30);
      expect(repeated).toHaveLength(30);
      for (const member of repeated) expect(left).toContain(member);
      expect(left).toContain(await client.srandmember("s"));
    }
    expect(await client.scard("s")).toBe(9);
    expect(sorted(await client.spop("s", 100))).toEqual(sorted(left));
    expect(await client.exists("s")).toBe(0);
    expect(await client.spop("s")).toBeNull();
    await expect(client.spop("s", -1)).rejects.toThrow("ERR value is out of range, must be positive");
  });

  it("SPOP and SRANDMEMBER pick from a big hashtable, and a huge negative count hits the output limit", async () => {
    const server = await startServer({ maxOutputBuffer: 1024 * 1024 });
    const client = ioredis(server.port);
    await client.sadd("s", ...range(2000).map((n) => `m${n}`));
    for (const count of [3, 700, 1999]) {
      const picked = await client.srandmember("s", count);
      expect(new Set(picked).size).toBe(count);
    }
    const popped = await client.spop("s", 1500);
    expect(new Set(popped).size).toBe(1500);
    expect(await client.scard("s")).toBe(500);
    expect(await client.smismember("s", ...popped.slice(0, 10))).toEqual(Array(10).fill(0));
    const { closed } = await rawExchange(server.port, resp("SRANDMEMBER", "s", "-9223372036854775807"), 5000);
    expect(closed).toBe(true);
    expect(await client.scard("s")).toBe(500);
  });

  it("SSCAN answers an intset whole, sorted, and walks a hashtable missing nothing present throughout", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.sadd("small", "10", "2", "-5");
    expect(await client.sscan("small", "77", "COUNT", "1")).toEqual(["0", ["-5", "2", "10"]]);
    expect(await client.sscan("small", "0", "MATCH", "1*")).toEqual(["0", ["10"]]);
    await expect(client.sscan("small", "0", "COUNT", "0")).rejects.toThrow("ERR syntax error");
    await client.sadd("big", ...range(1000).map((n) => `m${n}`));
    const seen = new Map<string, number>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, members] = await client.sscan("big", cursor, "COUNT", "20");
      calls++;
      for (const member of members) seen.set(member, (seen.get(member) ?? 0) + 1);
      if (calls === 3) await client.srem("big", "m998", "m999", "m0");
      if (calls === 6) await client.sadd("big", "extra", "m999");
      cursor = next;
    } while (cursor !== "0");
    expect(calls).toBeGreaterThan(40);
    for (let i = 1; i < 998; i++) expect(seen.get(`m${i}`)).toBe(1);
    expect(seen.has("m998")).toBe(false);
  });

  it("tells WATCH about changes and not about no-ops", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.sadd("s", "1", "a");
    await client.watch("s");
    await client.sadd("s", "1");
    await client.srem("s", "zz");
    await client.smove("s", "s", "a");
    await client.spop("s", 0);
    expect(await client.multi().scard("s").exec()).toEqual([[null, 2]]);
    await client.watch("s");
    await client.smove("s", "t", "a");
    expect(await client.multi().scard("s").exec()).toBeNull();
    await client.watch("t");
    await client.sunionstore("t", "s");
    expect(await client.multi().scard("t").exec()).toBeNull();
  });

  it("logs SPOP as SREM (or DEL when all go), and replays and rewrites sets", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    await client.sadd("s", "1", "2", "3", "4");
    const one = (await client.spop("s")) as string;
    const two = await client.spop("s", 2);
    await client.srandmember("s", 2);
    const last = await client.spop("s", 5);
    await client.spop("s", 0);
    await nextTurn();
    expect(parseAof(readAof(file))).toEqual([
      ["SELECT", "0"],
      ["sadd", "s", "1", "2", "3", "4"],
      ["SREM", "s", one],
      ["SREM", "s", ...two],
      ["DEL", "s"],
    ]);
    expect(sorted([one, ...two, ...last])).toEqual(["1", "2", "3", "4"]);
    await client.sadd("big", ...range(100));
    await client.sadd("mixed", "a", "1");
    await server.rewriteAppendOnlyFile();
    const rewritten = parseAof(readAof(file));
    expect(rewritten.filter((argv) => argv[1] === "big").map((argv) => argv.length)).toEqual([66, 38]);
    const before = [await client.smembers("big"), sorted(await client.smembers("mixed"))];
    client.disconnect();
    await server.stop();
    const again = await startAofServer(file);
    const other = ioredis(again.server.port);
    expect([await other.smembers("big"), sorted(await other.smembers("mixed"))]).toEqual(before);
  });
});
