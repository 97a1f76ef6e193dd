import { describe, expect, it } from "vitest";
import { itWithTools } from "../helpers/tools.js";
import { RespConnection } from "./differential/runner.js";
import { ioredis, rawExchange, resp, startRealRedis, startServer } from "./helpers.js";

/** The raw replies to `commands`, sent in one write (after HELLO 3 when `resp3`). */
async function raw(port: number, commands: string[][], resp3 = false): Promise<string> {
  const all = resp3 ? [["HELLO", "3"], ...commands] : commands;
  const { reply } = await rawExchange(port, Buffer.concat(all.map((argv) => resp(...argv))));
  return resp3 ? reply.slice(reply.indexOf("\r\n", reply.indexOf("modules")) + 6) : reply;
}

const FRUITS = ["ZADD", "z", "1", "apple", "2", "banana", "3", "cherry", "4", "date"];

describe("sorted set commands", () => {
  it("adds, scores, ranks and ranges with ioredis", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    expect(await client.zadd("z", 1, "a", 2.5, "b", 3, "c")).toBe(3);
    expect(await client.zadd("z", "CH", 5, "a", 2.5, "b")).toBe(1);
    expect(await client.zscore("z", "b")).toBe("2.5");
    expect(await client.zmscore("z", "a", "nope")).toEqual(["5", null]);
    expect(await client.zcard("z")).toBe(3);
    expect(await client.zrank("z", "a")).toBe(2);
    expect(await client.zrevrank("z", "a")).toBe(0);
    expect(await client.zrange("z", "0", "-1", "WITHSCORES")).toEqual(["b", "2.5", "c", "3", "a", "5"]);
    expect(await client.zrangebyscore("z", "(2.5", "+inf")).toEqual(["c", "a"]);
    expect(await client.zincrby("z", -4.5, "a")).toBe("0.5");
    expect(await client.zcount("z", "-inf", 1)).toBe(1);
    expect(await client.type("z")).toBe("zset");
  });

  it("replies in RESP2 with bulk scores and flat member/score lists", async () => {
    const server = await startServer();
    const reply = await raw(server.port, [
      FRUITS,
      ["ZRANGE", "z", "0", "1", "WITHSCORES"],
      ["ZSCORE", "z", "nope"],
      ["ZPOPMIN", "z", "1"],
      ["ZADD", "z", "INCR", "0.1", "date"],
      ["ZRANK", "z", "nope"],
      ["ZPOPMIN", "missing"],
    ]);
    expect(reply).toBe(
      ":4\r\n*4\r\n$5\r\napple\r\n$1\r\n1\r\n$6\r\nbanana\r\n$1\r\n2\r\n$-1\r\n*2\r\n$5\r\napple\r\n$1\r\n1\r\n" +
        "$18\r\n4.0999999999999996\r\n$-1\r\n*0\r\n",
    );
  });

  it("replies in RESP3 with doubles and [member, score] pairs where Redis 7.0 does", async () => {
    const server = await startServer();
    const reply = await raw(
      server.port,
      [
        FRUITS,
        ["ZRANGE", "z", "0", "1", "WITHSCORES"],
        ["ZPOPMIN", "z"],
        ["ZPOPMIN", "z", "1"],
        ["ZSCORE", "z", "nope"],
        ["ZMPOP", "1", "z", "MAX"],
        ["BZPOPMIN", "z", "0"],
      ],
      true,
    );
    expect(reply).toBe(
      ":4\r\n*2\r\n*2\r\n$5\r\napple\r\n,1\r\n*2\r\n$6\r\nbanana\r\n,2\r\n" +
        "*2\r\n$5\r\napple\r\n,1\r\n*1\r\n*2\r\n$6\r\nbanana\r\n,2\r\n_\r\n" +
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$4\r\ndate\r\n,4\r\n*3\r\n$1\r\nz\r\n$6\r\ncherry\r\n,3\r\n",
    );
  });

  it("applies NX, XX, GT, LT, CH and INCR as ZADD does", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.zadd("z", 5, "a");
    expect(await client.zadd("z", "NX", 1, "a", 1, "b")).toBe(1);
    expect(await client.zadd("z", "XX", "CH", 7, "a", 7, "c")).toBe(1);
    expect(await client.zadd("z", "GT", "CH", 6, "a", 9, "b")).toBe(1);
    expect(await client.zadd("z", "LT", "INCR", 1, "a")).toBeNull();
    expect(await client.zadd("z", "LT", "INCR", -1, "a")).toBe("6");
    expect(await client.zrange("z", "0", "-1", "WITHSCORES")).toEqual(["a", "6", "b", "9"]);
    expect(await client.zadd("missing", "XX", 1, "a")).toBe(0);
    expect(await client.exists("missing")).toBe(0);
  });

  it("replies Redis's error texts", async () => {
    const server = await startServer();
    const reply = await raw(server.port, [
      ["ZADD", "z", "NX", "XX", "1", "a"],
      ["ZADD", "z", "GT", "LT", "1", "a"],
      ["ZADD", "z", "INCR", "1", "a", "2", "b"],
      ["ZADD", "z", "x", "a"],
      ["ZADD", "z", "1", "a", "2"],
      ["ZADD", "z", "inf", "a"],
      ["ZINCRBY", "z", "-inf", "a"],
      ["ZRANGEBYSCORE", "z", "x", "1"],
      ["ZRANGEBYLEX", "z", "a", "b"],
      ["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"],
      ["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"],
      ["ZUNION", "0", "z"],
      ["ZMPOP", "0", "z", "MIN"],
      ["ZMPOP", "1", "z", "MIN", "COUNT", "0"],
      ["ZPOPMIN", "z", "-1"],
      ["ZUNION", "1", "z", "WEIGHTS", "x"],
      ["ZINTERCARD", "1", "z", "LIMIT", "-1"],
      ["BZPOPMIN", "z", "-1"],
      ["BZPOPMIN", "z", "x"],
      ["ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"],
      ["ZSCAN", "z", "x"],
    ]);
    expect(reply.split("\r\n").slice(0, -1)).toEqual([
      "-ERR XX and NX options at the same time are not compatible",
      "-ERR GT, LT, and/or NX options at the same time are not compatible",
      "-ERR INCR option supports a single increment-element pair",
      "-ERR value is not a valid float",
      "-ERR syntax error",
      ":1",
      "-ERR resulting score is not a number (NaN)",
      "-ERR min or max is not a float",
      "-ERR min or max not valid string range item",
      "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
      "-ERR syntax error, WITHSCORES not supported in combination with BYLEX",
      "-ERR at least 1 input key is needed for 'zunion' command",
      "-ERR numkeys should be greater than 0",
      "-ERR count should be greater than 0",
      "-ERR value is out of range, must be positive",
      "-ERR weight value is not a float",
      "-ERR LIMIT can't be negative",
      "-ERR timeout is negative",
      "-ERR timeout is not a float or out of range",
      "-ERR value is out of range",
      "-ERR invalid cursor",
    ]);
  });

  it("refuses another type with WRONGTYPE in every command", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.set("s", "v");
    const commands: (string | number)[][] = [
      ["zadd", "s", 1, "a"],
      ["zincrby", "s", 1, "a"],
      ["zrem", "s", "a"],
      ["zscore", "s", "a"],
      ["zmscore", "s", "a"],
      ["zcard", "s"],
      ["zcount", "s", 0, 1],
      ["zlexcount", "s", "-", "+"],
      ["zrange", "s", 0, -1],
      ["zrangebyscore", "s", 0, 1],
      ["zrevrangebyscore", "s", 1, 0],
      ["zrangebylex", "s", "-", "+"],
      ["zrevrangebylex", "s", "+", "-"],
      ["zrevrange", "s", 0, -1],
      ["zrank", "s", "a"],
      ["zrevrank", "s", "a"],
      ["zpopmin", "s"],
      ["zpopmax", "s"],
      ["bzpopmin", "s", 0],
      ["bzpopmax", "s", 0],
      ["bzmpop", 0, 1, "s", "MIN"],
      ["zmpop", 1, "s", "MIN"],
      ["zrangestore", "d", "s", 0, -1],
      ["zremrangebyscore", "s", 0, 1],
      ["zremrangebyrank", "s", 0, 1],
      ["zremrangebylex", "s", "-", "+"],
      ["zunionstore", "d", 1, "s"],
      ["zinterstore", "d", 1, "s"],
      ["zdiffstore", "d", 1, "s"],
      ["zunion", 1, "s"],
      ["zinter", 1, "s"],
      ["zdiff", 1, "s"],
      ["zintercard", 1, "s"],
      ["zrandmember", "s"],
      ["zscan", "s", 0],
    ];
    for (const [name, ...args] of commands) {
      await expect(client.call(name as string, ...args), name as string).rejects.toThrow(/^WRONGTYPE/);
    }
    expect(await client.get("s")).toBe("v");
    expect(await client.exists("d")).toBe(0);
  });

  it("removes by member, rank, score and lex range, deleting the emptied key", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.zadd("z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e", 0, "x", 0, "y");
    expect(await client.zrem("z", "a", "nope")).toBe(1);
    expect(await client.zremrangebyrank("z", -1, -1)).toBe(1);
    expect(await client.zremrangebyscore("z", "(2", 4)).toBe(2);
    // A lex range over unequal scores finds nothing when the last member sorts below it, as in Redis.
    expect(await client.zremrangebylex("z", "[x", "[x")).toBe(0);
    expect(await client.zremrangebylex("z", "[b", "[b")).toBe(0);
    expect(await client.zremrangebylex("z", "-", "(y")).toBe(1);
    expect(await client.zrange("z", "0", "-1")).toEqual(["y", "b"]);
    expect(await client.zremrangebyscore("z", "-inf", "+inf")).toBe(2);
    expect(await client.exists("z")).toBe(0);
  });

  it("combines sorted sets and plain sets with WEIGHTS and AGGREGATE", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.zadd("a", 1, "x", 2, "y");
    await client.zadd("b", 10, "y", 20, "z");
    await client.sadd("s", "y", "w");
    expect(await client.zunionstore("u", 3, "a", "b", "s", "WEIGHTS", 1, 2, 100)).toBe(4);
    expect(await client.zrange("u", "0", "-1", "WITHSCORES")).toEqual([
      "x",
      "1",
      "z",
      "40",
      "w",
      "100",
      "y",
      "122",
    ]);
    expect(await client.zinter(2, "a", "b", "AGGREGATE", "MAX", "WITHSCORES")).toEqual(["y", "10"]);
    expect(await client.zdiff(2, "a", "s", "WITHSCORES")).toEqual(["x", "1"]);
    expect(await client.zintercard(3, "a", "b", "s")).toBe(1);
    expect(await client.zinterstore("u", 2, "a", "missing")).toBe(0);
    expect(await client.exists("u")).toBe(0);
  });

  it("stores ranges with ZRANGESTORE and picks the destination's encoding like Redis", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const members = Array.from({ length: 200 }, (_, i) => [i, `m${i}`]).flat();
    await client.zadd("big", ...members);
    expect(await client.object("ENCODING", "big")).toBe("skiplist");
    expect(await client.zrangestore("part", "big", 10, 19)).toBe(10);
    expect(await client.object("ENCODING", "part")).toBe("listpack");
    expect(await client.zrange("part", "0", "1", "WITHSCORES")).toEqual(["m10", "10", "m11", "11"]);
    expect(await client.zrangestore("part", "big", "+inf", "(150", "BYSCORE", "REV", "LIMIT", 0, 2)).toBe(2);
    expect(await client.zrange("part", "0", "-1")).toEqual(["m198", "m199"]);
    expect(await client.zunionstore("copy", 1, "big")).toBe(200);
    expect(await client.object("ENCODING", "copy")).toBe("skiplist");
    expect(await client.zrangestore("part", "missing", 0, -1)).toBe(0);
    expect(await client.exists("part")).toBe(0);
  });

  it("returns distinct random members for a positive count and repeats for a negative one", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const members = Array.from({ length: 300 }, (_, i) => [i, `m${i}`]).flat();
    await client.zadd("z", ...members);
    for (const count of [5, 150, 299]) {
      const picked = (await client.zrandmember("z", count)) as string[];
      expect(picked).toHaveLength(count);
      expect(new Set(picked).size).toBe(count);
    }
    const repeated = (await client.zrandmember("z", -1000)) as string[];
    expect(repeated).toHaveLength(1000);
    expect(new Set(repeated).size).toBeLessThan(1000);
    const withScores = (await client.zrandmember("z", 3, "WITHSCORES")) as string[];
    for (let i = 0; i < withScores.length; i += 2) expect(withScores[i]).toBe(`m${withScores[i + 1]}`);
    expect(await client.zrandmember("z", 500)).toHaveLength(300);
    expect(await client.zrandmember("z")).toMatch(/^m\d+$/);
  });

  it("drops a client whose ZRANDMEMBER with a huge negative count exceeds the output limit", async () => {
    const server = await startServer({ maxOutputBuffer: 64 * 1024 });
    const client = ioredis(server.port);
    await client.zadd("z", 1, "a");
    const { closed } = await rawExchange(server.port, resp("ZRANDMEMBER", "z", "-9223372036854775807"));
    expect(closed).toBe(true);
    expect(await client.zcard("z")).toBe(1);
  });

  it("scans a skiplist-encoded set with a cursor, every member exactly once", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const members = Array.from({ length: 500 }, (_, i) => [i / 4, `m${i}`]).flat();
    await client.zadd("z", ...members);
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, flat] = await client.zscan("z", cursor, "COUNT", 20);
      for (let i = 0; i < flat.length; i += 2) {
        expect(seen.has(flat[i] as string)).toBe(false);
        seen.set(flat[i] as string, flat[i + 1] as string);
      }
      cursor = next;
      calls++;
    } while (cursor !== "0");
    expect(calls).toBeGreaterThan(10);
    expect(seen.size).toBe(500);
    expect(seen.get("m2")).toBe("0.5");
    const [, matched] = await client.zscan("z", 0, "MATCH", "m4??", "COUNT", 1000);
    expect(matched).toHaveLength(200);
  });

  it("keeps members byte-exact and orders them by bytes", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const low = Buffer.from([0x00, 0x01]);
    const high = Buffer.from([0xff, 0x80]);
    await client.zadd("z", 1, high, 1, low, 1, Buffer.from("A"));
    const members = await client.zrangeBuffer("z", "0", "-1");
    expect(members.map((m) => m.toString("hex"))).toEqual(["0001", "41", "ff80"]);
    expect(await client.zscore("z", high)).toBe("1");
    expect(await client.zrangebylexBuffer("z", Buffer.concat([Buffer.from("["), high]), "+")).toEqual([high]);
  });

  it("counts as a change for WATCH only when ZADD changed something", async () => {
    const server = await startServer();
    const watcher = ioredis(server.port);
    const other = ioredis(server.port);
    await watcher.zadd("z", 1, "a");
    await watcher.watch("z");
    expect(await other.zadd("z", "NX", 5, "a")).toBe(0);
    expect(await other.zadd("z", 1, "a")).toBe(0);
    expect(await watcher.multi().zcard("z").exec()).toEqual([[null, 1]]);
    await watcher.watch("z");
    expect(await other.zincrby("z", 1, "a")).toBe("2");
    expect(await watcher.multi().zcard("z").exec()).toBeNull();
  });

  it("copies a sorted set deeply", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.zadd("z", 1, "a", 2, "b");
    expect(await client.copy("z", "c")).toBe(1);
    await client.zadd("c", 3, "c");
    expect(await client.zrange("z", "0", "-1")).toEqual(["a", "b"]);
    expect(await client.zrange("c", "0", "-1")).toEqual(["a", "b", "c"]);
  });
});

