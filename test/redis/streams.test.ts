import { describe, expect, it } from "vitest";
import { Stream } from "../../src/redis/types/stream.js";
import { formatId, MAX_ID, makeId, parseStreamId, parseUint64 } from "../../src/redis/types/stream-id.js";
import { integerBytes, stringBytes } from "../../src/redis/types/stream-listpack.js";
import { IdMap } from "../../src/redis/types/stream-pel.js";
import { raxNodeCount } from "../../src/redis/types/stream-rax.js";
import { aofPath, parseAof, readAof, startAofServer } from "./aof-helpers.js";
import { ioredis, rawExchange, resp, startServer } from "./helpers.js";

/** Sends `commands` over raw RESP2 and returns the raw reply bytes. */
async function raw(port: number, ...commands: string[][]): Promise<string> {
  const { reply } = await rawExchange(port, Buffer.concat(commands.map((argv) => resp(...argv))));
  return reply;
}

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

let seed = 7;
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};

describe("stream IDs", () => {
  it("parse like Redis's string2ull, with '-' '+' and '<ms>-*' where allowed", () => {
    expect(parseStreamId("5", 7n, true)?.id).toBe(makeId(5n, 7n));
    expect(parseStreamId("5-3", 0n, true)?.id).toBe(makeId(5n, 3n));
    expect(parseStreamId("-", 0n, true)).toBeUndefined();
    expect(parseStreamId("-", 0n, false)?.id).toBe(0n);
    expect(parseStreamId("+", 0n, false)?.id).toBe(MAX_ID);
    expect(parseStreamId("5-*", 0n, true)).toBeUndefined();
    expect(parseStreamId("5-*", 0n, true, true)).toEqual({ id: makeId(5n, 0n), seqGiven: false });
    expect(parseStreamId("1-", 0n, true)).toBeUndefined();
    expect(parseStreamId("x".repeat(128), 0n, true)).toBeUndefined();
    expect(parseStreamId("7\0garbage", 0n, true)?.id).toBe(makeId(7n, 0n));
    expect(parseUint64("007")).toBe(7n);
    expect(parseUint64("+7")).toBe(7n);
    expect(parseUint64("-7")).toBeUndefined();
    expect(parseUint64("-07")).toBe(2n ** 64n - 7n);
    expect(parseUint64("18446744073709551616")).toBeUndefined();
    expect(formatId(makeId(2n ** 64n - 1n, 2n ** 64n - 1n))).toBe(
      "18446744073709551615-18446744073709551615",
    );
    expect(formatId(makeId(0n, 9n))).toBe("0-9");
    expect(makeId(3n, 2n ** 64n - 1n) + 1n).toBe(makeId(4n, 0n));
  });
});

