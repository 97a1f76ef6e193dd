import net from "node:net";
import { describe, expect, it } from "vitest";
import { aofPath, readAof, startAofServer } from "./aof-helpers.js";
import { ioredis, resp, startServer } from "./helpers.js";
import { blockedClients, describeScenariosAgainstRedis, type Step } from "./multi-client.js";

describe("blocking sorted set commands", () => {
  it("wakes a BZPOPMIN with a ZADD from another client", async () => {
    const server = await startServer();
    const waiter = ioredis(server.port);
    const writer = ioredis(server.port);
    const popped = waiter.bzpopmin("a", "z", 0);
    await blockedClients(server, 1);
    expect(await writer.zadd("z", 2, "two", 1, "one")).toBe(2);
    expect(await popped).toEqual(["z", "one", "1"]);
    expect(await writer.zrange("z", "0", "-1")).toEqual(["two"]);
    expect(server.state.blocking.blockedCount).toBe(0);
  });

  it("serves waiting clients in the order they blocked", async () => {
    const server = await startServer();
    const [first, second, writer] = [ioredis(server.port), ioredis(server.port), ioredis(server.port)];
    const firstPop = first.bzpopmax("z", 0);
    await blockedClients(server, 1);
    const secondPop = second.bzpopmax("z", 0);
    await blockedClients(server, 2);
    await writer.zadd("z", 1, "low", 9, "high");
    expect(await firstPop).toEqual(["z", "high", "9"]);
    expect(await secondPop).toEqual(["z", "low", "1"]);
    expect(await writer.exists("z")).toBe(0);
  });

  it("times out after a fractional number of seconds with a nil reply", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const started = Date.now();
    expect(await client.bzpopmin("z", 0.15)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await client.bzmpop(0.05, 1, "z", "MIN")).toBeNull();
    expect(server.state.blocking.blockedCount).toBe(0);
  });

  it("pops a count with BZMPOP once woken", async () => {
    const server = await startServer();
    const waiter = ioredis(server.port);
    const writer = ioredis(server.port);
    const popped = waiter.bzmpop(0, 2, "a", "b", "MAX", "COUNT", 5);
    await blockedClients(server, 1);
    await writer.zadd("b", 1, "x", 2, "y");
    expect(await popped).toEqual([
      "b",
      [
        ["y", "2"],
        ["x", "1"],
      ],
    ]);
  });

  it("is woken by a store command writing the awaited key", async () => {
    const server = await startServer();
    const writer = ioredis(server.port);
    await writer.zadd("src", 1, "a", 2, "b");
    const byUnion = ioredis(server.port).bzpopmin("u", 0);
    const byRange = ioredis(server.port).bzpopmax("r", 0);
    await blockedClients(server, 2);
    await writer.zunionstore("u", 1, "src");
    await writer.zrangestore("r", "src", 0, -1);
    expect(await byUnion).toEqual(["u", "a", "1"]);
    expect(await byRange).toEqual(["r", "b", "2"]);
  });

  it("answers at once inside MULTI, and forgets a client that disconnects while blocked", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    expect(await client.multi().bzpopmin("z", 0).bzmpop(0, 1, "z", "MIN").exec()).toEqual([
      [null, null],
      [null, null],
    ]);
    const socket = net.connect({ port: server.port, host: "127.0.0.1" });
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(resp("BZPOPMIN", "z", "0"));
    await blockedClients(server, 1);
    socket.destroy();
    await blockedClients(server, 0);
    expect(await client.zadd("z", 1, "a")).toBe(1);
    expect(await client.zcard("z")).toBe(1);
  });

  it("logs a served blocking pop and ZMPOP as ZPOPMIN/ZPOPMAX in the AOF, and replays them", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const popped = ioredis(server.port).bzpopmin("a", "b", 0);
    const many = ioredis(server.port).bzmpop(0, 1, "m", "MAX", "COUNT", 2);
    await blockedClients(server, 2);
    const writer = ioredis(server.port);
    await writer
      .multi()
      .zadd("b", 1, "b1", 2, "b2")
      .zadd("a", 1, "a1")
      .zadd("m", 1, "x", 2, "y", 3, "z")
      .exec();
    expect(await popped).toEqual(["b", "b1", "1"]);
    expect(await many).toEqual([
      "m",
      [
        ["z", "3"],
        ["y", "2"],
      ],
    ]);
    await writer.zadd("p", 1, "p1", 2, "p2", 3, "p3");
    expect(await writer.zmpop(1, "p", "MIN", "COUNT", 10)).toEqual([
      "p",
      [
        ["p1", "1"],
        ["p2", "2"],
        ["p3", "3"],
      ],
    ]);
    await server.stop();
    const log = readAof(file);
    expect(log).not.toMatch(/BZPOPMIN|BZMPOP|ZMPOP/);
    expect(log).toContain("*2\r\n$7\r\nZPOPMIN\r\n$1\r\nb\r\n");
    expect(log).toContain("*3\r\n$7\r\nZPOPMAX\r\n$1\r\nm\r\n$1\r\n2\r\n");
    expect(log).toContain("*3\r\n$7\r\nZPOPMIN\r\n$1\r\np\r\n$1\r\n3\r\n");
    const again = await startAofServer(file);
    const client = ioredis(again.server.port);
    expect(await client.zrange("a", "0", "-1")).toEqual(["a1"]);
    expect(await client.zrange("b", "0", "-1")).toEqual(["b2"]);
    expect(await client.zrange("m", "0", "-1")).toEqual(["x"]);
    expect(await client.exists("p")).toBe(0);
  });
});

