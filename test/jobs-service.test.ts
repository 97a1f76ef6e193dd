/** The jobs service as the ServerFactory runs it: the seed's flow through factory.getJobManager(). */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { FactoryStateError } from "../src/errors.js";
import { ServerFactory } from "../src/factory.js";
import { JobStatus } from "../src/jobs/job.js";
import { jobsRedisTarget } from "../src/jobs-service.js";
import { createLogger } from "../src/logger.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heroagent-jobs-service-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const factories: ServerFactory[] = [];
afterEach(async () => {
  for (const factory of factories.splice(0)) await factory.stop().catch(() => undefined);
});

function jobsFactory(flags: Record<string, unknown> = {}) {
  const home = fs.mkdtempSync(path.join(dir, "f-"));
  const config = loadConfig({
    flags: {
      enableWebDAV: false,
      enableUI: false,
      "redis.tcpPort": 0,
      "redis.unixSocketPath": path.join(home, "redis.sock"),
      "jobs.ourdbPath": path.join(home, "jobsdb"),
      "jobs.queuePollInterval": 20,
      ...flags,
    },
  });
  const factory = new ServerFactory(config, { logger: createLogger("silent") });
  factories.push(factory);
  return factory;
}

describe("jobs service", () => {
  it("runs the seed's example through factory.getJobManager()", async () => {
    const factory = jobsFactory();
    expect(() => factory.getJobManager()).toThrow(FactoryStateError);
    await factory.start();
    const jobManager = factory.getJobManager();
    const job = await jobManager.createJob("email", '{"to": "user@example.com", "subject": "Hello"}');
    expect((await jobManager.getJob(job.jobId)).status).toBe("new");
    await jobManager.updateJobStatus(job.jobId, JobStatus.Active);
    await jobManager.completeJob(job.jobId, "Job completed successfully");
    await jobManager.failJob(job.jobId, "Job failed due to network error");
    const history = await jobManager.getJobHistory(job.jobId);
    expect(history.map((v) => v.status)).toEqual(["error", "done", "active", "new"]);
    const status = factory.status().find((s) => s.name === "jobs");
    expect(status).toMatchObject({ state: "running", address: "embedded (in-process)" });
    expect(status?.details?.topics).toEqual(["echo", "sleep"]);
  });

  it("runs the built-in echo and sleep topics, and no shell unless enabled", async () => {
    const factory = jobsFactory();
    await factory.start();
    const jm = factory.getJobManager();
    const echo = await jm.createJob("echo", "hi there");
    const sleep = await jm.createJob("sleep", '{"ms": 50}');
    const shell = await jm.createJob("shell", "echo should-not-run");
    expect(await jm.waitForJob(echo.jobId, { timeoutMs: 5000 })).toMatchObject({ result: "hi there" });
    expect(await jm.waitForJob(sleep.jobId, { timeoutMs: 5000 })).toMatchObject({ result: "slept 50 ms" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await jm.getJob(shell.jobId)).status).toBe("new");
  });

  it("runs shell jobs when jobs.enableShell is set, killed at their timeout", async () => {
    const factory = jobsFactory({ "jobs.enableShell": true });
    await factory.start();
    const jm = factory.getJobManager();
    const ok = await jm.createJob("shell", '{"command": "printf hello; printf oops >&2"}');
    expect(await jm.waitForJob(ok.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "done",
      result: "hello",
    });
    const bad = await jm.createJob("shell", "echo broken >&2; exit 3", { maxAttempts: 1 });
    expect(await jm.waitForJob(bad.jobId, { timeoutMs: 5000 })).toMatchObject({ error: "exit 3: broken" });
    const slow = await jm.createJob("shell", "sleep 5", { timeout: 0.2, maxAttempts: 1 });
    const timedOut = await jm.waitForJob(slow.jobId, { timeoutMs: 5000 });
    expect(timedOut.error).toBe("timeout");
  });

  it("keeps finished jobs across a restart, and queues again what Redis lost", async () => {
    const factory = jobsFactory();
    await factory.start();
    const done = await factory.getJobManager().createJob("echo", "kept");
    await factory.getJobManager().waitForJob(done.jobId, { timeoutMs: 5000 });
    const waiting = await factory.getJobManager().createJob("later", "x");
    await factory.stop();

    const again = new ServerFactory(factory.config, { logger: createLogger("silent") });
    factories.push(again);
    await again.start(); // the embedded Redis starts empty
    const jm = again.getJobManager();
    expect(await jm.getJob(done.jobId)).toMatchObject({ status: "done", result: "kept" });
    jm.registerHandler("later", (job) => `ran ${job.params}`);
    expect(await jm.waitForJob(waiting.jobId, { timeoutMs: 5000 })).toMatchObject({ result: "ran x" });
  });

  it("runs no in-process worker with jobs.workerCount 0 (remote workers only)", async () => {
    const factory = jobsFactory({ "jobs.workerCount": 0 });
    await factory.start();
    const jm = factory.getJobManager();
    expect(jm.workerStatus).toBeUndefined();
    const job = await jm.createJob("echo", "waits for a remote worker");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await jm.getJob(job.jobId)).status).toBe("new");
  });

  it("uses jobs.redisUrl, or refuses to start without any Redis", async () => {
    const base = { enableWebDAV: false, enableUI: false };
    expect(jobsRedisTarget(loadConfig({ flags: { ...base, "jobs.redisUrl": "redis://h:7000/2" } }))).toBe(
      "redis://h:7000/2",
    );
    expect(
      jobsRedisTarget(loadConfig({ flags: { ...base, "redis.unixSocketPath": "", "redis.password": "pw" } })),
    ).toEqual({ host: "127.0.0.1", port: 6379, password: "pw" });
    const factory = jobsFactory({ enableRedis: false });
    await expect(factory.start()).rejects.toThrow(
      /needs Redis: enable the embedded server or set jobs.redisUrl/,
    );
  });
});