describe("IdMap, the ordered pending entries list", () => {
  it("matches a sorted model through random inserts, deletes and range reads", () => {
    const map = new IdMap<number>();
    const model = new Map<bigint, number>();
    for (let step = 0; step < 20_000; step++) {
      const key = BigInt(random(3000));
      if (random(3) === 0) expect(map.delete(key)).toBe(model.delete(key));
      else {
        expect(map.set(key, step)).toBe(!model.has(key));
        model.set(key, step);
      }
      expect(map.size).toBe(model.size);
    }
    const sorted = [...model.keys()].sort((a, b) => (a < b ? -1 : 1));
    expect(map.keysFrom(0n, model.size + 1)).toEqual(sorted);
    expect(map.keysFrom(1500n, 5)).toEqual(sorted.filter((k) => k >= 1500n).slice(0, 5));
    expect(map.firstKey()).toBe(sorted[0]);
    expect(map.lastKey()).toBe(sorted[sorted.length - 1]);
    for (const key of sorted.slice(0, 50)) expect(map.get(key)).toBe(model.get(key));
    expect(map.get(99_999n)).toBeUndefined();
  });

  it("acknowledges the oldest of 200k entries in linear total time", () => {
    const map = new IdMap<number>();
    for (let i = 0; i < 200_000; i++) map.set(BigInt(i), i);
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) map.delete(BigInt(i));
    expect(map.size).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("stream nodes as Redis lays them out", () => {
  it("sizes listpack elements as Redis encodes them", () => {
    expect(integerBytes(0)).toBe(2);
    expect(integerBytes(127)).toBe(2);
    expect(integerBytes(128)).toBe(3);
    expect(integerBytes(-4096)).toBe(3);
    expect(integerBytes(40000)).toBe(5);
    expect(integerBytes(2n ** 40n)).toBe(10);
    expect(stringBytes("12")).toBe(2); // an integer
    expect(stringBytes("012")).toBe(5); // a 3-byte string
    expect(stringBytes("x".repeat(63))).toBe(65);
    expect(stringBytes("x".repeat(64))).toBe(67);
    expect(stringBytes("x".repeat(200))).toBe(204);
  });

  it("counts radix tree nodes as rax does", () => {
    expect(raxNodeCount([])).toBe(1);
    expect(raxNodeCount([makeId(1n, 1n)])).toBe(2);
    // Two keys differing in the last byte: a 15-byte compressed node, a branch, two leaves.
    expect(raxNodeCount([makeId(1n, 1n), makeId(1n, 2n)])).toBe(4);
    // Differing in the first byte: the root branches, each key then has its compressed tail and leaf.
    expect(raxNodeCount([makeId(1n, 0n), makeId(1n << 60n, 0n)])).toBe(5);
  });

  it("starts a node every 100 entries and trims only whole nodes with ~", () => {
    const stream = new Stream();
    for (let i = 1; i <= 250; i++) stream.append(makeId(BigInt(i), 0n), ["f", "v"]);
    expect(stream.nodeCount).toBe(3);
    expect(stream.trim({ maxLen: 120, approx: true, limit: 10_000 })).toBe(100);
    expect(stream.length).toBe(150);
    expect(stream.trim({ maxLen: 120, approx: false, limit: 0 })).toBe(30);
    expect(stream.nodeCount).toBe(2);
    expect(stream.firstId).toBe(makeId(131n, 0n));
    expect(stream.range(0n, MAX_ID, 2, false).ids).toEqual([makeId(131n, 0n), makeId(132n, 0n)]);
  });

  it("starts a node when the listpack would pass 4096 bytes", () => {
    const stream = new Stream();
    stream.append(makeId(1n, 0n), ["f", "x".repeat(3000)]);
    stream.append(makeId(2n, 0n), ["f", "x".repeat(1100)]);
    stream.append(makeId(3n, 0n), ["f", "x".repeat(10)]);
    expect(stream.nodeCount).toBe(2);
  });
});

describe("XADD and reading a stream", () => {
  it("generates increasing IDs from the clock for '*', and sequences for '<ms>-*'", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const before = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push((await client.xadd("s", "*", "n", String(i))) as string);
    const after = Date.now();
    const parsed = ids.map((id) => id.split("-").map(BigInt) as [bigint, bigint]);
    for (const [i, [ms, seq]] of parsed.entries()) {
      expect(Number(ms)).toBeGreaterThanOrEqual(before);
      expect(Number(ms)).toBeLessThanOrEqual(after);
      const previous = parsed[i - 1];
      if (previous) expect(ms > previous[0] || (ms === previous[0] && seq === previous[1] + 1n)).toBe(true);
    }
    expect(await client.xlen("s")).toBe(200);
    // A clock behind the last ID: the last ms, next sequence.
    await client.xadd("t", "99999999999999-5", "a", "1");
    expect(await client.xadd("t", "*", "a", "2")).toBe("99999999999999-6");
    expect(await client.xadd("t", "99999999999999-*", "a", "3")).toBe("99999999999999-7");
    expect(await client.xadd("t", "100000000000000-*", "a", "4")).toBe("100000000000000-0");
  });

  it("reads ranges with ioredis (RESP3) and raw RESP2 alike", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.xadd("s", "1-1", "a", "1", "b", "2");
    await client.xadd("s", "2-1", "c", "3");
    expect(await client.xrange("s", "-", "+")).toEqual([
      ["1-1", ["a", "1", "b", "2"]],
      ["2-1", ["c", "3"]],
    ]);
    expect(await client.xrevrange("s", "(2-1", "-")).toEqual([["1-1", ["a", "1", "b", "2"]]]);
    expect(await raw(server.port, ["XRANGE", "s", "2", "+"], ["XRANGE", "s", "-", "+", "COUNT", "0"])).toBe(
      "*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*-1\r\n",
    );
    expect(await raw(server.port, ["HELLO", "3"], ["XRANGE", "s", "-", "+", "COUNT", "0"])).toMatch(/_\r\n$/);
    expect(await raw(server.port, ["OBJECT", "ENCODING", "s"], ["TYPE", "s"])).toBe(
      "$6\r\nstream\r\n+stream\r\n",
    );
  });

  it("keeps binary fields and values byte-exact", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await client.xadd(Buffer.from([0xff, 0]), "1-1", bytes, bytes);
    const [[id, fields]] = (await client.xrangeBuffer(Buffer.from([0xff, 0]), "-", "+")) as [
      [Buffer, Buffer[]],
    ];
    expect(id.toString()).toBe("1-1");
    expect(fields[0]?.equals(bytes)).toBe(true);
    expect(fields[1]?.equals(bytes)).toBe(true);
  });

  it("answers WRONGTYPE for every stream command on a string", async () => {
    const server = await startServer();
    const reply = await raw(
      server.port,
      ["SET", "k", "v"],
      ["XADD", "k", "1-1", "a", "1"],
      ["XLEN", "k"],
      ["XRANGE", "k", "-", "+"],
      ["XREVRANGE", "k", "+", "-"],
      ["XDEL", "k", "1-1"],
      ["XTRIM", "k", "MAXLEN", "0"],
      ["XREAD", "STREAMS", "k", "0"],
      ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">"],
      ["XGROUP", "CREATE", "k", "g", "0"],
      ["XACK", "k", "g", "1-1"],
      ["XPENDING", "k", "g"],
      ["XCLAIM", "k", "g", "c", "0", "1-1"],
      ["XAUTOCLAIM", "k", "g", "c", "0", "0"],
      ["XINFO", "STREAM", "k"],
      ["XSETID", "k", "1-1"],
    );
    expect(reply).toBe(`+OK\r\n${WRONGTYPE.repeat(15)}`);
  });

  it("replies Redis's errors", async () => {
    const server = await startServer();
    const reply = await raw(
      server.port,
      ["XADD", "s", "0-0", "a", "1"],
      ["XADD", "s", "5-5", "a", "1"],
      ["XADD", "s", "5-5", "a", "1"],
      ["XADD", "s", "x", "a", "1"],
      ["XADD", "s", "MAXLEN", "-1", "*", "a", "1"],
      ["XADD", "s", "5-6", "a"],
      ["XRANGE", "s", "(-", "+"],
      ["XTRIM", "s", "MAXLEN", "1", "LIMIT", "5"],
    );
    expect(reply).toBe(
      [
        "-ERR The ID specified in XADD must be greater than 0-0",
        "$3\r\n5-5",
        "-ERR The ID specified in XADD is equal or smaller than the target stream top item",
        "-ERR Invalid stream ID specified as stream command argument",
        "-ERR The MAXLEN argument must be >= 0.",
        "-ERR wrong number of arguments for 'xadd' command",
        "-ERR Invalid stream ID specified as stream command argument",
        "-ERR syntax error, LIMIT cannot be used without the special ~ option",
        "",
      ].join("\r\n"),
    );
  });

  it("keeps an emptied stream as a key, unlike other types", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.xadd("s", "MAXLEN", "0", "1-1", "a", "1");
    expect(await client.exists("s")).toBe(1);
    expect(await client.xlen("s")).toBe(0);
    await client.xadd("t", "1-1", "a", "1");
    expect(await client.xdel("t", "1-1")).toBe(1);
    expect(await client.type("t")).toBe("stream");
    expect(await client.xadd("t", "1-1", "a", "1").catch((e: Error) => e.message)).toMatch(
      /equal or smaller/,
    );
  });

  it("reads, trims and deletes in a 200k-entry stream without scanning it", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const batch = client.pipeline();
    for (let i = 1; i <= 200_000; i++) batch.xadd("big", `${i}-0`, "f", String(i));
    await batch.exec();
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      const at = 1 + ((i * 97) % 199_000);
      expect(await client.xrange("big", String(at), "+", "COUNT", 1)).toEqual([
        [`${at}-0`, ["f", String(at)]],
      ]);
    }
    expect(await client.xdel("big", "150000-0")).toBe(1);
    expect(await client.xrange("big", "149999", "150001")).toHaveLength(2);
    // "~" trims whole nodes, at most 10000 entries (LIMIT's default) at a time.
    expect(await client.xtrim("big", "MAXLEN", "~", 1000)).toBe(10_000);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("consumer groups", () => {
  it("delivers each entry to one consumer, tracks the PEL and acknowledges", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    for (let i = 1; i <= 4; i++) await client.xadd("s", `${i}-0`, "n", String(i));
    await client.xgroup("CREATE", "s", "g", "0");
    const a = await client.xreadgroup("GROUP", "g", "alice", "COUNT", 2, "STREAMS", "s", ">");
    const b = await client.xreadgroup("GROUP", "g", "bob", "STREAMS", "s", ">");
    expect(a).toEqual([
      [
        "s",
        [
          ["1-0", ["n", "1"]],
          ["2-0", ["n", "2"]],
        ],
      ],
    ]);
    expect(b).toEqual([
      [
        "s",
        [
          ["3-0", ["n", "3"]],
          ["4-0", ["n", "4"]],
        ],
      ],
    ]);
    expect(await client.xpending("s", "g")).toEqual([
      4,
      "1-0",
      "4-0",
      [
        ["alice", "2"],
        ["bob", "2"],
      ],
    ]);
    expect(await client.xack("s", "g", "1-0", "3-0", "9-0")).toBe(2);
    expect(await client.xreadgroup("GROUP", "g", "alice", "STREAMS", "s", "0")).toEqual([
      ["s", [["2-0", ["n", "2"]]]],
    ]);
  });

  it("reports idle times and delivery counts that follow the clock", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.xadd("s", "1-0", "a", "1");
    await client.xadd("s", "2-0", "a", "2");
    await client.xgroup("CREATE", "s", "g", "0");
    await client.xreadgroup("GROUP", "g", "c", "STREAMS", "s", ">");
    await new Promise((resolve) => setTimeout(resolve, 60));
    const pending = (await client.xpending("s", "g", "-", "+", 10)) as [string, string, number, number][];
    expect(pending.map(([id, owner, , count]) => [id, owner, count])).toEqual([
      ["1-0", "c", 1],
      ["2-0", "c", 1],
    ]);
    for (const [, , idle] of pending) expect(idle).toBeGreaterThanOrEqual(50);
    expect(await client.xpending("s", "g", "IDLE", 10_000, "-", "+", 10)).toEqual([]);
    // IDLE sets the idle time; history reads count as new deliveries.
    await client.xclaim("s", "g", "d", 0, "1-0", "IDLE", 500_000);
    await client.xreadgroup("GROUP", "g", "c", "STREAMS", "s", "0");
    const after = (await client.xpending("s", "g", "-", "+", 10)) as [string, string, number, number][];
    expect(after[0]?.[1]).toBe("d");
    expect(after[0]?.[2]).toBeGreaterThanOrEqual(500_000);
    expect(after[0]?.[3]).toBe(2);
    expect(after[1]?.[2]).toBeLessThan(50);
    expect(after[1]?.[3]).toBe(2);
    expect(await client.xautoclaim("s", "g", "e", 100_000, "0")).toEqual(["0-0", [["1-0", ["a", "1"]]], []]);
    const consumers = (await client.xinfo("CONSUMERS", "s", "g")) as unknown[][];
    expect(consumers.map((c) => [c[1], c[3]])).toEqual([
      ["c", 1],
      ["d", 0],
      ["e", 1],
    ]);
    for (const c of consumers) expect(c[5]).toBeLessThan(1000);
  });

  it("copies a stream with its groups deeply (COPY)", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.xadd("s", "1-0", "a", "1");
    await client.xgroup("CREATE", "s", "g", "0");
    await client.xreadgroup("GROUP", "g", "c", "STREAMS", "s", ">");
    expect(await client.copy("s", "t")).toBe(1);
    await client.xack("s", "g", "1-0");
    await client.xadd("s", "2-0", "a", "2");
    expect(await client.xpending("t", "g")).toEqual([1, "1-0", "1-0", [["c", "1"]]]);
    expect(await client.xpending("s", "g")).toEqual([0, null, null, null]);
    expect(await client.xlen("t")).toBe(1);
  });

  it("rebuilds a stream from its AOF rewrite commands", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    for (let i = 1; i <= 5; i++) await client.xadd("s", `${i}-0`, "n", String(i));
    await client.xdel("s", "2-0");
    await client.xgroup("CREATE", "s", "g", "0");
    await client.xreadgroup("GROUP", "g", "c", "COUNT", 3, "STREAMS", "s", ">");
    await client.xgroup("CREATECONSUMER", "s", "g", "idle");
    await client.xgroup("CREATE", "e", "h", "$", "MKSTREAM");
    const db = server.state.keyspace.db(0);
    const commands = ["s", "e"].flatMap((key) => (db.get(key) as Stream).toCommands(key));
    const copy = await startServer();
    const other = ioredis(copy.port);
    for (const argv of commands) await other.call(argv[0] as string, ...argv.slice(1));
    for (const [key, group] of [
      ["s", "g"],
      ["e", "h"],
    ] as const) {
      expect(await other.xinfo("STREAM", key)).toEqual(await client.xinfo("STREAM", key));
      expect(await other.xinfo("GROUPS", key)).toEqual(await client.xinfo("GROUPS", key));
      expect(await other.xpending(key, group)).toEqual(await client.xpending(key, group));
    }
  });
});

