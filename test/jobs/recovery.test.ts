import { expect, it } from "vitest";
import { processingKey, queueKey } from "../../src/jobs/redis-keys.js";
import { WorkerQueue } from "../../src/jobs/worker-queue.js";
import { describeBackends, eventually, inspector, openManager, startWorker } from "./backends.js";
import { tempDir } from "./helpers.js";

const statuses = (history: { status: string }[]) => history.map((job) => job.status).reverse();

describeBackends("job recovery", (backend) => {
  it("gives a dead worker's job to another worker and refuses the stale worker's result", async () => {
    const target = await backend.redis();
    const jm = await openManager(target, { workerCount: 0 });
    const job = await jm.createJob("work", "payload");

    // A worker that claims the job, renews its lease once, and then goes silent (paused, not dead).
    const redis = inspector(target);
    const ghost = new WorkerQueue(redis, "ghost");
    await ghost.renewLease(
      { workerId: "ghost", topics: ["work"], concurrency: 1, host: "h", pid: 1, startedAt: 0 },
      300,
    );
    const [claimed] = await ghost.fetch(["work"], 0);
    expect(claimed?.job.jobId).toBe(job.jobId);
    await eventually(async () => (await jm.getJob(job.jobId)).status === "active");

    // Its lease expires: the reaper puts the job back, and a live worker finishes it.
    const live = await startWorker(target, { workerId: "live" });
    live.registerHandler("work", (j) => `done by live (attempt ${j.attempt})`);
    await live.start();
    const done = await jm.waitForJob(job.jobId, { timeoutMs: 5000 });
    expect(done).toMatchObject({
      status: "done",
      workerId: "live",
      attempts: 2,
      result: "done by live (attempt 2)",
    });

    // The stale worker comes back and reports: refused, nothing stored.
    const { job: stale, token } = claimed as NonNullable<typeof claimed>;
    await ghost.report({ type: "done", ...ghost.base(stale, token, Date.now()), result: "done by ghost" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const history = await jm.getJobHistory(job.jobId);
    expect(history.filter((v) => v.status === "done")).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: "done", workerId: "live" });
    expect(statuses(history)).toEqual(["new", "active", "new", "active", "done"]);
    expect(history[2]?.error).toBe("lease expired (worker ghost)");
    expect(await redis.keys("herojobs:*")).toEqual([]);
    redis.disconnect();
  });

  it("a live worker recovers the jobs it lost track of (a fetch or a report that failed midway)", async () => {
    const target = await backend.redis();
    const jm = await openManager(target, { workerCount: 0 });
    const taken = await jm.createJob("work", "taken, never claimed");
    const claimedLost = await jm.createJob("work", "claimed, then lost");
    const redis = inspector(target);
    // As if w1's fetch moved the first job and then failed before claiming it…
    await redis.lmove(queueKey("work", 0), processingKey("w1", "work"), "RIGHT", "LEFT");
    // …and as if w1 claimed the second one but never got the reply (or never reported it).
    const [claimed] = await new WorkerQueue(redis, "w1").fetch(["work"], 0);
    expect(claimed?.job.jobId).toBe(claimedLost.jobId);
    expect(await redis.llen(processingKey("w1", "work"))).toBe(2);

    // w1 keeps running (its lease is live, so the reaper does not act): it sets both right itself.
    const worker = await startWorker(target, { workerId: "w1" });
    worker.registerHandler("work", (job) => `ran attempt ${job.attempt}`);
    await worker.start();
    const [first, second] = await Promise.all(
      [taken, claimedLost].map((job) => jm.waitForJob(job.jobId, { timeoutMs: 5000 })),
    );
    expect(first).toMatchObject({ status: "done", attempts: 1, result: "ran attempt 1" });
    expect(second).toMatchObject({ status: "done", attempts: 2, result: "ran attempt 2" });
    const history = await jm.getJobHistory(claimedLost.jobId);
    expect(statuses(history)).toEqual(["new", "active", "new", "active", "done"]);
    expect(history[2]?.error).toBe("worker lost track of it (worker w1)");
    expect(await redis.llen(processingKey("w1", "work"))).toBe(0);
    redis.disconnect();
  });

  it("queues again the jobs Redis lost, at the next start", async () => {
    const target = await backend.redis();
    const store = tempDir();
    const first = await openManager(target, { store, workerCount: 0 });
    const jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await first.createJob("echo", `job ${i}`));
    await first.updateJobStatus(jobs[0]?.jobId as number, "active"); // running when Redis died
    await first.close();
    const redis = inspector(target);
    await redis.flushall(); // the embedded Redis restarted empty

    const second = await openManager(target, { store });
    second.registerHandler("echo", (job) => job.params);
    for (const [i, job] of jobs.entries()) {
      const done = await second.waitForJob(job.jobId, { timeoutMs: 5000 });
      expect(done).toMatchObject({ status: "done", result: `job ${i}` });
    }
    const firstHistory = await second.getJobHistory(jobs[0]?.jobId as number);
    expect(statuses(firstHistory)).toEqual(["new", "active", "new", "active", "done"]);
    expect(firstHistory[2]?.error).toMatch(/^interrupted/);
    redis.disconnect();
  });

  it("removes from Redis a job OurDB already finished (a crash before the cleanup)", async () => {
    const target = await backend.redis();
    const store = tempDir();
    const first = await openManager(target, { store, workerCount: 0 });
    const job = await first.createJob("email", "x");
    await first.completeJob(job.jobId, "ok");
    await first.close();
    const redis = inspector(target);
    await redis.hset(`herojobs:email:${job.jobId}`, {
      jobId: String(job.jobId),
      topic: "email",
      status: "new",
    });
    await redis.hset("herojobs:email:999999", { jobId: "999999", topic: "email", status: "new" }); // not ours
    await openManager(target, { store });
    expect(await redis.keys("herojobs:*")).toEqual(["herojobs:email:999999"]);
    redis.disconnect();
  });

  it("stores what remote workers reported while the manager was down", async () => {
    const target = await backend.redis();
    const store = tempDir();
    const first = await openManager(target, { store, workerCount: 0 });
    const jobs = [];
    for (let i = 0; i < 20; i++) jobs.push(await first.createJob("remote", String(i)));
    await first.close();

    const worker = await startWorker(target, { concurrency: 4 });
    worker.registerHandler("remote", (job) => Number(job.params) * 2);
    await worker.start();
    const redis = inspector(target);
    await eventually(async () => (await redis.llen("heroqueue:remote")) === 0 && worker.active === 0);

    const second = await openManager(target, { store, workerCount: 0 });
    for (const [i, job] of jobs.entries()) {
      expect(await second.getJob(job.jobId)).toMatchObject({ status: "done", result: String(i * 2) });
    }
    expect(await redis.keys("herojobs:*")).toEqual([]);
    expect(await redis.xlen("heroevents")).toBe(0);
    redis.disconnect();
  });

  it("gives running jobs back when a worker stops, without counting the run", async () => {
    const target = await backend.redis();
    const jm = await openManager(target, { workerCount: 0 });
    const worker = await startWorker(target);
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    worker.registerHandler("long", (_job, ctx) => {
      started();
      return new Promise((_r, reject) =>
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
      );
    });
    await worker.start();
    const job = await jm.createJob("long", "", { maxAttempts: 1 });
    await running;
    await worker.stop();
    await eventually(async () => (await jm.getJob(job.jobId)).status === "new");
    expect(await jm.getJob(job.jobId)).toMatchObject({ attempts: 0, error: "worker stopped" });

    const next = await startWorker(target);
    next.registerHandler("long", () => "finished elsewhere");
    await next.start();
    expect(await jm.waitForJob(job.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "done",
      attempts: 1,
    });
    const redis = inspector(target);
    expect(await redis.hkeys("heroworkers")).toEqual([next.workerId]);
    redis.disconnect();
  });

  it("skips garbage in the event stream and the queues, and keeps working", async () => {
    const target = await backend.redis();
    const redis = inspector(target);
    const jm = await openManager(target);
    jm.registerHandler("echo", (job) => job.params);
    await redis.xadd("heroevents", "*", "type", "done", "jobId", "not-a-number");
    await redis.xadd("heroevents", "*", "type", "explode", "jobId", "1", "topic", "echo", "time", "1");
    await redis.xadd(
      "heroevents",
      "*",
      "type",
      "done",
      "jobId",
      "424242",
      "topic",
      "echo",
      "token",
      "t",
      "time",
      "1",
    );
    await redis.lpush("heroqueue:echo", "abc", "0", "777777", "-5");
    const job = await jm.createJob("echo", "still fine");
    expect(await jm.waitForJob(job.jobId, { timeoutMs: 5000 })).toMatchObject({ result: "still fine" });
    await eventually(async () => (await redis.xlen("heroevents")) === 0);
    await eventually(async () => (await redis.llen("heroqueue:echo")) === 0);
    expect(await redis.keys("heroprocessing:*")).toEqual([]);
    redis.disconnect();
  });

  it("fails a job cancelled while running, even when its worker reports a plain failure", async () => {
    const target = await backend.redis();
    const jm = await openManager(target, { workerCount: 0 });
    const job = await jm.createJob("work", "", { maxAttempts: 5 });
    const redis = inspector(target);
    const worker = new WorkerQueue(redis, "w");
    const [claimed] = await worker.fetch(["work"], 0);
    const { job: running, token } = claimed as NonNullable<typeof claimed>;
    await eventually(async () => (await jm.getJob(job.jobId)).status === "active");
    await jm.cancelJob(job.jobId);
    // The handler threw before it saw the cancel: no retry, the job is cancelled.
    const base = worker.base(running, token, Date.now());
    await worker.report({ type: "failed", ...base, error: "boom", final: false, logs: 0 });
    expect(await jm.waitForJob(job.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "error",
      error: "cancelled",
    });
    redis.disconnect();
  });

  it("reads the logs of a report that does not count them (an older worker)", async () => {
    const target = await backend.redis();
    const jm = await openManager(target, { workerCount: 0 });
    const job = await jm.createJob("work", "");
    const redis = inspector(target);
    const worker = new WorkerQueue(redis, "old");
    const [claimed] = await worker.fetch(["work"], 0);
    const { job: running, token } = claimed as NonNullable<typeof claimed>;
    await worker.log(running, "a line");
    await worker.report({ type: "done", ...worker.base(running, token, Date.now()), result: "ok" });
    expect(await jm.waitForJob(job.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "done",
      result: "ok",
      logs: ["a line"],
    });
    redis.disconnect();
  });

  it("claims the right jobs when another worker took the ones a worker expected next", async () => {
    const target = await backend.redis();
    const jm = await openManager(target, { workerCount: 0 });
    for (let i = 1; i <= 8; i++) await jm.createJob("work", `p${i}`);
    const redis = inspector(target);
    const a = new WorkerQueue(redis, "a");
    const b = new WorkerQueue(redis, "b");
    const params = (claimed: { job: { params: string } }[]) => claimed.map((c) => c.job.params);
    expect(params(await a.fetch(["work"], 0, 1))).toEqual(["p1"]);
    expect(params(await a.fetch(["work"], 0, 2))).toEqual(["p2", "p3"]); // a now expects p4, p5 …
    expect(params(await b.fetch(["work"], 0, 2))).toEqual(["p4", "p5"]); // … which b takes
    expect(params(await a.fetch(["work"], 0, 2))).toEqual(["p6", "p7"]);
    expect(params(await a.fetch(["work"], 0, 2))).toEqual(["p8"]);
    redis.disconnect();
  });

  it("leaves no herojobs:* key after 10,000 finished jobs", async () => {
    const target = await backend.redis();
    const jm = await openManager(target, { workerCount: 20 });
    jm.registerHandler("noop", () => undefined);
    const count = 10_000;
    let done = 0;
    const allDone = new Promise<void>((resolve) =>
      jm.on("job", ({ job }) => job.status === "done" && ++done === count && resolve()),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (next < count) await jm.createJob("noop", String(next++));
      }),
    );
    await allDone;
    const redis = inspector(target);
    await eventually(async () => (await redis.keys("herojobs:*")).length === 0);
    expect(await redis.llen("heroqueue:noop")).toBe(0);
    expect(await redis.keys("heroprocessing:*")).toEqual([]);
    const page = await jm.listJobs({ topic: "noop", status: "done", limit: 1000 });
    expect(page.jobs).toHaveLength(1000);
    expect(page.nextCursor).not.toBeNull();
    redis.disconnect();
  }, 120_000);
});
