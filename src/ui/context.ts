/**
 * What the API's routes reach the other services through: only their public APIs (the factory's
 * status and service control, the JobManager, the WebDAV FileSystem, a Redis client to the embedded
 * server). Each getter throws a 503 when its service is disabled or not running, so the UI runs
 * with any subset of the services.
 */
import { Redis } from "ioredis";
import type { Config } from "../config.js";
import { describeError, ServiceNotEnabledError } from "../errors.js";
import type { ServerFactory } from "../factory.js";
import type { JobManager } from "../jobs/job-manager.js";
import type { RedisTarget } from "../jobs/redis-client.js";
import { embeddedRedisTarget } from "../jobs-service.js";
import type { Logger } from "../logger.js";
import { isFileSystemProvider } from "../service.js";
import type { FileSystem } from "../webdav/index.js";
import type { Auth } from "./auth.js";
import { notRunning } from "./errors.js";
import type { RouteTable } from "./route.js";

export interface UIContext {
  readonly config: Config;
  readonly factory: ServerFactory;
  readonly auth: Auth;
  readonly routes: RouteTable;
  readonly logger: Logger;
  /** The running job system's manager. */
  jobs(): JobManager;
  /** A connected client of the embedded Redis server, on database `db` (default 0). */
  redis(db?: number): Promise<Redis>;
  /** A connected client of the Redis the job queues live in (the embedded one unless jobs.redisUrl is set). */
  queueRedis(): Promise<Redis>;
}

/** Lazily connected ioredis clients that fail fast (no offline queue) while their server is down. */
export class RedisClients {
  /** One client per database the UI has looked at (SELECT on a shared client would race). */
  private readonly embedded = new Map<number, Redis>();
  private queues?: Redis;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  embeddedClient(db = 0): Promise<Redis> {
    if (!this.config.enableRedis) throw new ServiceNotEnabledError("redis", "enableRedis is false");
    let client = this.embedded.get(db);
    if (!client) {
      client = this.connect(embeddedRedisTarget(this.config), "ui", db);
      this.embedded.set(db, client);
    }
    return ready(client, "redis");
  }

  queueClient(): Promise<Redis> {
    if (this.config.jobs.redisUrl === "") return this.embeddedClient();
    this.queues ??= this.connect(this.config.jobs.redisUrl, "ui-queues");
    return ready(this.queues, "jobs");
  }

  close(): void {
    for (const client of this.embedded.values()) client.disconnect();
    this.queues?.disconnect();
    this.embedded.clear();
    this.queues = undefined;
  }

  private connect(target: RedisTarget, role: string, db = 0): Redis {
    const options = {
      db,
      connectionName: `heroagent-${role}`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
      disconnectTimeout: 100,
    };
    const client =
      typeof target === "string" ? new Redis(target, options) : new Redis({ ...target, ...options });
    let lastReport = 0;
    client.on("error", (error) => {
      if (Date.now() - lastReport < 10_000) return;
      lastReport = Date.now();
      this.logger.debug({ role, error: describeError(error) }, "UI Redis connection error");
    });
    return client;
  }
}

const READY_WAIT_MS = 2000;

/** `client` once it is connected; 503 when it does not connect within READY_WAIT_MS. */
async function ready(client: Redis, service: string): Promise<Redis> {
  if (client.status === "ready") return client;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      reject(notRunning(service));
    }, READY_WAIT_MS);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once("ready", onReady);
  });
  return client;
}

/** Throws 503 unless the factory reports `name` running. */
export function requireRunning(factory: ServerFactory, name: string): void {
  const status = factory.status().find((s) => s.name === name);
  if (!status) throw new ServiceNotEnabledError(name, "it is disabled in the config");
  if (status.state !== "running") throw notRunning(name);
}

/** The running WebDAV service's FileSystem. */
export function webdavFileSystem(factory: ServerFactory): FileSystem {
  requireRunning(factory, "webdav");
  const service = factory.getService("webdav");
  if (!service || !isFileSystemProvider(service)) throw notRunning("webdav");
  return service.getFileSystem();
}
