import { describe, expect, it } from "vitest";
import { connectLocalRedis } from "../../src/jobs/local-redis.js";
import { closeRedis, connectRedis, describeTarget } from "../../src/jobs/redis-client.js";
import { ioredis, startServer } from "../redis/helpers.js";
import { eventually } from "./backends.js";
import { tempDir } from "./helpers.js";

describe("the job system's local Redis connection (an ioredis look-alike)", () => {
  it("answers named commands as ioredis does", async () => {
    const server = await startServer();
    const redis = connectLocalRedis(server, "test");
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
    const redis = connectLocalRedis(server, "test");
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
    const redis = connectLocalRedis(server, "test");
    await redis.watch("w");
    await ioredis(server.port).set("w", "theirs");
    expect(await redis.multi().set("w", "mine").exec()).toBeNull();
  });

  it("delivers messages, and subscribes again after the server restarted", async () => {
    const server = await startServer();
    const subscriber = connectLocalRedis(server, "sub");
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
    const redis = connectRedis({ local: server }, "jobs", (message) => errors.push(message));
    expect(await redis.set("k", "before")).toBe("OK");
    const blocked = redis.blpop("queue", 5);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await server.stop(); // cuts the BLPOP off: it is sent again on the next connection
    const other = connectRedis({ local: server }, "other");
    const later = other.lpush("queue", "job"); // waits for the server, then wakes the BLPOP
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(redis.status).toBe("reconnecting");
    expect(
      errors.some((e) => e.includes("Redis connection jobs (embedded): the Redis server is not running")),
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
    const redis = connectLocalRedis(server, "test");
    const blocked = expect(redis.blpop("never", 0)).rejects.toThrow("Connection is closed.");
    await new Promise((resolve) => setTimeout(resolve, 10));
    redis.disconnect();
    await blocked;
    await expect(redis.get("k")).rejects.toThrow("Connection is closed.");
    expect(server.state.clients.size).toBe(0);
  });

  it("converts arguments and hash replies exactly as ioredis does", async () => {
    const server = await startServer();
    const redis = connectLocalRedis(server, "test");
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
    const redis = connectLocalRedis(server, "test");
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
    const redis = connectLocalRedis(server, "test");
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
    const redis = connectLocalRedis(server, "test");
    expect(await redis.call("QUIT")).toBe("OK");
    await new Promise((resolve) => setTimeout(resolve, 200)); // past a reconnect's delay
    expect(redis.status).toBe("end");
    // A pipeline the QUIT cut short: what came after it is not sent again and again.
    const other = connectLocalRedis(server, "other");
    const exec = other.pipeline().ping().quit().ping().exec();
    const hung = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 500));
    expect(await Promise.race([exec.catch((error: Error) => error.message), hung])).toBe(
      "Connection is closed.",
    );
    expect(other.status).toBe("end");
    expect(server.state.clients.size).toBe(0);
  });

  it("reports an unreachable server at most every 10 s per connection", async () => {
    const server = await startServer();
    const errors: string[] = [];
    const redis = connectRedis({ local: server }, "jobs", (message) => errors.push(message));
    await redis.ping();
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // ioredis' pace: a few attempts
    expect(errors).toHaveLength(1);
    redis.disconnect();
  });

  it("is described without a socket", () => {
    expect(describeTarget({ local: {} as never })).toBe("embedded (in-process)");
  });
});
