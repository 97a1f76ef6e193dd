import type { Redis } from "ioredis";
import { expect, it } from "vitest";
import { JobStatus } from "../../src/jobs/job.js";
import type { JobEvent } from "../../src/jobs/job-manager.js";
import { JobAbort } from "../../src/jobs/worker.js";
import { describeBackends, eventually, inspector, openManager } from "./backends.js";

async function jobKeys(redis: Redis): Promise<string[]> {
  return (await redis.keys("herojobs:*")).sort();
}

const statuses = (history: { status: string }[]) => history.map((job) => job.status).reverse();

describeBackends("JobManager", (backend) => {
  it("runs the seed's example call by call, each call a version", async () => {
    const target = await backend.redis();
    const jm = await openManager(target);
    const redis = inspector(target);
    const job = await jm.createJob("email", '{"to": "user@example.com", "subject": "Hello"}');
    expect(job.status).toBe(JobStatus.New);
    expect(await redis.hget(`herojobs:email:${job.jobId}`, "status")).toBe("new");
    expect(await redis.lrange("heroqueue:email", 0, -1)).toEqual([String(job.jobId)]);

    expect((await jm.getJob(job.jobId)).params).toBe('{"to": "user@example.com", "subject": "Hello"}');
    await jm.updateJobStatus(job.jobId, JobStatus.Active);
    expect(await redis.hget(`herojobs:email:${job.jobId}`, "status")).toBe("active");
    expect(await redis.llen("heroqueue:email")).toBe(0);
    await jm.completeJob(job.jobId, "Job completed successfully");
    expect(await jobKeys(redis)).toEqual([]);
    await jm.failJob(job.jobId, "Job failed due to network error");

    const history = await jm.getJobHistory(job.jobId);
    expect(statuses(history)).toEqual(["new", "active", "done", "error"]);
    expect(history[1]?.result).toBe("Job completed successfully");
    expect(history[0]?.error).toBe("Job failed due to network error");
    redis.disconnect();
  });

  it("runs a job through a handler: new → active → done, and the job leaves Redis", async () => {
    const target = await backend.redis();
    const jm = await openManager(target);
    const seen: JobEvent[] = [];
    jm.on("job", (event) => seen.push(event));
    jm.registerHandler("echo", (job) => `echo ${job.params}`);
    const job = await jm.createJob("echo", "hello");
    const done = await jm.waitForJob(job.jobId, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: "done", result: "echo hello", attempts: 1, progress: 100 });
    expect(done.workerId).toBe(jm.workerStatus?.workerId);
    expect(done.startedAt).toBeGreaterThanOrEqual(job.createdAt);
    expect(statuses(await jm.getJobHistory(job.jobId))).toEqual(["new", "active", "done"]);
    expect(seen.map((e) => [e.previous, e.job.status])).toEqual([
      [null, "new"],
      ["new", "active"],
      ["active", "done"],
    ]);
    const redis = inspector(target);
    await eventually(async () => (await jobKeys(redis)).length === 0);
    expect(await redis.llen("heroqueue:echo")).toBe(0);
    redis.disconnect();
  });

  it("wakes an idle worker for a new job instead of waiting for its poll interval", async () => {
    const jm = await openManager(await backend.redis(), { pollInterval: 10_000 });
    jm.registerHandler("prompt", () => "ok");
    await new Promise((resolve) => setTimeout(resolve, 300)); // the worker is blocked, idle
    for (let i = 0; i < 3; i++) {
      const job = await jm.createJob("prompt", "");
      // Far below the 10 s poll: only the wake-up token can explain a pickup within this.
      expect(await jm.waitForJob(job.jobId, { timeoutMs: 3000 })).toMatchObject({ status: "done" });
    }
  });

  it("retries a failing handler with backoff, then succeeds", async () => {
    const jm = await openManager(await backend.redis());
    const runs: number[] = [];
    jm.registerHandler("flaky", (job) => {
      runs.push(Date.now());
      if (job.attempt < 3) throw new Error(`boom ${job.attempt}`);
      return "ok";
    });
    const job = await jm.createJob("flaky", "", {
      maxAttempts: 3,
      backoff: { type: "fixed", delay: 150, jitter: false },
    });
    const done = await jm.waitForJob(job.jobId, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: "done", result: "ok", attempts: 3 });
    expect(runs).toHaveLength(3);
    expect((runs[1] as number) - (runs[0] as number)).toBeGreaterThanOrEqual(140);
    const history = await jm.getJobHistory(job.jobId);
    expect(statuses(history)).toEqual(["new", "active", "new", "active", "new", "active", "done"]);
    expect(history.find((v) => v.status === "new" && v.error)?.error).toMatch(/^boom [12]$/);
  });

  it("fails a job for good when its attempts are used up", async () => {
    const jm = await openManager(await backend.redis());
    jm.registerHandler("bad", () => {
      throw new Error("network down");
    });
    const job = await jm.createJob("bad", "", { maxAttempts: 2, backoff: { type: "fixed", delay: 10 } });
    const failed = await jm.waitForJob(job.jobId, { timeoutMs: 5000 });
    expect(failed).toMatchObject({ status: "error", error: "network down", attempts: 2 });
    expect(failed.finishedAt).not.toBeNull();
  });

  it("aborts a handler through its signal on timeout and marks the job error timeout", async () => {
    const jm = await openManager(await backend.redis());
    let reason: unknown;
    jm.registerHandler("slow", (_job, ctx) => {
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener("abort", () => {
          reason = ctx.signal.reason;
          reject(ctx.signal.reason);
        });
      });
    });
    const job = await jm.createJob("slow", "", { timeout: 0.2, maxAttempts: 1 });
    const failed = await jm.waitForJob(job.jobId, { timeoutMs: 5000 });
    expect(failed).toMatchObject({ status: "error", error: "timeout" });
    expect(reason).toBeInstanceOf(JobAbort);
    expect((failed.finishedAt as number) - (failed.startedAt as number)).toBeGreaterThanOrEqual(190);
  });

  it("frees the slot of a handler that ignores its signal", async () => {
    const jm = await openManager(await backend.redis(), { workerCount: 1 });
    jm.registerHandler("stuck", () => new Promise(() => {}));
    jm.registerHandler("quick", () => "fine");
    const stuck = await jm.createJob("stuck", "", { timeout: 0.1, maxAttempts: 1 });
    const quick = await jm.createJob("quick", "");
    expect(await jm.waitForJob(stuck.jobId, { timeoutMs: 5000 })).toMatchObject({ error: "timeout" });
    expect(await jm.waitForJob(quick.jobId, { timeoutMs: 5000 })).toMatchObject({ status: "done" });
  });

  it("does not run a delayed job before its time", async () => {
    const jm = await openManager(await backend.redis());
    jm.registerHandler("later", () => "now");
    const job = await jm.createJob("later", "", { delay: 300 });
    const done = await jm.waitForJob(job.jobId, { timeoutMs: 5000 });
    expect((done.startedAt as number) - job.createdAt).toBeGreaterThanOrEqual(300);
  });

  it("runs higher priorities first within a topic", async () => {
    const jm = await openManager(await backend.redis(), { workerCount: 1 });
    const order: number[] = [];
    const jobs = [];
    for (const priority of [0, 5, -1, 10, 0, 5]) jobs.push(await jm.createJob("ranked", "", { priority }));
    jm.registerHandler("ranked", (job) => {
      order.push(job.priority);
    });
    await Promise.all(jobs.map((job) => jm.waitForJob(job.jobId, { timeoutMs: 5000 })));
    expect(order).toEqual([10, 5, 5, 0, 0, -1]);
  });

  it("cancels a new job at once and a running one through its signal", async () => {
    const target = await backend.redis();
    const jm = await openManager(target);
    const waiting = await jm.createJob("nobody", "");
    expect(await jm.cancelJob(waiting.jobId)).toMatchObject({ status: "error", error: "cancelled" });
    const redis = inspector(target);
    expect(await jobKeys(redis)).toEqual([]);
    expect(await redis.llen("heroqueue:nobody")).toBe(0);

    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    jm.registerHandler("long", (_job, ctx) => {
      started();
      return new Promise((_r, reject) =>
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
      );
    });
    const job = await jm.createJob("long", "", { maxAttempts: 5 });
    await running;
    await jm.cancelJob(job.jobId);
    const cancelled = await jm.waitForJob(job.jobId, { timeoutMs: 5000 });
    expect(cancelled).toMatchObject({ status: "error", error: "cancelled", attempts: 1 });
    await expect(jm.cancelJob(job.jobId)).rejects.toThrow(/already error/);
    redis.disconnect();
  });

  it("retries a failed job on request", async () => {
    const jm = await openManager(await backend.redis());
    let fail = true;
    jm.registerHandler("again", () => {
      if (fail) throw new Error("not yet");
      return "second time";
    });
    const job = await jm.createJob("again", "", { maxAttempts: 1 });
    expect(await jm.waitForJob(job.jobId, { timeoutMs: 5000 })).toMatchObject({ status: "error" });
    fail = false;
    expect(await jm.retryJob(job.jobId)).toMatchObject({ status: "new", attempts: 0, error: null });
    expect(await jm.waitForJob(job.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "done",
      result: "second time",
    });
    await expect(jm.retryJob(job.jobId)).rejects.toThrow(/only a job in error/);
  });

  it("leaves a job without a handler in its queue without blocking other topics", async () => {
    const target = await backend.redis();
    const jm = await openManager(target, { workerCount: 1 });
    jm.registerHandler("served", () => "ok");
    const orphan = await jm.createJob("unserved", "");
    const served = await jm.createJob("served", "");
    expect(await jm.waitForJob(served.jobId, { timeoutMs: 5000 })).toMatchObject({ status: "done" });
    expect((await jm.getJob(orphan.jobId)).status).toBe("new");
    const redis = inspector(target);
    expect(await redis.lrange("heroqueue:unserved", 0, -1)).toEqual([String(orphan.jobId)]);
    redis.disconnect();
  });

  it("keeps progress and log lines, live while running and in the finished version", async () => {
    const jm = await openManager(await backend.redis());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const progress: number[] = [];
    jm.on("progress", (event) => progress.push(event.progress));
    jm.registerHandler("steps", async (_job, ctx) => {
      ctx.log("step one");
      ctx.progress(40);
      await gate;
      ctx.log("step two\nwith a newline");
      return "finished";
    });
    const job = await jm.createJob("steps", "");
    await eventually(async () => (await jm.getJob(job.jobId)).progress === 40);
    expect((await jm.getJob(job.jobId)).logs).toEqual(["step one"]);
    release();
    const done = await jm.waitForJob(job.jobId, { timeoutMs: 5000 });
    expect(done.logs).toEqual(["step one", "step two with a newline"]);
    expect(progress).toContain(40);
  });

  it("fails a job whose result is over 1 MiB with 'result too large'", async () => {
    const jm = await openManager(await backend.redis());
    jm.registerHandler("huge", () => "x".repeat(1024 * 1024 + 1));
    const job = await jm.createJob("huge", "");
    expect(await jm.waitForJob(job.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "error",
      error: "result too large",
      result: null,
    });
  });

  it("stores 1 MiB params and results intact", async () => {
    const jm = await openManager(await backend.redis());
    const params = "p€".repeat(262_144); // 1 MiB of UTF-8
    jm.registerHandler("big", (job) => job.params.split("").reverse().join(""));
    const job = await jm.createJob("big", params);
    const done = await jm.waitForJob(job.jobId, { timeoutMs: 10_000 });
    expect(done.params).toBe(params);
    expect(done.result).toBe(params.split("").reverse().join(""));
    await expect(jm.createJob("big", `${params}x`)).rejects.toThrow(/exceed the limit/);
  });

  it("queues a failed job again when its status is set back to new", async () => {
    const jm = await openManager(await backend.redis());
    const job = await jm.createJob("manual", "payload");
    await jm.failJob(job.jobId, "gave up");
    await jm.updateJobStatus(job.jobId, JobStatus.New);
    jm.registerHandler("manual", (j) => `ran ${j.params}`);
    expect(await jm.waitForJob(job.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "done",
      result: "ran payload",
    });
  });

  it("ends pending waits when the manager closes", async () => {
    const jm = await openManager(await backend.redis());
    const job = await jm.createJob("nobody", "");
    const waiting = expect(jm.waitForJob(job.jobId, { timeoutMs: 60_000 })).rejects.toMatchObject({
      code: "HEROAGENT_ERR_JOB_MANAGER_UNAVAILABLE",
    });
    await jm.close();
    await waiting;
    await expect(jm.waitForJob(job.jobId)).rejects.toThrow(/closed/);
  });

  it("times out waitForJob without touching the job", async () => {
    const jm = await openManager(await backend.redis());
    const job = await jm.createJob("nobody", "");
    await expect(jm.waitForJob(job.jobId, { timeoutMs: 50 })).rejects.toMatchObject({
      code: "HEROAGENT_ERR_JOB_WAIT_TIMEOUT",
    });
    expect((await jm.getJob(job.jobId)).status).toBe("new");
  });
});
