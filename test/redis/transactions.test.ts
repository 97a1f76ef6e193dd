import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import type { RespConnection } from "./differential/runner.js";
import { connect, ioredis, send, startServer } from "./helpers.js";

/** MULTI, PING, EXEC on `connection`: the EXEC reply ("*-1" when a watched key changed). */
async function tryExec(connection: RespConnection): Promise<string> {
  await send(connection, "MULTI");
  await send(connection, "PING");
  return send(connection, "EXEC");
}

const EXEC_OK = "*1\r\n+PONG\r\n";
const EXEC_FAILED = "*-1\r\n";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("MULTI / EXEC / DISCARD", () => {
  it("queues commands and runs them as one reply array, errors at run time included", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    expect(await send(client, "MULTI")).toBe("+OK\r\n");
    expect(await send(client, "SET", "a", "x")).toBe("+QUEUED\r\n");
    expect(await send(client, "INCR", "a")).toBe("+QUEUED\r\n");
    expect(await send(client, "GET", "a")).toBe("+QUEUED\r\n");
    expect(await send(client, "EXEC")).toBe(
      "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$1\r\nx\r\n",
    );
  });

  it("discards the transaction after a queueing error (EXECABORT)", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    await send(client, "MULTI");
    await send(client, "SET", "a", "1");
    expect(await send(client, "NOSUCH")).toBe(
      "-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
    );
    expect(await send(client, "EXEC")).toBe(
      "-EXECABORT Transaction discarded because of previous errors.\r\n",
    );
    expect(await send(client, "GET", "a")).toBe("$-1\r\n");
    expect(await send(client, "EXEC")).toBe("-ERR EXEC without MULTI\r\n");
  });

  it("refuses nested MULTI, WATCH inside MULTI, and EXEC or DISCARD without MULTI", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    expect(await send(client, "EXEC")).toBe("-ERR EXEC without MULTI\r\n");
    expect(await send(client, "DISCARD")).toBe("-ERR DISCARD without MULTI\r\n");
    await send(client, "MULTI");
    expect(await send(client, "MULTI")).toBe("-ERR MULTI calls can not be nested\r\n");
    expect(await send(client, "WATCH", "a")).toBe("-ERR WATCH inside MULTI is not allowed\r\n");
    expect(await send(client, "EXEC")).toBe("*0\r\n");
  });

  it("aborts the transaction when EXEC itself is refused", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    const other = await connect(server.port);
    await send(client, "WATCH", "a");
    await send(client, "MULTI");
    expect(await send(client, "EXEC", "extra")).toBe(
      "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
    );
    await send(other, "SET", "a", "1");
    expect(await tryExec(client)).toBe(EXEC_OK); // the watch went with the transaction
  });

  it("discards with DISCARD, forgetting the watches", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    await send(client, "WATCH", "a");
    await send(client, "SET", "a", "1");
    await send(client, "MULTI");
    await send(client, "INCR", "a");
    expect(await send(client, "DISCARD")).toBe("+OK\r\n");
    expect(await send(client, "GET", "a")).toBe("$1\r\n1\r\n");
    expect(await tryExec(client)).toBe(EXEC_OK);
  });

  it("does not block inside EXEC: blocking commands time out at once", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    await send(client, "MULTI");
    await send(client, "BLPOP", "empty", "0");
    await send(client, "RPUSH", "l", "x");
    await send(client, "BRPOP", "l", "0");
    const started = Date.now();
    expect(await send(client, "EXEC")).toBe("*3\r\n*-1\r\n:1\r\n*2\r\n$1\r\nl\r\n$1\r\nx\r\n");
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("runs a transaction from ioredis and from node-redis", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    expect(await client.multi().set("k", "1").incrby("k", 4).get("k").exec()).toEqual([
      [null, "OK"],
      [null, 5],
      [null, "5"],
    ]);
    const node = createClient({ socket: { port: server.port, host: "127.0.0.1" } });
    await node.connect();
    try {
      expect(await node.multi().incr("k").lPush("l", "a").exec()).toEqual([6, 1]);
    } finally {
      await node.quit();
    }
  });

  it("shows MULTI state in CLIENT LIST (flag x, queued count)", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    await send(client, "MULTI");
    await send(client, "SET", "a", "1");
    await send(client, "SET", "b", "2");
    const line = await send(client, "CLIENT", "INFO");
    expect(line).toBe("+QUEUED\r\n");
    const other = await connect(server.port);
    const list = await send(other, "CLIENT", "LIST");
    expect(list).toMatch(/flags=x db=0 sub=0 psub=0 ssub=0 multi=3 /);
  });
});

