/**
 * Redis connections of the job system. jobs/ talks to Redis through a subset of ioredis' API, served
 * by a look-alike (redis-lookalike.ts) over a socket to redis-server, Valkey or the embedded server,
 * or, in the embedded server's own process, over a local connection: the same commands either way.
 */
import type { Redis } from "ioredis";
import { connectLocalRedis, connectSocketRedis, type LocalRedisTarget } from "./redis-lookalike.js";
import { parseRedisUrl, type SocketTarget } from "./socket-connection.js";

/**
 * A redis:// or rediss:// URL, a socket to reach (e.g. `{ path: "/tmp/redis.sock" }`), or the
 * embedded server of this process (`{ local: server }`).
 */
export type RedisTarget = string | SocketTarget | LocalRedisTarget;

const isLocal = (target: RedisTarget): target is LocalRedisTarget =>
  typeof target === "object" && "local" in target;

/** Connection errors are reported at most this often per connection (reconnects come each second). */
const ERROR_REPORT_INTERVAL_MS = 10_000;

/**
 * Opens one connection. Commands wait while the connection is down and are retried after a
 * reconnect: a Redis restart pauses the job system, it does not fail jobs. `role` names the
 * connection in CLIENT LIST; `onError` hears about an unreachable Redis. An invalid URL throws.
 */
export function connectRedis(target: RedisTarget, role: string, onError?: (message: string) => void): Redis {
  const name = `heroagent-${role}`;
  if (isLocal(target)) {
    const redis = connectLocalRedis(target.local, name);
    redis.on("error", reporter(`Redis connection ${role} (embedded)`, onError));
    return redis;
  }
  const redis = connectSocketRedis(typeof target === "string" ? parseRedisUrl(target) : target, name);
  redis.on("error", reporter(`Redis connection ${role} (${describeTarget(target)})`, onError));
  return redis;
}

/** A connection's "error" listener: passes an error on to `onError` at most every 10 s. */
function reporter(connection: string, onError?: (message: string) => void): (error: Error) => void {
  let reportedAt = 0;
  return (error) => {
    if (Date.now() - reportedAt < ERROR_REPORT_INTERVAL_MS) return;
    reportedAt = Date.now();
    onError?.(`${connection}: ${error.message}`);
  };
}

/** Closes a connection without waiting for a dead server (QUIT would hang until reconnected). */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") return;
  if (redis.status === "ready") {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through to disconnect
    }
  }
  redis.disconnect();
}

/** A short, log-safe description of a target (never the password). */
export function describeTarget(target: RedisTarget): string {
  if (isLocal(target)) return "embedded (in-process)";
  if (typeof target !== "string")
    return target.path ? `unix:${target.path}` : `${target.host ?? "127.0.0.1"}:${target.port ?? 6379}`;
  try {
    const url = new URL(target);
    return `${url.protocol}//${url.hostname}:${url.port || 6379}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "(invalid Redis URL)";
  }
}

/**
 * The entries of `key` after `lastId` (XREAD), at most `count`, waiting up to `blockMs` when there
 * are none (0: do not wait; XREAD's BLOCK 0 would wait forever). Each entry: [id, field/value list].
 */
export async function readStream(
  redis: Redis,
  key: string,
  lastId: string,
  count: number,
  blockMs: number,
): Promise<[string, string[]][]> {
  const block = blockMs > 0 ? ["BLOCK", blockMs] : [];
  const reply = (await redis.xread(
    "COUNT",
    count,
    ...(block as ["BLOCK", number]),
    "STREAMS",
    key,
    lastId,
  )) as [string, [string, string[]][]][] | null;
  return reply?.[0]?.[1] ?? [];
}
