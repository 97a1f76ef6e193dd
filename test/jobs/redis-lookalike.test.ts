import net from "node:net";
import tls from "node:tls";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { closeRedis, connectRedis, describeTarget, type RedisTarget } from "../../src/jobs/redis-client.js";
import { connectLocalRedis, connectSocketRedis } from "../../src/jobs/redis-lookalike.js";
import { parseRedisUrl } from "../../src/jobs/socket-connection.js";
import type { RedisServer, RedisServerOptions } from "../../src/redis/index.js";
import { ReplyReader } from "../../src/redis/resp/reply-reader.js";
import { selfSignedCertificate } from "../../src/webdav/tls.js";
import { ioredis, socketPath, startServer } from "../redis/helpers.js";
import { eventually } from "./backends.js";
import { tempDir } from "./helpers.js";

/** The two ways the look-alike reaches a server: in-process, and a socket (a Unix one: it survives a restart). */
interface Transport {
  name: string;
  start(options?: RedisServerOptions): Promise<RedisServer>;
  connect(server: RedisServer, name: string): Redis;
  target(server: RedisServer): RedisTarget;
  /** How connection errors name the server. */
  described(server: RedisServer): string;
}

const socketPaths = new WeakMap<RedisServer, string>();
const transports: Transport[] = [
  {
    name: "local connection",
    start: (options) => startServer(options),
    connect: (server, name) => connectLocalRedis(server, name),
    target: (server) => ({ local: server }),
    described: () => "embedded",
  },
  {
    name: "socket",
    start: async (options) => {
      const path = socketPath();
      const server = await startServer({ unixSocketPath: path, ...options });
      socketPaths.set(server, path);
      return server;
    },
    connect: (server, name) => connectSocketRedis({ path: socketPaths.get(server) }, name),
    target: (server) => ({ path: socketPaths.get(server) }),
    described: (server) => `unix:${socketPaths.get(server)}`,
  },
];

