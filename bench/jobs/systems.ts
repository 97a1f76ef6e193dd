/**
 * The job systems under test behind one small interface: ours (JobManager on OurDB + a Redis) and
 * BullMQ (Queue + Worker on redis-server). Every `open` starts from an empty Redis (FLUSHALL) and,
 * for ours, a fresh OurDB folder, so runs do not see each other's jobs.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Queue, Worker } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { JobManager } from "../../src/jobs/index.js";
import type { RedisTarget } from "../../src/jobs/redis-client.js";

/** One open queue with `concurrency` worker slots, a no-op handler and a producer in this process. */
export interface Instance {
  /** Creates one no-op job (resolves when the system acknowledged it). */
  create(): Promise<void>;
  /** Resolves once `count` more jobs have completed (ours: the done version stored in OurDB). */
  completions(count: number, timeoutMs: number): Promise<void>;
  /** Resolves with performance.now() taken at the start of the next handler call. */
  nextHandlerStart(): Promise<number>;
  close(): Promise<void>;
}

export interface System {
  name: string;
  open(concurrency: number): Promise<Instance>;
  /** The Redis server's process when it is not this one: its CPU counts for the job too. */
  serverPid?: number;
}

/** OurDB folders of open instances; removed at exit too, so an interrupted run leaves none. */
const tempDirs = new Set<string>();
process.on("exit", () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Counts completions and handler starts for an Instance. */
class Tally {
  private done = 0;
  private waiters: { at: number; resolve: () => void }[] = [];
  private starts: ((t: number) => void)[] = [];

  completed(): void {
    this.done++;
    const reached = this.waiters.filter((w) => this.done >= w.at);
    if (reached.length === 0) return;
    this.waiters = this.waiters.filter((w) => this.done < w.at);
    for (const w of reached) w.resolve();
  }

  handlerStarted(): void {
    const t = performance.now();
    const starts = this.starts;
    this.starts = [];
    for (const resolve of starts) resolve(t);
  }

  completions(count: number, timeoutMs: number): Promise<void> {
    const at = this.done + count;
    const from = this.done;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`only ${this.done - from} of ${count} jobs completed within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({
        at,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  nextHandlerStart(): Promise<number> {
    return new Promise((resolve) => this.starts.push(resolve));
  }
}

async function flushAll(target: RedisOptions): Promise<void> {
  const redis = new Redis({ ...target, lazyConnect: true });
  try {
    await redis.connect();
    await redis.flushall();
  } finally {
    redis.disconnect();
  }
}

/**
 * Our JobManager (in-process workers, pollInterval 100 ms, lease 30 s) against `target`; `socket`
 * reaches the same Redis for the FLUSHALL (needed when `target` is a local connection).
 */
export function ours(
  name: string,
  target: () => RedisTarget,
  socket: () => RedisOptions = target as () => RedisOptions,
  serverPid?: number,
): System {
  return {
    name,
    serverPid,
    async open(concurrency) {
      await flushAll(socket());
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobs-bench-"));
      tempDirs.add(dir);
      const tally = new Tally();
      let jm: JobManager;
      try {
        jm = await JobManager.open({
          store: dir,
          redis: target(),
          workerCount: concurrency,
          pollInterval: 100,
          leaseTimeout: 30_000,
        });
      } catch (error) {
        fs.rmSync(dir, { recursive: true, force: true });
        tempDirs.delete(dir);
        throw error;
      }
      jm.registerHandler("noop", () => {
        tally.handlerStarted();
        return undefined;
      });
      // "done" is emitted only after the done version is stored in OurDB.
      jm.on("job", ({ job }) => job.status === "done" && tally.completed());
      return {
        create: async () => {
          await jm.createJob("noop", "{}");
        },
        completions: (count, timeoutMs) => tally.completions(count, timeoutMs),
        nextHandlerStart: () => tally.nextHandlerStart(),
        close: async () => {
          try {
            await jm.close();
          } finally {
            fs.rmSync(dir, { recursive: true, force: true });
            tempDirs.delete(dir);
          }
        },
      };
    },
  };
}

/**
 * BullMQ: one Queue (the producer) and one Worker with `concurrency`, both in this process, default
 * job options (removeOnComplete: false, so completed jobs are kept in Redis). A completion is the
 * Worker's "completed" event, emitted once moveToFinished has marked the job completed in Redis.
 */
export function bullmq(
  name: string,
  target: () => { host: string; port: number },
  serverPid?: number,
): System {
  return {
    name,
    serverPid,
    async open(concurrency) {
      await flushAll(target());
      const { host, port } = target();
      const connection = { host, port, maxRetriesPerRequest: null };
      const tally = new Tally();
      const queue = new Queue("bench", { connection });
      const worker = new Worker(
        "bench",
        async () => {
          tally.handlerStarted();
          return undefined;
        },
        { connection, concurrency },
      );
      worker.on("completed", () => tally.completed());
      worker.on("error", (error) => console.error("bullmq worker error:", error));
      try {
        await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
      } catch (error) {
        await Promise.allSettled([worker.close(true), queue.close()]);
        throw error;
      }
      return {
        create: async () => {
          await queue.add("noop", {});
        },
        completions: (count, timeoutMs) => tally.completions(count, timeoutMs),
        nextHandlerStart: () => tally.nextHandlerStart(),
        close: async () => {
          await Promise.allSettled([worker.close(), queue.close()]);
        },
      };
    },
  };
}
