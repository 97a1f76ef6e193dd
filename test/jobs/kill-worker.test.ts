/**
 * kill -9 of a remote worker mid-job (issue #4): the job finishes on another worker, with exactly
 * one `done` version, written by the owner of the live token. The workers are real `heroagent
 * worker` processes; the manager runs here with no in-process worker, so only they run jobs.
 */
import { Redis, type RedisOptions } from "ioredis";
import { afterEach, expect, it } from "vitest";
import { type CliProcess, runCli } from "../helpers/cli.js";
import { describeBackends, eventually, openManager, socketOf } from "./backends.js";

const running: CliProcess[] = [];
afterEach(() => {
  for (const cli of running.splice(0)) if (cli.child.exitCode === null) cli.child.kill("SIGKILL");
});

async function startWorker(url: string, workerId: string): Promise<CliProcess> {
  const cli = runCli([
    "worker",
    "--redis",
    url,
    "--topics",
    "sleep",
    "--worker-id",
    workerId,
    "--poll-interval",
    "20",
    "--lease-timeout",
    "1000",
  ]);
  running.push(cli);
  await cli.waitForLog("worker started");
  return cli;
}

describeBackends("kill -9 of a remote worker mid-job", (backend) => {
  it("finishes the job on another worker: one done version, by the live token's owner", async () => {
    const target = await backend.redis();
    const url = `redis://127.0.0.1:${(socketOf(target) as RedisOptions).port}`;
    const manager = await openManager(target, { workerCount: 0, leaseTimeout: 1000 });
    const a = await startWorker(url, "A");
    const job = await manager.createJob("sleep", '{"ms": 2000}', {
      backoff: { type: "fixed", delay: 10, jitter: false },
    });
    await eventually(async () => {
      const current = await manager.getJob(job.jobId);
      return current.status === "active" && current.workerId === "A" && current.progress >= 10;
    });

    a.child.kill("SIGKILL");
    expect((await a.exited).signal).toBe("SIGKILL");
    const killedAt = Date.now();
    await startWorker(url, "B");

    const done = await manager.waitForJob(job.jobId, { timeoutMs: 15_000 });
    expect(done).toMatchObject({ status: "done", workerId: "B", attempts: 2, result: "slept 2000 ms" });
    // Lease (1 s) + reaper tick + B's start and 2 s run: seconds, not a default 30 s lease.
    expect(Date.now() - killedAt).toBeLessThan(10_000);

    const history = await manager.getJobHistory(job.jobId);
    expect(history.filter((version) => version.status === "done")).toHaveLength(1);
    expect(history.map((v) => [v.version, v.status, v.workerId, v.attempts])).toEqual([
      [5, "done", "B", 2],
      [4, "active", "B", 2],
      [3, "new", null, 1],
      [2, "active", "A", 1],
      [1, "new", null, 0],
    ]);
    expect(history[2]?.error).toBe("lease expired (worker A)");

    // Nothing of the job or of A is left in Redis.
    const redis = new Redis(socketOf(target) as RedisOptions);
    try {
      expect(await redis.keys("herojobs:*")).toEqual([]);
      expect(await redis.keys("heroprocessing:A:*")).toEqual([]);
      expect(await redis.hkeys("heroworkers")).toEqual(["B"]);
    } finally {
      redis.disconnect();
    }
  }, 30_000);
});

describeBackends("a worker killed between LMOVE and its claim", (backend) => {
  // Found by the kill -9 test against redis-server: the reaper used to drop such a job with the
  // list (it stayed "new" in Redis, in no lane, and never ran). Fixed in c304033.
  it("puts the unclaimed job back in its lane", async () => {
    const target = await backend.redis();
    const manager = await openManager(target, { workerCount: 0, leaseTimeout: 1000 });
    const job = await manager.createJob("work", "x");
    const redis = new Redis(socketOf(target) as RedisOptions);
    try {
      // The worker registered, took the job with LMOVE, and died before claiming it.
      await redis
        .multi()
        .set("herolease:ghost", "1", "PX", 200)
        .hset("heroworkers", "ghost", JSON.stringify({ workerId: "ghost", topics: ["work"] }))
        .lmove("heroqueue:work", "heroprocessing:ghost:work", "RIGHT", "LEFT")
        .exec();
      await eventually(async () => (await redis.hexists("heroworkers", "ghost")) === 0); // reaped
      expect(await redis.lrange("heroqueue:work", 0, -1)).toEqual([String(job.jobId)]);
    } finally {
      redis.disconnect();
    }
  });
});