describe.each(transports)(
  "the job system's Redis connection (an ioredis look-alike) over a $name",
  (transport) => {
    const startServer = transport.start;
    const connect = transport.connect;
    it("answers named commands as ioredis does", async () => {
      const server = await startServer();
      const redis = connect(server, "test");
      expect(await redis.hset("h", { a: 1, b: "ü" })).toBe(2);
      expect(await redis.hset("h", new Map([["c", "3"]]))).toBe(1);
      expect(await redis.hgetall("h")).toEqual({ a: "1", b: "ü", c: "3" });
      const hmget = redis.hmget as (...args: unknown[]) => Promise<unknown>;
      expect(await hmget("h", ["a", "missing"])).toEqual(["1", null]); // arrays flattened, as ioredis does
      expect(await redis.call("HLEN", "h")).toBe(3);
      expect(await redis.command("COUNT")).toBe(await ioredis(server.port).command("COUNT")); // COMMAND too
      await expect(redis.lpush("h", "x")).rejects.toThrow(/^WRONGTYPE/);
      expect((redis as unknown as Record<string, unknown>).scanStream).toBeUndefined(); // not offered: fails loudly
      const list = (await ioredis(server.port).client("LIST")) as string;
      expect(list).toContain("name=test");
      await closeRedis(redis);
      expect(redis.status).toBe("end");
    });

    it("runs multi() as one transaction and pipeline() as one batch, with [error, reply] pairs", async () => {
      const server = await startServer();
      const redis = connect(server, "test");
      const multi = redis.multi().set("k", "v").incr("k").hgetall("none");
      expect(multi.length).toBe(4); // MULTI counts, as in ioredis
      const replies = (await multi.exec()) as [Error | null, unknown][];
      expect(replies[0]).toEqual([null, "OK"]);
      expect(replies[1]?.[0]?.message).toBe("ERR value is not an integer or out of range");
      expect(replies[2]).toEqual([null, {}]);
      expect(await redis.pipeline().get("k").lpush("k", "x").exec()).toEqual([
        [null, "v"],
        [expect.objectContaining({ message: expect.stringMatching(/^WRONGTYPE/) }), null],
      ]);
      // A command refused while queueing aborts the whole transaction.
      await expect(redis.multi().set("k", "w").call("NOSUCH").exec()).rejects.toThrow(/^EXECABORT/);
      expect(await redis.get("k")).toBe("v");
    });

    it("answers null to exec() when a WATCHed key changed", async () => {
      const server = await startServer();
      const redis = connect(server, "test");
      await redis.watch("w");
      await ioredis(server.port).set("w", "theirs");
      expect(await redis.multi().set("w", "mine").exec()).toBeNull();
    });

    it("delivers messages, and subscribes again after the server restarted", async () => {
      const server = await startServer();
      const subscriber = connect(server, "sub");
      const messages: string[] = [];
      subscriber.on("message", (channel: string, message: string) => messages.push(`${channel}:${message}`));
      expect(await subscriber.subscribe("c1")).toBe(1);
      expect(await ioredis(server.port).publish("c1", "héllo")).toBe(1);
      await eventually(() => messages.length === 1);
      expect(messages).toEqual(["c1:héllo"]);

      await server.stop();
      await server.start();
      const publisher = ioredis(server.port); // a new port: the test server listens on port 0
      await eventually(async () => (await publisher.publish("c1", "again")) === 1);
      await eventually(() => messages.length === 2);
      expect(messages[1]).toBe("c1:again");
      await subscriber.unsubscribe("c1");
      expect(await publisher.publish("c1", "gone")).toBe(0);
      subscriber.disconnect();
    });

    it("holds commands while the server is stopped and sends them once it runs again", async () => {
      const server = await startServer();
      const errors: string[] = [];
      const redis = connectRedis(transport.target(server), "jobs", (message) => errors.push(message));
      expect(await redis.set("k", "before")).toBe("OK");
      const blocked = redis.blpop("queue", 5);
      await new Promise((resolve) => setTimeout(resolve, 10));
      await server.stop(); // cuts the BLPOP off: it is sent again on the next connection
      const other = connectRedis(transport.target(server), "other");
      const later = other.lpush("queue", "job"); // waits for the server, then wakes the BLPOP
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(redis.status).toBe("reconnecting");
      expect(
        errors.some((e) => e.startsWith(`Redis connection jobs (${transport.described(server)}): `)),
      ).toBe(true);
      await server.start();
      expect(await blocked).toEqual(["queue", "job"]);
      expect(await later).toBe(1);
      expect(redis.status).toBe("ready");
      redis.disconnect();
      other.disconnect();
    });

    it("rejects what waits when disconnected, and refuses commands after", async () => {
      const server = await startServer();
      const redis = connect(server, "test");
      const blocked = expect(redis.blpop("never", 0)).rejects.toThrow("Connection is closed.");
      await new Promise((resolve) => setTimeout(resolve, 10));
      redis.disconnect();
      await blocked;
      await expect(redis.get("k")).rejects.toThrow("Connection is closed.");
      await eventually(() => server.state.clients.size === 0);
    });

    it("converts arguments and hash replies exactly as ioredis does", async () => {
      const server = await startServer();
      const redis = connect(server, "test");
      const hset = redis.hset as (...args: unknown[]) => Promise<number>;
      expect(await hset("h", { none: null, big: 2 ** 60, bytes: Buffer.from([0xff, 0x41]) })).toBe(3);
      expect(await redis.hmget("h", "none", "big")).toEqual(["", "1152921504606846976"]);
      expect(await redis.hstrlen("h", "bytes")).toBe(2); // the Buffer's bytes, not their UTF-8 reading
      expect(
        await redis
          .pipeline()
          .set("a", "1")
          .set("b", 10n as never)
          .exec(),
      ).toEqual([
        [null, "OK"],
        [null, "OK"],
      ]);
      expect(await redis.get("b")).toBe("10");
      await redis.hset("special", "__proto__", "x", "a", "1");
      const object = await redis.hgetall("special");
      expect(Object.keys(object)).toEqual(["__proto__", "a"]); // a field, not the object's prototype
      redis.disconnect();
    });

    it("sends a command cut off by a stop again before those made while the server was down", async () => {
      const dir = tempDir();
      const server = await startServer({ appendonly: true, appendfsync: "always", aofPath: `${dir}/a.aof` });
      const redis = connect(server, "test");
      await redis.ping();
      const first = redis.set("k", "first"); // runs; its reply waits for the fsync at the end of the turn
      const stopped = server.stop();
      const second = redis.set("k", "second"); // made after: it must run after
      await stopped;
      await server.start();
      expect(await Promise.all([first, second])).toEqual(["OK", "OK"]);
      expect(await redis.get("k")).toBe("second");
      redis.disconnect();
    });

    it("quits while the server stops: the QUIT is not sent again, the connection ends", async () => {
      const dir = tempDir();
      const server = await startServer({ appendonly: true, appendfsync: "always", aofPath: `${dir}/a.aof` });
      const redis = connect(server, "test");
      await redis.ping();
      const write = redis.set("k", "v"); // its reply, and the QUIT's behind it, wait for the fsync
      const quitting = redis.quit();
      await server.stop();
      await expect(write).rejects.toThrow("Connection is closed.");
      const hung = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 500));
      expect(await Promise.race([quitting, hung])).toBe("OK");
      expect(redis.status).toBe("end");
    });

    it("ends once it sent a QUIT, whichever way, as ioredis does", async () => {
      const server = await startServer();
      const redis = connect(server, "test");
      expect(await redis.call("QUIT")).toBe("OK");
      await new Promise((resolve) => setTimeout(resolve, 200)); // past a reconnect's delay
      expect(redis.status).toBe("end");
      // A pipeline the QUIT cut short: what came after it is not sent again and again.
      const other = connect(server, "other");
      const exec = other.pipeline().ping().quit().ping().exec();
      const hung = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 500));
      expect(await Promise.race([exec.catch((error: Error) => error.message), hung])).toBe(
        "Connection is closed.",
      );
      expect(other.status).toBe("end");
      await eventually(() => server.state.clients.size === 0);
    });

    it("reports an unreachable server at most every 10 s per connection", async () => {
      const server = await startServer();
      const errors: string[] = [];
      const redis = connectRedis(transport.target(server), "jobs", (message) => errors.push(message));
      await redis.ping();
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, 1000)); // ioredis' pace: a few attempts
      expect(errors).toHaveLength(1);
      redis.disconnect();
    });
  },
);