describe("sorted sets against redis-server", () => {
  const test = itWithTools(["redis-server"]);

  /** The exact bytes of the reply to `argv`. */
  const send = async (connection: RespConnection, argv: string[]) =>
    (await connection.command(argv)).replies.map((r) => r.bytes.toString("latin1")).join("");

  /** Runs `count` random steps on both servers, comparing every reply, then the whole set. */
  async function agree(steps: ((next: (n: number) => number) => string[])[], count: number): Promise<void> {
    const server = await startServer();
    const realPort = await startRealRedis();
    const [ours, theirs] = await Promise.all([
      RespConnection.open(server.port),
      RespConnection.open(realPort),
    ]);
    let seed = 12345;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    try {
      for (let i = 0; i < count; i++) {
        const argv = (steps[next(steps.length)] as (typeof steps)[number])(next);
        const [expected, actual] = await Promise.all([send(theirs, argv), send(ours, argv)]);
        expect(actual, `step ${i}: ${argv.join(" ")}`).toBe(expected);
      }
      const full = ["ZRANGE", "z", "0", "-1", "WITHSCORES"];
      expect(await send(ours, full)).toBe(await send(theirs, full));
    } finally {
      ours.close();
      theirs.close();
    }
  }

  test("agrees on a long random mix of writes and reads over a big set", async () => {
    const member = (next: (n: number) => number) => `m${next(400)}`;
    const score = (next: (n: number) => number) => String((next(80) - 20) / 4);
    await agree(
      [
        (n) => ["ZADD", "z", score(n), member(n), score(n), member(n), score(n), member(n)],
        (n) => ["ZADD", "z", ["NX", "XX", "GT", "LT", "CH"][n(5)] as string, score(n), member(n)],
        (n) => ["ZINCRBY", "z", score(n), member(n)],
        (n) => ["ZREM", "z", member(n), member(n)],
        (n) => ["ZRANK", "z", member(n)],
        (n) => ["ZREVRANK", "z", member(n)],
        (n) => ["ZRANGE", "z", String(n(300) - 150), String(n(300) - 150), "WITHSCORES"],
        (n) => ["ZRANGEBYSCORE", "z", `(${score(n)}`, score(n), "LIMIT", String(n(5)), String(n(8) - 1)],
        (n) => ["ZREVRANGEBYSCORE", "z", score(n), score(n), "WITHSCORES"],
        (n) => ["ZCOUNT", "z", score(n), `(${score(n)}`],
        (n) => ["ZREMRANGEBYRANK", "z", String(n(300)), String(n(300))],
        (n) => ["ZREMRANGEBYSCORE", "z", score(n), `(${score(n)}`],
        (n) => ["ZPOPMIN", "z", String(n(3))],
        () => ["ZPOPMAX", "z"],
        () => ["ZCARD", "z"],
        (n) => ["ZMSCORE", "z", member(n), member(n)],
      ],
      2000,
    );
  }, 60_000);

  test("agrees on lex ranges over a big set of equal scores", async () => {
    const bound = (n: (n: number) => number) => [`[m${n(300)}`, `(m${n(300)}`, "-", "+"][n(4)] as string;
    await agree(
      [
        (n) => ["ZADD", "z", "0", `m${n(300)}`, "0", `m${n(300)}`, "0", `m${n(300)}`, "0", `m${n(300)}`],
        (n) => ["ZRANGEBYLEX", "z", bound(n), bound(n), "LIMIT", String(n(4)), String(n(6) - 1)],
        (n) => ["ZREVRANGEBYLEX", "z", bound(n), bound(n)],
        (n) => ["ZRANGE", "z", bound(n), bound(n), "BYLEX", "REV", "LIMIT", "1", "3"],
        (n) => ["ZLEXCOUNT", "z", bound(n), bound(n)],
        (n) => ["ZREMRANGEBYLEX", "z", `[m${n(300)}`, `(m${n(300)}`],
        (n) => ["ZRANK", "z", `m${n(300)}`],
        () => ["ZCARD", "z"],
      ],
      1500,
    );
  }, 60_000);
});