describe("WATCH between clients", () => {
  it("fails EXEC when another client writes a watched key, and not for other keys", async () => {
    const server = await startServer();
    const watcher = ioredis(server.port);
    const writer = ioredis(server.port);
    await watcher.set("balance", "10");
    await watcher.watch("balance");
    await writer.set("unrelated", "1");
    expect(await watcher.multi().incrby("balance", 5).exec()).toEqual([[null, 15]]);
    await watcher.watch("balance");
    await writer.incr("balance");
    expect(await watcher.multi().incrby("balance", 5).exec()).toBeNull();
    expect(await watcher.get("balance")).toBe("16");
  });

  it("is broken by a delete, an append and a hash write from another client", async () => {
    const server = await startServer();
    const watcher = await connect(server.port);
    const writer = await connect(server.port);
    for (const write of [
      ["DEL", "k"],
      ["APPEND", "k", "x"],
      ["HSET", "k2", "f", "v"],
    ]) {
      await send(writer, "SET", "k", "v");
      await send(watcher, "WATCH", "k", "k2");
      await send(writer, ...write);
      expect(await tryExec(watcher)).toBe(EXEC_FAILED);
      await send(writer, "DEL", "k", "k2");
    }
  });

  it("is not broken by commands that change nothing", async () => {
    const server = await startServer();
    const watcher = await connect(server.port);
    const writer = await connect(server.port);
    await send(writer, "SET", "k", "v");
    await send(watcher, "WATCH", "k", "missing");
    await send(writer, "DEL", "missing");
    await send(writer, "PERSIST", "k");
    await send(writer, "LPOP", "missing");
    await send(writer, "GET", "k");
    expect(await tryExec(watcher)).toBe(EXEC_OK);
  });

  it("is broken by FLUSHALL, FLUSHDB and SWAPDB when the key existed on either side", async () => {
    const server = await startServer();
    const watcher = await connect(server.port);
    const writer = await connect(server.port);
    await send(writer, "SET", "k", "v");
    await send(watcher, "WATCH", "k");
    await send(writer, "FLUSHALL");
    expect(await tryExec(watcher)).toBe(EXEC_FAILED);
    await send(watcher, "WATCH", "k");
    await send(writer, "FLUSHDB");
    expect(await tryExec(watcher)).toBe(EXEC_OK); // nothing existed
    await send(writer, "SELECT", "1");
    await send(writer, "SET", "k", "in db 1");
    await send(watcher, "WATCH", "k");
    await send(writer, "SWAPDB", "0", "1");
    expect(await tryExec(watcher)).toBe(EXEC_FAILED);
  });

  it("is broken when a watched key expires before EXEC, even if nothing deleted it yet", async () => {
    const server = await startServer();
    const watcher = await connect(server.port);
    await send(watcher, "SET", "k", "v", "PX", "60");
    await send(watcher, "WATCH", "k");
    await sleep(120);
    expect(await tryExec(watcher)).toBe(EXEC_FAILED);
  });

  it("keeps a watch on a key already expired at WATCH time when that key is only deleted", async () => {
    const server = await startServer();
    const watcher = await connect(server.port);
    const reader = await connect(server.port);
    server.state.keyspace.stopActiveExpiry(); // keep the expired key in place until it is read
    await send(watcher, "SET", "k", "v", "PX", "20");
    await sleep(60);
    await send(watcher, "WATCH", "k");
    expect(await send(reader, "GET", "k")).toBe("$-1\r\n"); // deletes it: no logical change
    expect(await tryExec(watcher)).toBe(EXEC_OK);
    await send(watcher, "SET", "k", "v", "PX", "20");
    await sleep(60);
    await send(watcher, "WATCH", "k");
    await send(reader, "SET", "k", "new"); // a real change
    expect(await tryExec(watcher)).toBe(EXEC_FAILED);
  });

  it("is cleared by UNWATCH and by a successful or failed EXEC", async () => {
    const server = await startServer();
    const watcher = await connect(server.port);
    const writer = await connect(server.port);
    await send(watcher, "WATCH", "k");
    await send(writer, "SET", "k", "1");
    expect(await send(watcher, "UNWATCH")).toBe("+OK\r\n");
    expect(await tryExec(watcher)).toBe(EXEC_OK);
    await send(watcher, "WATCH", "k");
    await send(writer, "SET", "k", "2");
    expect(await tryExec(watcher)).toBe(EXEC_FAILED);
    await send(writer, "SET", "k", "3");
    expect(await tryExec(watcher)).toBe(EXEC_OK);
  });

  it("ties watches to the database index, and shows a dirty client in CLIENT LIST", async () => {
    const server = await startServer();
    const watcher = await connect(server.port);
    const writer = await connect(server.port);
    await send(watcher, "SELECT", "2");
    await send(watcher, "WATCH", "k");
    await send(writer, "SET", "k", "db0");
    expect(await send(writer, "CLIENT", "LIST")).not.toMatch(/flags=d /);
    await send(writer, "SELECT", "2");
    await send(writer, "SET", "k", "db2");
    expect(await send(writer, "CLIENT", "LIST")).toMatch(/flags=d db=2 /);
    expect(await tryExec(watcher)).toBe(EXEC_FAILED);
  });

  it("lets an ioredis optimistic-locking loop retry until it wins", async () => {
    const server = await startServer();
    const clients = Array.from({ length: 8 }, () => ioredis(server.port));
    const [a] = clients as [ReturnType<typeof ioredis>];
    await a.set("counter", "0");
    const increment = async (client: typeof a) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        await client.watch("counter");
        const value = Number(await client.get("counter"));
        const result = await client
          .multi()
          .set("counter", String(value + 1))
          .exec();
        if (result) return attempt;
      }
      throw new Error("never won");
    };
    const attempts = await Promise.all(clients.map((client) => increment(client)));
    expect(await a.get("counter")).toBe("8");
    expect(Math.max(...attempts)).toBeGreaterThan(0); // some lost a race and retried
  });
});