describe("the job system's socket connection", () => {
  it("is described without a password", () => {
    expect(describeTarget({ local: {} as never })).toBe("embedded (in-process)");
    expect(describeTarget("redis://user:secret@example.com:6390/2")).toBe("redis://example.com:6390/2");
  });

  it("reads redis:// and rediss:// URLs, and refuses others with a clear error", () => {
    expect(parseRedisUrl("redis://u%40x:p%3Ass@example.com:6390/2")).toEqual({
      host: "example.com",
      port: 6390,
      username: "u@x",
      password: "p:ss",
      db: 2,
    });
    expect(parseRedisUrl("redis://:only-password@[::1]")).toEqual({
      host: "::1",
      port: 6379,
      password: "only-password",
    });
    expect(parseRedisUrl("rediss://redis.example.com")).toEqual({
      host: "redis.example.com",
      port: 6379,
      tls: {},
    });
    expect(() => parseRedisUrl("http://example.com")).toThrow("unknown scheme http:");
    expect(() => parseRedisUrl("redis://h/zero")).toThrow("the database must be a number");
    expect(() => parseRedisUrl("not a url")).toThrow("invalid Redis URL");
    expect(() => connectRedis("example.com:6379", "jobs")).toThrow("invalid Redis URL");
  });

  it("logs in and selects the URL's database", async () => {
    const server = await startServer({ password: "s3cret" });
    const redis = connectRedis(`redis://:s3cret@127.0.0.1:${server.port}/2`, "jobs");
    expect(await redis.set("k", "v")).toBe("OK");
    const admin = ioredis(server.port, { password: "s3cret", db: 2 });
    expect(await admin.get("k")).toBe("v");
    redis.disconnect();
  });

  it("logs in to a server that has no password even when the URL gives one, as ioredis does", async () => {
    const server = await startServer();
    const errors: string[] = [];
    const redis = connectRedis(`redis://:unneeded@127.0.0.1:${server.port}`, "jobs", (message) =>
      errors.push(message),
    );
    await eventually(() => redis.status === "ready" || errors.length > 0, 2000);
    expect(errors).toEqual([]);
    expect(await redis.set("k", "v")).toBe("OK");
    redis.disconnect();
  });

  it("reports a refused password, and holds commands instead of failing them", async () => {
    const server = await startServer({ password: "s3cret" });
    const errors: string[] = [];
    const redis = connectRedis(`redis://:wrong@127.0.0.1:${server.port}`, "jobs", (message) =>
      errors.push(message),
    );
    const held = redis.set("k", "v");
    await eventually(() => errors.length > 0);
    expect(errors[0]).toMatch(
      /^Redis connection jobs \(redis:\/\/127\.0\.0\.1:\d+\): (WRONGPASS|ERR invalid password)/,
    );
    expect(errors[0]).not.toContain("wrong"); // the password is never logged
    redis.disconnect();
    await expect(held).rejects.toThrow("Connection is closed.");
    expect(await ioredis(server.port, { password: "s3cret" }).exists("k")).toBe(0);
  });

  it("drops a server that answers what is not RESP, and reports it", async () => {
    const garbage = net.createServer((socket) => socket.on("data", () => socket.write("?what\r\n")));
    await new Promise<void>((resolve) => garbage.listen(0, "127.0.0.1", resolve));
    const { port } = garbage.address() as net.AddressInfo;
    const errors: string[] = [];
    const redis = connectRedis({ host: "127.0.0.1", port }, "jobs", (message) => errors.push(message));
    const held = redis.get("k");
    await eventually(() => errors.length > 0);
    expect(errors[0]).toContain("Protocol error: unexpected reply type '?'");
    redis.disconnect();
    await expect(held).rejects.toThrow("Connection is closed."); // never answered with garbage
    garbage.close();
  });

  it("closes its socket at once when disconnected before the server answered the handshake", async () => {
    const closed: boolean[] = [];
    const silent = net.createServer((socket) => {
      const i = closed.push(false) - 1;
      socket.resume(); // reads (and ignores) the handshake, so the close is seen
      socket.on("close", () => {
        closed[i] = true;
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    const redis = connectRedis({ host: "127.0.0.1", port }, "jobs", () => {});
    await eventually(() => closed.length === 1);
    redis.disconnect();
    await eventually(() => closed[0] === true, 1000); // not held open (nor the process) for the 10 s connect timeout
    expect(closed).toEqual([true]);
    silent.close();
  });

  it("waits while a restarted Redis loads its data, even when AUTH and SELECT pass meanwhile", async () => {
    let connections = 0;
    const loading = net.createServer((socket) => {
      const stillLoading = ++connections === 1;
      const requests = new ReplyReader();
      socket.on("data", (chunk: Buffer) =>
        requests.feed(chunk, (argv) => {
          const name = String((argv as string[])[0]).toUpperCase();
          if (name === "AUTH" || name === "SELECT")
            socket.write("+OK\r\n"); // allowed while loading
          else if (stillLoading) socket.write("-LOADING Redis is loading the dataset in memory\r\n");
          else if (name === "GET") socket.write("$5\r\nhello\r\n");
          else socket.write(name === "PING" ? "+PONG\r\n" : "+OK\r\n");
        }),
      );
    });
    await new Promise<void>((resolve) => loading.listen(0, "127.0.0.1", resolve));
    const { port } = loading.address() as net.AddressInfo;
    const redis = connectRedis(`redis://:pw@127.0.0.1:${port}/1`, "jobs", () => {});
    expect(await redis.get("k")).toBe("hello"); // as ioredis' ready check: not a LOADING error
    expect(connections).toBe(2);
    redis.disconnect();
    loading.close();
  });

  it("sends a command again when the connection drops in the middle of its reply", async () => {
    let connections = 0;
    const flaky = net.createServer((socket) => {
      const first = ++connections === 1;
      const requests = new ReplyReader(); // commands are arrays of bulk strings: RESP it can read
      socket.on("data", (chunk: Buffer) =>
        requests.feed(chunk, (argv) => {
          const name = String((argv as string[])[0]).toUpperCase();
          if (name === "PING") socket.write("+PONG\r\n");
          else if (name !== "GET") socket.write("+OK\r\n");
          else if (first)
            socket.end("$5\r\nhel"); // half a reply, then gone
          else socket.write("$5\r\nhello\r\n");
        }),
      );
    });
    await new Promise<void>((resolve) => flaky.listen(0, "127.0.0.1", resolve));
    const { port } = flaky.address() as net.AddressInfo;
    const redis = connectRedis({ host: "127.0.0.1", port }, "jobs", () => {});
    expect(await redis.get("k")).toBe("hello"); // the second connection's whole reply, not half of the first
    expect(connections).toBe(2);
    redis.disconnect();
    flaky.close();
  });

  it("talks TLS (rediss://) to a server behind a certificate", async () => {
    const server = await startServer();
    const { cert, key } = await selfSignedCertificate("localhost");
    const proxy = tls.createServer({ cert, key }, (socket) => {
      const upstream = net.connect(server.port, "127.0.0.1");
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const { port } = proxy.address() as net.AddressInfo;
    const redis = connectRedis({ host: "localhost", port, tls: { ca: cert } }, "jobs");
    expect(await redis.set("over", "tls")).toBe("OK");
    expect(await ioredis(server.port).get("over")).toBe("tls");
    redis.disconnect();
    const errors: string[] = [];
    const untrusting = connectRedis(`rediss://localhost:${port}`, "jobs", (message) => errors.push(message));
    await eventually(() => errors.length > 0);
    expect(errors[0]).toMatch(/self[- ]signed certificate/);
    untrusting.disconnect();
    proxy.close();
  });
});
