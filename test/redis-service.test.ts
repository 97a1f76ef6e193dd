/** The Redis service as the ServerFactory runs it from the configuration. */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { ServerFactory } from "../src/factory.js";
import { createLogger } from "../src/logger.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heroagent-redis-service-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const clients: Redis[] = [];
const factories: ServerFactory[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  for (const factory of factories.splice(0)) await factory.stop().catch(() => undefined);
});

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger("info", sink), lines };
}

/** A factory running only redis, with `redis` settings over a free port and a fresh socket path. */
function redisFactory(redis: Record<string, unknown> = {}) {
  const flags = Object.fromEntries(Object.entries(redis).map(([key, value]) => [`redis.${key}`, value]));
  const config = loadConfig({
    flags: {
      enableWebDAV: false,
      enableUI: false,
      enableJobs: false,
      "redis.tcpPort": 0,
      "redis.unixSocketPath": path.join(fs.mkdtempSync(path.join(dir, "s-")), "redis.sock"),
      ...flags,
    },
  });
  const { logger, lines } = captureLogger();
  const factory = new ServerFactory(config, { logger });
  factories.push(factory);
  return { factory, config, lines };
}

function client(options: RedisOptions) {
  const redis = new Redis({ maxRetriesPerRequest: 0, retryStrategy: () => null, ...options });
  redis.on("error", () => {});
  clients.push(redis);
  return redis;
}

/** The first reply to `request` sent on a new connection. */
const rawReply = (port: number, request: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" }, () => socket.write(request));
    socket.once("data", (chunk) => {
      socket.destroy();
      resolve(String(chunk));
    });
    socket.on("error", reject);
  });

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

describe("redis service", () => {
  it("starts from the config on TCP and the Unix socket, reports its addresses and stops", async () => {
    const { factory, config, lines } = redisFactory();
    await factory.start();
    const status = factory.status().find((entry) => entry.name === "redis");
    const socketPath = config.redis.unixSocketPath;
    expect(status).toMatchObject({ state: "running", details: { appendonly: false, databases: 16 } });
    const address = status?.address as string;
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(status?.details?.addresses).toEqual([address, `unix:${socketPath}`]);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "service started", service: "redis", address }),
    );

    const port = Number(address.split(":")[1]);
    await client({ port }).set("k", "v");
    expect(await client({ path: socketPath }).get("k")).toBe("v");

    await factory.stop();
    expect(factory.status().find((entry) => entry.name === "redis")?.state).toBe("stopped");
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(await canConnect(port)).toBe(false);
  });

  it("fails to start, naming redis and the address, when the port is in use", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const { factory, config } = redisFactory({ tcpPort: port });
      await expect(factory.start()).rejects.toThrow(
        `service "redis" failed to start: cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
      );
      expect(factory.status().find((entry) => entry.name === "redis")).toMatchObject({ state: "failed" });
      expect(fs.existsSync(config.redis.unixSocketPath)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it("asks for the configured password and never logs it", async () => {
    const { factory, lines } = redisFactory({ password: "s3cret-pass", databases: 4 });
    await factory.start();
    const port = Number(factory.status()[0]?.address?.split(":")[1]);
    expect(await rawReply(port, "GET k\r\n")).toBe("-NOAUTH Authentication required.\r\n");
    const authenticated = client({ port, password: "s3cret-pass" });
    await expect(authenticated.select(4)).rejects.toThrow("ERR DB index is out of range");
    expect(await authenticated.select(3)).toBe("OK");
    await factory.stop();
    expect(JSON.stringify(lines)).not.toContain("s3cret-pass");
  });

  it("keeps the data across restarts with appendonly, and refuses a damaged file naming it", async () => {
    const aofPath = path.join(fs.mkdtempSync(path.join(dir, "aof-")), "data", "appendonly.aof");
    const first = redisFactory({ appendonly: true, appendfsync: "always", aofPath });
    await first.factory.start();
    expect(first.factory.status()[0]?.details).toMatchObject({
      appendonly: true,
      aofPath,
      appendfsync: "always",
    });
    const port = Number(first.factory.status()[0]?.address?.split(":")[1]);
    await client({ port }).set("kept", "yes");
    await first.factory.stop();

    const second = redisFactory({ appendonly: true, aofPath });
    await second.factory.start();
    const again = Number(second.factory.status()[0]?.address?.split(":")[1]);
    expect(await client({ port: again }).get("kept")).toBe("yes");
    await second.factory.stop();

    fs.appendFileSync(aofPath, "garbage\r\n*1\r\n$4\r\nPING\r\n");
    const third = redisFactory({ appendonly: true, aofPath });
    await expect(third.factory.start()).rejects.toThrow(
      /service "redis" failed to start: cannot load the append-only file .*: bad format at byte \d+: expected '\*', found "garbage"/,
    );
  });
});
