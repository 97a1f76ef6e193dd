import net from "node:net";
import { describe, expect, it } from "vitest";
import { aofPath, readAof, startAofServer } from "./aof-helpers.js";
import { ioredis, rawExchange, resp, startServer } from "./helpers.js";
import { blockedClients, describeScenariosAgainstRedis, type Step, sleep } from "./multi-client.js";

describe("blocking list commands", () => {
  it("wakes a BLPOP with a push from another client", async () => {
    const server = await startServer();
    const waiter = ioredis(server.port);
    const pusher = ioredis(server.port);
    const popped = waiter.blpop("q", 0);
    await blockedClients(server, 1);
    expect(await pusher.info("clients")).toContain("blocked_clients:1");
    expect(await pusher.rpush("q", "job")).toBe(1);
    expect(await popped).toEqual(["q", "job"]);
    expect(await pusher.exists("q")).toBe(0);
    expect(server.state.blocking.blockedCount).toBe(0);
  });

  it("serves two blocked clients in the order they blocked", async () => {
    const server = await startServer();
    const [first, second, pusher] = [ioredis(server.port), ioredis(server.port), ioredis(server.port)];
    const order: string[] = [];
    const firstPop = first.brpop("q", 0).then((r) => order.push(`first:${r?.[1]}`));
    await blockedClients(server, 1);
    const secondPop = second.brpop("q", 0).then((r) => order.push(`second:${r?.[1]}`));
    await blockedClients(server, 2);
    await pusher.rpush("q", "a");
    await firstPop;
    await blockedClients(server, 1);
    await pusher.rpush("q", "b");
    await secondPop;
    expect(order).toEqual(["first:a", "second:b"]);
  });

  it("serves every waiting client from one push of several elements", async () => {
    const server = await startServer();
    const waiters = [ioredis(server.port), ioredis(server.port), ioredis(server.port)];
    const pops: Promise<unknown>[] = [];
    for (const [i, waiter] of waiters.entries()) {
      pops.push(waiter.blpop("q", 0));
      await blockedClients(server, i + 1);
    }
    expect(await ioredis(server.port).rpush("q", "a", "b", "c", "d")).toBe(4);
    expect(await Promise.all(pops)).toEqual([
      ["q", "a"],
      ["q", "b"],
      ["q", "c"],
    ]);
    expect(await ioredis(server.port).lrange("q", 0, -1)).toEqual(["d"]);
  });

  it("times out after a fractional number of seconds with a nil reply", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const started = performance.now();
    expect(await client.blpop("q", 0.15)).toBeNull();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
    const { reply } = await rawExchange(server.port, resp("BLMOVE", "q", "d", "LEFT", "LEFT", "0.05"), 300);
    expect(reply).toBe("*-1\r\n");
    expect(server.state.blocking.blockedCount).toBe(0);
  });

  it("keeps waiting when the timeout is beyond what one timer can hold", async () => {
    const server = await startServer();
    const waiter = ioredis(server.port);
    const popped = waiter.blpop("q", 3_000_000); // 3e9 ms: past setTimeout's 2^31-1 ms limit
    await blockedClients(server, 1);
    await sleep(50);
    await blockedClients(server, 1);
    await ioredis(server.port).lpush("q", "late");
    expect(await popped).toEqual(["q", "late"]);
  });

  it("passes an element along a chain of BLMOVE and BRPOPLPUSH", async () => {
    const server = await startServer();
    const [a, b, c] = [ioredis(server.port), ioredis(server.port), ioredis(server.port)];
    const moved1 = a.blmove("step1", "step2", "LEFT", "RIGHT", 0);
    await blockedClients(server, 1);
    const moved2 = b.brpoplpush("step2", "step3", 0);
    await blockedClients(server, 2);
    const popped = c.blpop("step3", 0);
    await blockedClients(server, 3);
    await ioredis(server.port).rpush("step1", "token");
    expect(await Promise.all([moved1, moved2, popped])).toEqual(["token", "token", ["step3", "token"]]);
    expect(await ioredis(server.port).exists("step1", "step2", "step3")).toBe(0);
  });

  it("does not block inside MULTI: the blocking commands reply nil at once", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const results = await client
      .multi()
      .blpop("q", 0)
      .brpop("q", 0)
      .blmove("q", "d", "LEFT", "LEFT", 0)
      .brpoplpush("q", "d", 0)
      .blmpop(0, 1, "q", "LEFT")
      .rpush("q", "x")
      .blpop("q", 0)
      .exec();
    expect(results).toEqual([
      [null, null],
      [null, null],
      [null, null],
      [null, null],
      [null, null],
      [null, 1],
      [null, ["q", "x"]],
    ]);
    expect(server.state.blocking.blockedCount).toBe(0);
    const { reply } = await rawExchange(
      server.port,
      Buffer.concat([
        resp("MULTI"),
        resp("BLPOP", "q", "0"),
        resp("BLMOVE", "q", "d", "LEFT", "LEFT", "0"),
        resp("EXEC"),
      ]),
    );
    expect(reply).toBe("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n*-1\r\n$-1\r\n");
  });

  it("forgets a client that disconnects while blocked", async () => {
    const server = await startServer();
    for (let i = 0; i < 20; i++) {
      const socket = net.connect({ port: server.port, host: "127.0.0.1" });
      socket.on("error", () => {});
      socket.write(resp("BLPOP", "q", "other", "0"));
      await blockedClients(server, 1);
      socket.destroy();
      await blockedClients(server, 0);
    }
    const client = ioredis(server.port);
    expect(await client.info("clients")).toContain("blocked_clients:0");
    expect(await client.rpush("q", "kept")).toBe(1);
    expect(await client.lrange("q", 0, -1)).toEqual(["kept"]);
    expect(server.state.clients.size).toBe(1);
  });

  it("gives a client released by CLIENT UNBLOCK its timeout reply or an error", async () => {
    const server = await startServer();
    const waiter = ioredis(server.port);
    const id = Number(await waiter.client("ID"));
    const admin = ioredis(server.port);
    const moved = waiter.blmove("q", "d", "LEFT", "LEFT", 0);
    await blockedClients(server, 1);
    expect(await admin.client("UNBLOCK", id, "TIMEOUT")).toBe(1);
    expect(await moved).toBeNull();
    const popped = waiter.brpop("q", 0).catch((error: Error) => error.message);
    await blockedClients(server, 1);
    expect(await admin.client("UNBLOCK", id, "ERROR")).toBe(1);
    expect(await popped).toBe("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    expect(await admin.rpush("q", "x")).toBe(1);
    expect(await waiter.lrange("q", 0, -1)).toEqual(["x"]);
  });

  it("serves BLMPOP with a count and deletes the emptied key", async () => {
    const server = await startServer();
    const waiter = ioredis(server.port);
    const popped = waiter.blmpop(0, 2, "a", "b", "RIGHT", "COUNT", 5);
    await blockedClients(server, 1);
    await ioredis(server.port).rpush("b", "1", "2", "3");
    expect(await popped).toEqual(["b", ["3", "2", "1"]]);
    expect(await ioredis(server.port).exists("b")).toBe(0);
  });

  it("runs a blocked client's pipelined commands only once it is served", async () => {
    const server = await startServer();
    const socket = net.connect({ port: server.port, host: "127.0.0.1" });
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    socket.write(Buffer.concat([resp("BLPOP", "q", "0"), resp("PING"), resp("LLEN", "q")]));
    await blockedClients(server, 1);
    expect(received).toBe("");
    await ioredis(server.port).rpush("q", "a", "b");
    for (let i = 0; i < 100 && !received.endsWith(":1\r\n"); i++) await sleep(5);
    socket.destroy();
    expect(received).toBe("*2\r\n$1\r\nq\r\n$1\r\na\r\n+PONG\r\n:1\r\n");
  });

  it("does not wake a client blocked in another database", async () => {
    const server = await startServer();
    const waiter = ioredis(server.port, { db: 1 });
    await waiter.ping();
    const popped = waiter.blpop("q", 0);
    await blockedClients(server, 1);
    const other = ioredis(server.port);
    await other.rpush("q", "db0");
    await sleep(30);
    await blockedClients(server, 1);
    await other.select(1);
    await other.rpush("q", "db1");
    expect(await popped).toEqual(["q", "db1"]);
  });
});