describe("streams in the append-only file", () => {
  it("logs generated IDs, exact trims and group deliveries, and replays to the same state", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    const auto = (await client.xadd("a", "*", "n", "0")) as string;
    for (let i = 1; i <= 150; i++) await client.xadd("s", "MAXLEN", "~", 100, `${i}-*`, "n", String(i));
    await client.xgroup("CREATE", "s", "g", "0");
    const waiter = ioredis(server.port);
    const read = await client.xreadgroup("GROUP", "g", "c", "COUNT", 2, "STREAMS", "s", ">");
    await client.xgroup("CREATE", "s", "late", "$");
    const blocked = waiter.xreadgroup("GROUP", "late", "w", "BLOCK", 0, "STREAMS", "s", ">");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.xadd("s", "200-1", "n", "200");
    await blocked;
    await client.xack("s", "g", "1-0");
    await client.xclaim("s", "g", "d", 0, "2-0");
    await client.xsetid("s", "300-0");
    await client.xtrim("s", "MINID", "~", "120");
    const state = async (c: typeof client) => [
      await c.xinfo("STREAM", "s"),
      await c.xinfo("GROUPS", "s"),
      await c.xpending("s", "g"),
      await c.xpending("s", "late"),
      await c.xrange("s", "-", "+"),
      await c.xrange("a", "-", "+"),
    ];
    const before = await state(client);
    await server.stop();
    const logged = parseAof(readAof(file)).map(([name, ...args]) => [
      (name as string).toUpperCase(),
      ...args,
    ]);
    const firstAdd = logged.find((argv) => argv[0] === "XADD");
    expect(firstAdd).toEqual(["XADD", "a", auto, "n", "0"]);
    expect(logged.some((argv) => argv.includes("~") || argv.includes("*") || argv.includes("1-*"))).toBe(
      false,
    );
    expect(logged.some((argv) => argv[0] === "XCLAIM" && argv[3] === "w")).toBe(true);
    expect(logged.some((argv) => argv[0] === "XREADGROUP")).toBe(false);
    expect(read).toHaveLength(1);
    const again = await startAofServer(file);
    expect(await state(ioredis(again.server.port))).toEqual(before);
  });
});
