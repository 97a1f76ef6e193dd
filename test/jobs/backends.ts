/**
 * The job system's tests run against every Redis it supports: the embedded server over TCP, the
 * embedded server of this process over a local connection (as `heroagent start` runs it), Debian's
 * redis-server and Valkey (each skipped with its name when missing, failed under
 * HEROAGENT_REQUIRE_TOOLS=1).
 * Each test gets a fresh server, a fresh job store, and managers and workers closed after it.
 */
import { Redis, type RedisOptions } from "ioredis";
import { afterEach, describe, it } from "vitest";
import { JobManager, type JobManagerOptions } from "../../src/jobs/job-manager.js";
import type { RedisTarget } from "../../src/jobs/redis-client.js";
import { JobWorker, type JobWorkerOptions } from "../../src/jobs/worker.js";
import { findTool, toolsRequired } from "../helpers/tools.js";
import { startRealRedis, startServer, startValkey } from "../redis/helpers.js";
import { tempDir } from "./helpers.js";

export interface Backend {
  name: string;
  /** A fresh, empty Redis for this test. */
  redis(): Promise<RedisTarget>;
}

const embedded: Backend = {
  name: "embedded Redis",
  redis: async () => ({ host: "127.0.0.1", port: (await startServer()).port }),
};

const inProcess: Backend = {
  name: "embedded Redis, in-process",
  redis: async () => ({ local: await startServer() }),
};

const real: Backend = {
  name: "redis-server",
  redis: async () => ({ host: "127.0.0.1", port: await startRealRedis() }),
};

const valkey: Backend = {
  name: "Valkey",
  redis: async () => ({ host: "127.0.0.1", port: await startValkey() }),
};

/** The backends that need a program, with the program's name. */
const programs: [string, Backend][] = [
  ["redis-server", real],
  ["valkey-server", valkey],
];

/** Declares the same suite once per backend. */
export function describeBackends(title: string, suite: (backend: Backend) => void): void {
  describe(`${title} — ${embedded.name}`, () => suite(embedded));
  describe(`${title} — ${inProcess.name}`, () => suite(inProcess));
  for (const [tool, backend] of programs) {
    if (findTool(tool)) {
      describe(`${title} — ${backend.name}`, () => suite(backend));
    } else if (toolsRequired) {
      it(`${title} — ${backend.name} [needs ${tool} (not installed)]`, () => {
        throw new Error(`HEROAGENT_REQUIRE_TOOLS=1 but ${tool} is not installed`);
      });
    } else {
      describe.skip(`${title} — ${backend.name} [needs ${tool} (not installed)]`, () => {
        it("skipped", () => {});
      });
    }
  }
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * The same Redis as `target`, reached over a socket: for what runs outside the job system under test
 * (a CLI's client, a worker in a child process, a test looking at the keys).
 */
export function socketOf(target: RedisTarget): RedisOptions | string {
  if (typeof target === "string") return target;
  if ("local" in target) return { host: "127.0.0.1", port: target.local.port };
  return target;
}

/** An ioredis client of `target`'s Redis for a test to look at or change keys, closed after the test. */
export function inspector(target: RedisTarget): Redis {
  const where = socketOf(target);
  const redis = typeof where === "string" ? new Redis(where) : new Redis(where);
  closers.push(async () => redis.disconnect());
  return redis;
}

/** Fast defaults for tests: short polls and leases so recovery is seen in well under a second. */
export const TEST_TIMINGS = { pollInterval: 20, leaseTimeout: 1000 } as const;

export async function openManager(
  redis: RedisTarget,
  options: Partial<JobManagerOptions> = {},
): Promise<JobManager> {
  const manager = await JobManager.open({
    store: tempDir(),
    redis,
    workerCount: 4,
    ...TEST_TIMINGS,
    ...options,
  });
  closers.push(() => manager.close());
  return manager;
}

export async function startWorker(
  redis: RedisTarget,
  options: Partial<JobWorkerOptions> = {},
): Promise<JobWorker> {
  const worker = new JobWorker({ redis, concurrency: 2, ...TEST_TIMINGS, ...options });
  closers.push(() => worker.stop());
  return worker;
}

/** Resolves once `check` is true (polled), or rejects after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
