/**
 * The job system's tests run against both Redis implementations it supports: the embedded server
 * and Debian's redis-server (skipped with its name when missing, failed under
 * HEROAGENT_REQUIRE_TOOLS=1). Each test gets a fresh server, a fresh job store, and managers and
 * workers closed after it.
 */
import { afterEach, describe, it } from "vitest";
import { JobManager, type JobManagerOptions } from "../../src/jobs/job-manager.js";
import type { RedisTarget } from "../../src/jobs/redis-client.js";
import { JobWorker, type JobWorkerOptions } from "../../src/jobs/worker.js";
import { findTool, toolsRequired } from "../helpers/tools.js";
import { startRealRedis, startServer } from "../redis/helpers.js";
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

const real: Backend = {
  name: "redis-server",
  redis: async () => ({ host: "127.0.0.1", port: await startRealRedis() }),
};

/** Declares the same suite once per backend. */
export function describeBackends(title: string, suite: (backend: Backend) => void): void {
  describe(`${title} — ${embedded.name}`, () => suite(embedded));
  if (findTool("redis-server")) {
    describe(`${title} — ${real.name}`, () => suite(real));
  } else if (toolsRequired) {
    it(`${title} — redis-server [needs redis-server (not installed)]`, () => {
      throw new Error("HEROAGENT_REQUIRE_TOOLS=1 but redis-server is not installed");
    });
  } else {
    describe.skip(`${title} — redis-server [needs redis-server (not installed)]`, () => {
      it("skipped", () => {});
    });
  }
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

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