describe("sorted sets in the append-only file", () => {
  it("rewrite as ZADD commands of 64 members and come back identical after a restart", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    const members = Array.from({ length: 150 }, (_, i) => [i / 3, `m${i}`]).flat();
    await client.zadd("big", ...members);
    await client.zadd("small", "-inf", "a", "0.1", "b", "inf", "c");
    await client.zincrby("small", 1, "b");
    await server.rewriteAppendOnlyFile();
    const log = readAof(file);
    expect(log.match(/\$4\r\nZADD\r\n\$3\r\nbig\r\n/g)).toHaveLength(3);
    expect(log).toContain("$4\r\n-inf\r\n$1\r\na\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n");
    const before = [
      await client.zrange("big", "0", "-1", "WITHSCORES"),
      await client.zrange("small", "0", "-1", "WITHSCORES"),
    ];
    await server.stop();
    const again = await startAofServer(file);
    const reloaded = ioredis(again.server.port);
    expect([
      await reloaded.zrange("big", "0", "-1", "WITHSCORES"),
      await reloaded.zrange("small", "0", "-1", "WITHSCORES"),
    ]).toEqual(before);
    expect(await reloaded.object("ENCODING", "big")).toBe("skiplist");
    expect(await reloaded.object("ENCODING", "small")).toBe("listpack");
  });
});

/** Multi-client scenarios run against the embedded server and redis-server, compared byte for byte. */
const SCENARIOS: Record<string, Step[]> = {
  "a woken client is served from the key that became ready": [
    [1, "BZPOPMIN a b 0"],
    [2, "MULTI | ZADD b 1 fromb | ZADD a 1 froma | EXEC"],
    [1, "ZRANGE a 0 -1"],
  ],
  "a key made ready as another type leaves the client waiting": [
    [1, "BZPOPMIN k 0.3"],
    [2, "RPUSH k x | DEL k | SET k v"],
    [2, "PING", 400],
  ],
  "one ZADD of several members serves several clients": [
    [1, "BZPOPMIN k 0"],
    [2, "BZPOPMAX k 0"],
    [3, "BZMPOP 0 1 k MIN COUNT 5"],
    [4, "ZADD k 1 a 2 b 3 c 4 d"],
  ],
  "a set emptied again in the same transaction serves nobody": [
    [1, "BZPOPMIN k 0.3"],
    [2, "MULTI | ZADD k 1 a | ZREM k a | EXEC"],
    [2, "PING", 400],
  ],
  "commands pipelined after a blocking pop wait for it": [
    [1, "BZPOPMIN k 0 | ZCARD k | PING"],
    [2, "ZADD k 1 a 2 b"],
  ],
  "blocking pops reply in RESP3 once woken": [
    [1, "HELLO 3 | BZMPOP 0 1 k MAX COUNT 2"],
    [2, "HELLO 3 | BZPOPMIN k 0"],
    [3, "ZADD k 1 a 2 b 3 c"],
    [1, "BZPOPMAX missing 0.05", 150],
  ],
  "a store command wakes only when it creates the awaited key": [
    [1, "BZPOPMIN u 0.4"],
    [2, "SET u x | ZADD src 1 a | ZUNIONSTORE u 1 src"],
    [3, "BZPOPMAX r 0"],
    [2, "ZRANGESTORE r src 0 -1 | DEL u"],
    [2, "PING", 500],
  ],
  "the same key named twice is served once": [
    [1, "BZPOPMIN k k 0"],
    [2, "ZADD k 1 a 2 b"],
    [2, "ZRANGE k 0 -1"],
  ],
};

describeScenariosAgainstRedis("blocking sorted set commands against redis-server", SCENARIOS);