describe("blocking list commands and the AOF", () => {
  it("logs what a blocked client was served, so a replay rebuilds the same lists", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const popped = ioredis(server.port).blpop("a", "b", 0);
    const many = ioredis(server.port).blmpop(0, 1, "m", "LEFT", "COUNT", 2);
    await blockedClients(server, 2);
    const pusher = ioredis(server.port);
    await pusher.multi().rpush("b", "b1", "b2").rpush("a", "a1").rpush("m", "1", "2", "3").exec();
    expect(await popped).toEqual(["b", "b1"]);
    expect(await many).toEqual(["m", ["1", "2"]]);
    await server.stop();
    const log = readAof(file);
    expect(log).not.toContain("BLPOP");
    expect(log).not.toContain("BLMPOP");
    const again = await startAofServer(file);
    const client = ioredis(again.server.port);
    expect(await client.lrange("a", 0, -1)).toEqual(["a1"]);
    expect(await client.lrange("b", 0, -1)).toEqual(["b2"]);
    expect(await client.lrange("m", 0, -1)).toEqual(["3"]);
  });
});

/** Multi-client scenarios run against the embedded server and redis-server, compared byte for byte. */
const SCENARIOS: Record<string, Step[]> = {
  "serves BLPOP from the key that became ready, not the first key": [
    [1, "BLPOP a b 0"],
    [2, "BLPOP b a 0"],
    [0, "MULTI | RPUSH b x | RPUSH a y | EXEC"],
    [0, "EXISTS a b"],
  ],
  "replies WRONGTYPE to a BLMOVE whose destination is not a list, and keeps the element": [
    [0, "SET dst str"],
    [1, "BLMOVE src dst LEFT LEFT 0"],
    [2, "BLMOVE src other LEFT LEFT 0"],
    [0, "RPUSH src 1 2"],
    [0, "LRANGE src 0 -1 | LRANGE other 0 -1"],
  ],
  "keeps waiting while the key holds another type": [
    [1, "BLPOP k 0"],
    [0, "SET k v"],
    [0, "DEL k"],
    [0, "RPUSH k e"],
  ],
  "does not serve a key pushed and emptied in one transaction": [
    [1, "BLPOP q 0"],
    [0, "MULTI | RPUSH q a | LPOP q | EXEC"],
    [0, "RPUSH q b"],
  ],
  "lets a client blocked earlier go first, even against a pipelined BLPOP": [
    [1, "BLPOP q 0 | BLPOP q 0"],
    [2, "BLPOP q 0"],
    [0, "RPUSH q x y"],
    [0, "RPUSH q z"],
  ],
  "wakes clients on RENAME, COPY, MOVE and SWAPDB onto the key": [
    [1, "BLPOP r 0"],
    [2, "BLPOP c 0"],
    [3, "BLPOP m 0"],
    [4, "BLPOP s 0"],
    [0, "RPUSH t1 renamed | RENAME t1 r"],
    [0, "RPUSH t2 copied | COPY t2 c"],
    [0, "SELECT 2 | RPUSH m moved | MOVE m 0"],
    [0, "SELECT 1 | RPUSH s swapped | SWAPDB 0 1 | SELECT 0"],
  ],
  "passes elements through BLMOVE onto the same list": [
    [1, "BLMOVE q q RIGHT LEFT 0"],
    [2, "BLPOP q 0"],
    [0, "RPUSH q a b"],
    [0, "LRANGE q 0 -1"],
  ],
  "answers a blocked RESP3 client in RESP3": [
    [1, "HELLO 3"],
    [1, "BLMPOP 0 1 q LEFT COUNT 2"],
    [2, "HELLO 3"],
    [2, "BLPOP q 0.05", 300],
    [0, "RPUSH q a b c"],
  ],
  "serves a client whose blocked neighbour disconnected": [
    [1, "BLPOP q 0"],
    [2, "BLPOP q 0"],
    [1, "close"],
    [0, "RPUSH q a"],
    [0, "LLEN q"],
  ],
};

describeScenariosAgainstRedis("blocking list commands against redis-server", SCENARIOS);
