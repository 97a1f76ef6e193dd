import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import { ioredis, rawExchange, resp, socketPath, startServer } from "./helpers.js";

describe("embedded Redis: connections and the protocol", () => {
  it("serves ioredis (RESP3 via HELLO 3) over TCP and the Unix socket, sharing one keyspace", async () => {
    const path = socketPath();
    const server = await startServer({ unixSocketPath: path });
    const tcp = ioredis(server.port);
    const unix = ioredis(path);
    expect(await tcp.ping()).toBe("PONG");
    expect(await tcp.set("greeting", "hello")).toBe("OK");
    expect(await unix.get("greeting")).toBe("hello");
    expect(await unix.incrby("counter", 41)).toBe(41);
    expect(await tcp.incr("counter")).toBe(42);
  });

  it("serves node-redis over TCP and the Unix socket", async () => {
    const path = socketPath();
    const server = await startServer({ unixSocketPath: path });
    const tcp = createClient({ socket: { port: server.port, host: "127.0.0.1" } });
    const unix = createClient({ socket: { path, tls: false } });
    await Promise.all([tcp.connect(), unix.connect()]);
    try {
      expect(await tcp.set("k", "v", { EX: 100 })).toBe("OK");
      expect(await unix.get("k")).toBe("v");
      expect(await unix.ttl("k")).toBe(100);
      expect(await tcp.mGet(["k", "missing"])).toEqual(["v", null]);
    } finally {
      await Promise.all([tcp.quit(), unix.quit()]);
    }
  });

  it("keeps values byte-exact", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await client.set(Buffer.from([0xff, 0x00, 0x80]), bytes);
    expect((await client.getBuffer(Buffer.from([0xff, 0x00, 0x80])))?.equals(bytes)).toBe(true);
    expect(await client.strlen(Buffer.from([0xff, 0x00, 0x80]))).toBe(256);
  });

  it("answers a pipelined batch in one write, in order, inline commands included", async () => {
    const server = await startServer();
    const batch = Buffer.concat([resp("SET", "a", "1"), Buffer.from("INCR a\r\nGET a\r\n"), resp("PING")]);
    const { reply } = await rawExchange(server.port, batch);
    expect(reply).toBe("+OK\r\n:2\r\n$1\r\n2\r\n+PONG\r\n");
  });

  it("replies with a protocol error and closes the connection on garbage, keeping earlier replies", async () => {
    const server = await startServer();
    const { reply, closed } = await rawExchange(
      server.port,
      Buffer.concat([resp("PING"), Buffer.from("*1\r\nxyz\r\n")]),
    );
    expect(reply).toBe("+PONG\r\n-ERR Protocol error: expected '$', got 'x'\r\n");
    expect(closed).toBe(true);
    const other = ioredis(server.port);
    expect(await other.ping()).toBe("PONG");
  });

  it("refuses a bulk longer than proto-max-bulk-len before reading it", async () => {
    const server = await startServer({ maxBulkLength: 1024 });
    const { reply, closed } = await rawExchange(server.port, "*2\r\n$3\r\nGET\r\n$2000\r\n");
    expect(reply).toBe("-ERR Protocol error: invalid bulk length\r\n");
    expect(closed).toBe(true);
  });

  it("requires AUTH when a password is set, and limits what an unauthenticated client may send", async () => {
    const server = await startServer({ password: "s3cret" });
    const { reply } = await rawExchange(
      server.port,
      Buffer.concat([resp("GET", "a"), resp("AUTH", "nope"), resp("AUTH", "s3cret"), resp("GET", "a")]),
    );
    expect(reply).toBe(
      "-NOAUTH Authentication required.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n$-1\r\n",
    );
    const big = await rawExchange(server.port, "*20\r\n");
    expect(big.reply).toBe("-ERR Protocol error: unauthenticated multibulk length\r\n");
    const client = ioredis(server.port, { password: "s3cret" });
    expect(await client.ping()).toBe("PONG");
  });

  it("replaces a stale socket file and refuses one held by a live server", async () => {
    const path = socketPath();
    const first = await startServer({ unixSocketPath: path });
    await expect(startServer({ unixSocketPath: path })).rejects.toThrow(/in use by a running server/);
    await first.stop();
    const net = await import("node:net");
    const stale = net.createServer().listen(path);
    await new Promise((r) => stale.once("listening", r));
    // Simulate a dead server: the file stays, nothing answers.
    stale.close();
    await new Promise((r) => setTimeout(r, 10));
    const fs = await import("node:fs");
    if (!fs.existsSync(path)) {
      // Node removes the file on close; recreate a dead socket file by hand.
      const { execFileSync } = await import("node:child_process");
      execFileSync("python3", [
        "-c",
        `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(path)})`,
      ]);
    }
    const second = await startServer({ unixSocketPath: path });
    expect(second.addresses.unix).toBe(path);
    await second.stop();
    expect(fs.existsSync(path)).toBe(false);
  });
});
