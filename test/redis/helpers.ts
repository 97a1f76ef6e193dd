import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterEach } from "vitest";
import { RedisServer, type RedisServerOptions } from "../../src/redis/index.js";
import { freePort, waitForPort } from "../../support/ports.js";
import { RespConnection } from "./differential/runner.js";

export { freePort };

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts an embedded server on a free port (and, if asked, a Unix socket), stopped after the test. */
export async function startServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const server = new RedisServer(
    { port: 0, unixSocketPath: "", ...options },
    {
      onInternalError: (error) => {
        throw error;
      },
    },
  );
  await server.start();
  cleanups.push(() => server.stop());
  return server;
}

/** An ioredis client of `port` (or a socket path), closed after the test. */
export function ioredis(where: number | string, options: Record<string, unknown> = {}): Redis {
  const client =
    typeof where === "number"
      ? new Redis({ port: where, host: "127.0.0.1", maxRetriesPerRequest: 1, ...options })
      : new Redis({ path: where, maxRetriesPerRequest: 1, ...options });
  cleanups.push(() => client.disconnect());
  return client;
}

/** A temporary path for a Unix socket. */
export function socketPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heroredis-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "redis.sock");
}

/**
 * Sends raw bytes and returns everything the server answers until it closes the connection or
 * stays quiet for `quietMs`.
 */
export function rawExchange(
  port: number,
  data: string | Buffer,
  quietMs = 150,
): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply: Buffer.concat(chunks).toString("latin1"), closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    };
    socket.on("connect", () => {
      socket.write(data);
      arm();
    });
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      arm();
    });
    socket.on("end", () => finish(true));
    socket.on("error", reject);
  });
}

/** A RESP multibulk request for `args`. */
export function resp(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "latin1") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Starts Debian's redis-server on a free port with no persistence; stopped after the test. */
export function startRealRedis(extraArgs: string[] = []): Promise<number> {
  return startServerProcess("redis-server", extraArgs);
}

/** Starts Debian's valkey-server (bookworm-backports) like startRealRedis; killed after the test. */
export function startValkey(extraArgs: string[] = []): Promise<number> {
  return startServerProcess("valkey-server", extraArgs);
}

async function startServerProcess(binary: string, extraArgs: string[]): Promise<number> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extraArgs],
    { stdio: "ignore" },
  );
  cleanups.push(async () => {
    child.kill("SIGKILL");
  });
  if (await waitForPort(port)) return port;
  throw new Error(`${binary} did not start`);
}

/** A raw connection whose replies are read per command (HELLO 3 first for RESP3), closed after the test. */
export async function connect(port: number, protocol: 2 | 3 = 2): Promise<RespConnection> {
  const connection = await RespConnection.open(port);
  cleanups.push(() => connection.close());
  if (protocol === 3) await connection.command(["HELLO", "3"]);
  return connection;
}

/** The raw bytes of every reply a command got. */
export async function send(connection: RespConnection, ...argv: string[]): Promise<string> {
  const outcome = await connection.command(argv);
  return outcome.replies.map((reply) => reply.bytes.toString("latin1")).join("");
}
