import net from "node:net";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { HeroAgentError } from "../../src/errors.js";
import { JobClient, JobManagerUnavailableError } from "../../src/jobs/job-client.js";
import type { JobManager } from "../../src/jobs/job-manager.js";
import { JobRequestServer } from "../../src/jobs/job-requests.js";
import type { RedisTarget } from "../../src/jobs/redis-client.js";
import { startServer } from "../redis/helpers.js";
import { describeBackends, eventually, openManager, socketOf } from "./backends.js";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

type LogLine = { level: string; message: string; fields?: Record<string, unknown> };

async function serve(manager: JobManager, target: RedisTarget, logs: LogLine[] = []) {
  const server = await JobRequestServer.start(manager, target, {
    pollInterval: 20,
    log: (level, message, fields) => logs.push({ level, message, fields }),
  });
  closers.push(() => server.close());
  return server;
}

async function connectClient(target: RedisTarget, options = {}) {
  const client = await JobClient.connect(socketOf(target), { timeoutMs: 2000, ...options });
  closers.push(() => client.close());
  return client;
}

function raw(target: RedisTarget): Redis {
  const where = socketOf(target);
  const redis = typeof where === "string" ? new Redis(where) : new Redis(where);
  closers.push(async () => redis.disconnect());
  return redis;
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<HeroAgentError> {
  try {
    await promise;
  } catch (error) {
    return error as HeroAgentError;
  }
  throw new Error("expected a rejection");
}

describeBackends("job requests", (backend) => {
  it("runs every JobManager operation through the client", async () => {
    const target = await backend.redis();
    const manager = await openManager(target, { workerCount: 2 });
    manager.registerHandler("echo", (job) => `echo ${job.params}`);
    await serve(manager, target);
    const client = await connectClient(target);

    // create, get, wait (a worker runs it)
    const created = await client.createJob("echo", "hello", { priority: 5, maxAttempts: 2 });
    expect(created).toMatchObject({
      topic: "echo",
      params: "hello",
      status: "new",
      priority: 5,
      maxAttempts: 2,
    });
    const done = await client.waitForJob(created.jobId, { timeoutMs: 5000 });
    expect(done).toMatchObject({ jobId: created.jobId, status: "done", result: "echo hello", attempts: 1 });
    expect(await client.getJob(created.jobId)).toEqual(await manager.getJob(created.jobId));

    // history, newest first
    const history = await client.getJobHistory(created.jobId);
    expect(history.map((v) => v.status)).toEqual(["done", "active", "new"]);
    expect(history).toEqual(await manager.getJobHistory(created.jobId));

    // a topic nobody runs: update, complete, fail, retry, cancel
    const manual = await client.createJob("manual", "{}", { runAt: new Date(Date.now() + 60_000) });
    expect(await client.updateJobStatus(manual.jobId, "active")).toMatchObject({ status: "active" });
    expect(await client.completeJob(manual.jobId, "42")).toMatchObject({ status: "done", result: "42" });
    expect(await client.failJob(manual.jobId, "changed my mind")).toMatchObject({
      status: "error",
      error: "changed my mind",
    });
    expect(await client.retryJob(manual.jobId)).toMatchObject({ status: "new", attempts: 0, error: null });
    expect(await client.cancelJob(manual.jobId)).toMatchObject({ status: "error", error: "cancelled" });
    expect((await client.getJobHistory(manual.jobId)).map((v) => v.status)).toEqual([
      "error",
      "new",
      "error",
      "done",
      "active",
      "new",
    ]);

    // list with filters and a cursor
    for (let i = 0; i < 3; i++) await client.createJob("listed", String(i), { delay: 60_000 });
    const page = await client.listJobs({ topic: "listed", status: ["new"], limit: 2, since: new Date(0) });
    expect(page.jobs.map((j) => j.params)).toEqual(["2", "1"]);
    expect(page.nextCursor).toBeTruthy();
    const next = await client.listJobs({ topic: "listed", limit: 2, cursor: page.nextCursor as string });
    expect(next.jobs.map((j) => j.params)).toEqual(["0"]);
    expect(await client.listJobs({ topic: "listed" })).toEqual(await manager.listJobs({ topic: "listed" }));

    // nothing left over in Redis once answered
    const redis = raw(target);
    expect(await redis.xlen("herorequests")).toBe(0);
  });

  it("returns errors with their codes and messages", async () => {
    const target = await backend.redis();
    const manager = await openManager(target, { workerCount: 0 });
    await serve(manager, target);
    const client = await connectClient(target);

    const missing = await failure(client.getJob(999));
    expect(missing).toBeInstanceOf(HeroAgentError);
    expect(missing).toMatchObject({ code: "HEROAGENT_ERR_JOB_NOT_FOUND", message: "job 999 not found" });
    expect(await failure(client.getJobHistory(999))).toMatchObject({ code: "HEROAGENT_ERR_JOB_NOT_FOUND" });
    expect(await failure(client.createJob("bad topic", ""))).toMatchObject({
      code: "HEROAGENT_ERR_JOB_INVALID",
    });
    expect(await failure(client.createJob("t", "", { priority: 5000 }))).toMatchObject({
      code: "HEROAGENT_ERR_JOB_INVALID",
      message: expect.stringMatching(/priority/),
    });
    expect(await failure(client.createJob("t", "x".repeat(1024 * 1024 + 1)))).toMatchObject({
      code: "HEROAGENT_ERR_JOB_PARAMS_TOO_LARGE",
    });
    const job = await client.createJob("t", "");
    expect(await failure(client.retryJob(job.jobId))).toMatchObject({ code: "HEROAGENT_ERR_JOB_TRANSITION" });
    const waited = await failure(client.waitForJob(job.jobId, { timeoutMs: 100 }));
    expect(waited).toMatchObject({
      code: "HEROAGENT_ERR_JOB_WAIT_TIMEOUT",
      message: `job ${job.jobId} did not finish within 100 ms`,
    });
    expect(await failure(client.updateJobStatus(job.jobId, "bogus" as "new"))).toMatchObject({
      code: "HEROAGENT_ERR_JOB_INVALID",
    });
    // The largest params go through intact.
    const big = "é".repeat(512 * 1024);
    expect((await client.createJob("t", big)).params).toBe(big);
  });

  it("waits longer than one wait request, asking again", async () => {
    const target = await backend.redis();
    const manager = await openManager(target, { workerCount: 0 });
    await serve(manager, target);
    const client = await connectClient(target, { waitChunkMs: 100 });
    const job = await client.createJob("later", "");
    setTimeout(() => void manager.completeJob(job.jobId, "finally"), 450);
    const started = Date.now();
    expect(await client.waitForJob(job.jobId)).toMatchObject({ status: "done", result: "finally" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    // Concurrent calls each get their own answer.
    const jobs = await Promise.all(Array.from({ length: 20 }, (_, i) => client.createJob("many", String(i))));
    expect(jobs.map((j) => j.params)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(20);
  });

  it("answers malformed requests that have an id and drops those without", async () => {
    const target = await backend.redis();
    const manager = await openManager(target, { workerCount: 0 });
    const logs: LogLine[] = [];
    await serve(manager, target, logs);
    const redis = raw(target);
    const reply = async (id: string) => {
      const popped = await redis.blpop(`heroreplies:${id}`, 5);
      return JSON.parse(popped?.[1] as string);
    };
    const invalid = { ok: false, error: { code: "HEROAGENT_ERR_JOB_INVALID" } };

    await redis.xadd("herorequests", "*", "id", "bad-json", "op", "get", "args", "{nope");
    expect(await reply("bad-json")).toMatchObject(invalid);
    await redis.xadd("herorequests", "*", "id", "unknown-op", "op", "explode", "args", "{}");
    expect(await reply("unknown-op")).toMatchObject({
      ...invalid,
      error: { message: expect.stringMatching(/unknown job request op "explode"/) },
    });
    await redis.xadd("herorequests", "*", "id", "no-op", "args", "{}");
    expect(await reply("no-op")).toMatchObject(invalid);
    await redis.xadd("herorequests", "*", "id", "bad-id", "op", "get", "args", '{"jobId":"7"}');
    expect(await reply("bad-id")).toMatchObject(invalid);
    await redis.xadd("herorequests", "*", "id", "array", "op", "get", "args", "[1]");
    expect(await reply("array")).toMatchObject(invalid);
    await redis.xadd("herorequests", "*", "id", "huge", "op", "get", "args", "x".repeat(7 * 1024 * 1024));
    expect(await reply("huge")).toMatchObject({
      ...invalid,
      error: { message: expect.stringMatching(/exceed the limit/) },
    });
    await redis.xadd("herorequests", "*", "op", "get", "args", '{"jobId":1}');
    await redis.xadd("herorequests", "*", "id", "has:colon", "op", "get", "args", '{"jobId":1}');
    await eventually(async () => (await redis.xlen("herorequests")) === 0);
    expect(await redis.keys("heroreplies:*")).toEqual([]);
    expect(logs.filter((l) => l.message.startsWith("malformed job request dropped"))).toHaveLength(2);
    // Replies expire if nobody takes them.
    await redis.xadd("herorequests", "*", "id", "ttl", "op", "get", "args", '{"jobId":1}');
    await eventually(async () => (await redis.exists("heroreplies:ttl")) === 1);
    expect(await redis.ttl("heroreplies:ttl")).toBeGreaterThan(50);
    // And the server still works.
    const client = await connectClient(target);
    expect(await client.createJob("t", "still here")).toMatchObject({ params: "still here" });
  });

  it("drops requests whose client stopped waiting, and pending waits when it closes", async () => {
    const target = await backend.redis();
    const manager = await openManager(target, { workerCount: 0 });
    const redis = raw(target);
    await redis.xadd(
      "herorequests",
      "*",
      "id",
      "stale",
      "op",
      "create",
      "args",
      '{"topic":"t","params":""}',
      "timeoutMs",
      "1",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const server = await serve(manager, target);
    await eventually(async () => (await redis.xlen("herorequests")) === 0);
    expect((await manager.listJobs()).jobs).toEqual([]);
    expect(await redis.exists("heroreplies:stale")).toBe(0);

    const client = await connectClient(target, { timeoutMs: 300, waitChunkMs: 500 });
    const job = await client.createJob("t", "");
    const waiting = failure(client.waitForJob(job.jobId));
    await eventually(async () => (await redis.xlen("herorequests")) === 1);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await waiting).toBeInstanceOf(JobManagerUnavailableError);
    expect(await redis.xlen("herorequests")).toBe(1); // left for the next server
  });
});

describe("JobClient without a job manager", () => {
  it("fails with a clear error when nobody answers", async () => {
    const server = await startServer();
    const client = await JobClient.connect({ host: "127.0.0.1", port: server.port }, { timeoutMs: 300 });
    closers.push(() => client.close());
    const started = Date.now();
    const error = await failure(client.getJob(1));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(JobManagerUnavailableError);
    expect(error.code).toBe("HEROAGENT_ERR_JOB_MANAGER_UNAVAILABLE");
    expect(error.message).toMatch(
      /^no job manager answered within 300 ms: is heroagent running with enableJobs\?/,
    );
  });

  it("fails with a clear error when Redis cannot be reached", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const error = await failure(JobClient.connect({ host: "127.0.0.1", port }, { timeoutMs: 300 }));
    expect(error).toBeInstanceOf(JobManagerUnavailableError);
    expect(error.message).toMatch(new RegExp(`^cannot reach Redis at 127.0.0.1:${port}: .*ECONNREFUSED`));
  });
});
