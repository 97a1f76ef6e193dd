/**
 * The Redis servers the job bench runs against, started together and stopped together:
 * - the embedded server in a Node child (bench/redis/server-process.ts), reached over a Unix socket;
 * - the embedded server in this process (as `heroagent start` runs it), over a Unix socket;
 * - Debian's redis-server on a free TCP port, no persistence (`--save "" --appendonly no`), or with
 *   `durable`, an AOF fsync'd before every reply (`--appendfsync always`).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RedisOptions } from "ioredis";
import { RedisServer } from "../../src/redis/index.js";
import { removeBundle, type ServerUnderTest, startEmbedded, startRedis } from "../redis/servers.js";

export interface BenchServers {
  /** The embedded server in a child process (Unix socket). */
  child: RedisOptions;
  /** The embedded server in this process (Unix socket). */
  inProcess: RedisOptions;
  /** The same server object, for local connections (as `heroagent start` runs the job system). */
  inProcessServer: RedisServer;
  /** redis-server over TCP. */
  redis: { host: string; port: number };
  childPid: number;
  redisPid: number;
  stop(): Promise<void>;
}

export async function startServers(childNodeArgs: string[] = [], durable = false): Promise<BenchServers> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobs-bench-sock-"));
  // An interrupted run: the children are killed at exit (servers.ts), the folders go with them.
  const removeFolders = () => {
    removeBundle();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", removeFolders);
  const started: ServerUnderTest[] = [];
  let inProcess: RedisServer | undefined;
  const stop = async () => {
    await inProcess?.stop().catch(() => undefined);
    for (const server of started) await server.stop();
    removeFolders();
  };
  try {
    const childSocket = path.join(dir, "child.sock");
    const child = await startEmbedded(childNodeArgs, childSocket);
    started.push(child);
    const redis = await startRedis(durable ? path.join(dir, "aof") : undefined);
    started.push(redis);
    const inProcessSocket = path.join(dir, "in-process.sock");
    inProcess = new RedisServer(
      { port: 0, unixSocketPath: inProcessSocket },
      { onInternalError: (error, command) => console.error(`internal error in ${command}:`, error) },
    );
    await inProcess.start();
    return {
      child: { path: childSocket },
      inProcess: { path: inProcessSocket },
      inProcessServer: inProcess,
      redis: { host: "127.0.0.1", port: redis.port },
      childPid: child.pid,
      redisPid: redis.pid,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
