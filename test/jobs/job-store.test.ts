import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  JobCorruptError,
  JobInvalidError,
  JobNotFoundError,
  JobParamsTooLargeError,
  JobResultTooLargeError,
  JobTransitionError,
} from "../../src/errors.js";
import { type Job, JobStatus } from "../../src/jobs/job.js";
import type { JobStore } from "../../src/jobs/job-store.js";
import { isResultTooLarge, RESULT_TOO_LARGE, VALUE_BYTES_MAX } from "../../src/jobs/limits.js";
import { CHUNK_BYTES } from "../../src/jobs/value-chunks.js";
import { OurDB } from "../../src/ourdb/index.js";
import { openStore, tempDir, utf8Text } from "./helpers.js";

const PARAMS = '{"to": "user@example.com", "subject": "Hello"}';
const MIB = VALUE_BYTES_MAX;

const statusOf = (jobs: Job[]) => jobs.map((j) => j.status);

async function chunkCount(dir: string): Promise<number> {
  const db = await OurDB.open({ path: path.join(dir, "chunks"), recordSizeMax: CHUNK_BYTES, readOnly: true });
  try {
    return db.size;
  } finally {
    await db.close();
  }
}

/** The seed's example, through the store: every call is one more version. */
async function seedFlow(store: JobStore, jobId: number): Promise<void> {
  await store.update(jobId, () => ({ status: JobStatus.Active, startedAt: Date.now(), attempts: 1 }));
  await store.update(jobId, () => ({
    status: "done",
    result: "Job completed successfully",
    finishedAt: Date.now(),
  }));
  await store.update(jobId, () => ({ status: "error", error: "Job failed due to network error" }));
}

describe("JobStore: create and get", () => {
  it("stores a new job as version 1 with its OurDB id as jobId", async () => {
    const store = await openStore();
    const job = await store.create("email", PARAMS, { priority: 5, timeout: 30 }, 1000);
    expect(job).toMatchObject({
      jobId: 1,
      version: 1,
      topic: "email",
      params: PARAMS,
      status: "new",
      result: null,
      error: null,
      createdAt: 1000,
      updatedAt: 1000,
      startedAt: null,
      finishedAt: null,
      timeout: 30,
      attempts: 0,
      maxAttempts: 3,
      runAt: 1000,
      priority: 5,
      workerId: null,
      progress: 0,
      logs: [],
      logsDropped: 0,
    });
    expect(await store.get(1)).toEqual(job);
    expect((await store.create("email", "{}")).jobId).toBe(2);
  });

  it("keeps job ids dense when params go to chunk records", async () => {
    const store = await openStore();
    const ids = [];
    for (const params of ["a", "b".repeat(200_000), "c"]) ids.push((await store.create("t", params)).jobId);
    expect(ids).toEqual([1, 2, 3]);
    expect(store.size).toBe(3);
  });

  it("refuses invalid input before writing anything", async () => {
    const store = await openStore();
    await expect(store.create("a:b", "{}")).rejects.toThrow(JobInvalidError);
    await expect(store.create("t", "{}", { timeout: -1 })).rejects.toThrow(JobInvalidError);
    await expect(store.create("t", "x".repeat(MIB + 1))).rejects.toThrow(JobParamsTooLargeError);
    expect(store.size).toBe(0);
  });

  it("answers JobNotFoundError for unknown ids and JobInvalidError for non-ids", async () => {
    const store = await openStore();
    await store.create("t", "{}");
    await expect(store.get(2)).rejects.toThrow(JobNotFoundError);
    await expect(store.history(99)).rejects.toMatchObject({ code: "HEROAGENT_ERR_JOB_NOT_FOUND", jobId: 99 });
    await expect(store.update(3, () => ({}))).rejects.toThrow(JobNotFoundError);
    await expect(store.get(2 ** 30)).rejects.toThrow(JobNotFoundError);
    await expect(store.get(0)).rejects.toThrow(JobInvalidError);
    await expect(store.get(1.5)).rejects.toThrow(JobInvalidError);
  });
});

describe("JobStore: versions and history", () => {
  it("runs the seed's example call by call, one version each, history newest first", async () => {
    const store = await openStore();
    const { jobId } = await store.create("email", PARAMS);
    await seedFlow(store, jobId);
    const history = await store.history(jobId);
    expect(statusOf(history)).toEqual(["error", "done", "active", "new"]);
    expect(history.map((j) => j.version)).toEqual([4, 3, 2, 1]);
    expect(history[0]).toMatchObject({
      result: "Job completed successfully",
      error: "Job failed due to network error",
    });
    expect(history[1]).toMatchObject({ result: "Job completed successfully", error: null });
    expect(history.every((j) => j.params === PARAMS && j.jobId === jobId)).toBe(true);
    expect(await store.get(jobId)).toEqual(history[0]);
  });

  it("refuses a forbidden transition and writes nothing", async () => {
    const store = await openStore();
    const { jobId } = await store.create("t", "{}");
    await expect(store.update(jobId, () => ({ status: "new" }))).resolves.toMatchObject({ version: 2 });
    await store.update(jobId, () => ({ status: "active" }));
    await store.update(jobId, () => ({ status: "done" }));
    await expect(store.update(jobId, () => ({ status: "active" }))).rejects.toThrow(
      "job 1: cannot go from done to active",
    );
    await expect(store.update(jobId, () => ({ status: "new" }))).rejects.toThrow(JobTransitionError);
    expect(statusOf(await store.history(jobId))).toEqual(["done", "active", "new", "new"]);
  });

  it("never changes a job's identity fields", async () => {
    const store = await openStore();
    const { jobId } = await store.create("t", "{}");
    const sneaky = () => ({ topic: "other" }) as never;
    await expect(store.update(jobId, sneaky)).rejects.toThrow("a job's topic cannot be changed");
    await expect(store.update(jobId, () => ({ progress: 101 }))).rejects.toThrow("progress must be");
    expect((await store.history(jobId)).length).toBe(1);
  });

  it("records a retry cycle with attempts, logs and progress", async () => {
    const store = await openStore();
    const { jobId } = await store.create("t", "{}", { maxAttempts: 2 });
    await store.update(jobId, (j) => ({ status: "active", attempts: j.attempts + 1, workerId: "w1" }));
    await store.update(jobId, (j) => ({ progress: 50, logs: [...j.logs, "half way"] }));
    await store.update(jobId, () => ({ status: "new", error: "timeout", workerId: null, runAt: 5 }));
    await store.update(jobId, (j) => ({
      status: "active",
      attempts: j.attempts + 1,
      workerId: "w2",
      error: null,
    }));
    await store.update(jobId, () => ({ status: "done", result: "ok", progress: 100 }));
    const history = await store.history(jobId);
    expect(statusOf(history)).toEqual(["done", "active", "new", "active", "active", "new"]);
    expect(history.map((j) => j.attempts)).toEqual([2, 2, 1, 1, 1, 0]);
    expect(history.map((j) => j.workerId)).toEqual(["w2", "w2", null, "w1", "w1", null]);
    expect(history[0]?.logs).toEqual(["half way"]);
    expect(history[2]?.error).toBe("timeout");
  });

  it("serializes concurrent changes to one job: each sees the version before it", async () => {
    const store = await openStore();
    const { jobId } = await store.create("t", "{}");
    await store.update(jobId, () => ({ status: "active" }));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.update(jobId, (j) => ({ logs: [...j.logs, `line ${j.logs.length}`] })),
      ),
    );
    const job = await store.get(jobId);
    expect(job.version).toBe(22);
    expect(job.logs).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i}`));
  });
});

describe("JobStore: the newest records it keeps for the next change", () => {
  it("bases a change on the stored version, whatever callers did to the jobs they were given", async () => {
    const store = await openStore();
    const created = await store.create("mail", PARAMS, { backoff: { type: "fixed", delay: 500 } });
    created.logs.push("not stored");
    created.backoff.delay = 1;
    const active = await store.update(created.jobId, () => ({ status: JobStatus.Active, logs: ["one"] }));
    active.logs.push("not stored either");
    const done = await store.update(created.jobId, (job) => ({
      status: JobStatus.Done,
      logs: [...job.logs, "two"],
    }));
    expect(done).toMatchObject({ version: 3, logs: ["one", "two"], backoff: { delay: 500 } });
    expect(await store.history(created.jobId)).toEqual([
      done,
      { ...active, logs: ["one"] },
      expect.anything(),
    ]);
    await store.close();
  });
});

describe("JobStore: values up to 1 MiB across chunk records", () => {
  it("round-trips 1 MiB params and a 1 MiB result, multi-byte characters split across chunks", async () => {
    const store = await openStore();
    const params = utf8Text(MIB, 1);
    const result = utf8Text(MIB, 2);
    const { jobId } = await store.create("big", params);
    await store.update(jobId, () => ({ status: "active" }));
    await store.update(jobId, () => ({ status: "done", result }));
    const job = await store.get(jobId);
    expect(Buffer.byteLength(job.params)).toBe(MIB);
    expect(job.params === params).toBe(true);
    expect(job.result === result).toBe(true);
  });

  it("refuses a result over 1 MiB; the caller fails the job with 'result too large'", async () => {
    const store = await openStore();
    const { jobId } = await store.create("t", "{}");
    await store.update(jobId, () => ({ status: "active" }));
    const huge = "r".repeat(MIB + 1);
    expect(isResultTooLarge(huge)).toBe(true);
    expect(isResultTooLarge("r".repeat(MIB))).toBe(false);
    await expect(store.update(jobId, () => ({ status: "done", result: huge }))).rejects.toThrow(
      JobResultTooLargeError,
    );
    const failed = await store.update(jobId, () => ({ status: "error", error: RESULT_TOO_LARGE }));
    expect(failed).toMatchObject({ status: "error", error: "result too large", result: null });
    expect(statusOf(await store.history(jobId))).toEqual(["error", "active", "new"]);
  });

  it("reads back each version's own large values", async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const first = utf8Text(300_000, 3);
    const second = utf8Text(200_000, 4);
    const { jobId } = await store.create("t", "{}", { maxAttempts: 2 });
    await store.update(jobId, () => ({ status: "active" }));
    await store.update(jobId, () => ({ status: "error", error: first }));
    await store.update(jobId, () => ({ status: "new" }));
    await store.update(jobId, () => ({ status: "active" }));
    await store.update(jobId, () => ({ status: "done", result: second, error: null }));
    const history = await store.history(jobId);
    expect(history.map((j) => [j.status, j.error === first, j.result === second])).toEqual([
      ["done", false, true],
      ["active", true, false],
      ["new", true, false],
      ["error", true, false],
      ["active", false, false],
      ["new", false, false],
    ]);
    expect(history[0]?.error).toBeNull();
  });

  it("does not copy an unchanged large value into a new version", async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const { jobId } = await store.create("t", utf8Text(MIB, 5));
    await store.update(jobId, () => ({ status: "active" }));
    await store.update(jobId, () => ({ status: "done", result: "x".repeat(100_000) }));
    await store.update(jobId, () => ({ status: "error", error: "late failure" }));
    await store.close();
    // 1 MiB params in 17 chunks (16 × 65,535 bytes + 16 bytes), the 100,000-byte result in 2: nothing more.
    expect(await chunkCount(dir)).toBe(17 + 2);
  });
});

describe("JobStore: reopen", () => {
  it("reads every job, version and large value back after closing and reopening the folder", async () => {
    const dir = tempDir();
    const params = utf8Text(MIB, 6);
    const result = utf8Text(700_000, 7);
    let store = await openStore(dir);
    const small = await store.create("email", PARAMS);
    await seedFlow(store, small.jobId);
    const big = await store.create("big", params, { delay: 1000, priority: -3 });
    await store.update(big.jobId, () => ({ status: "active" }));
    await store.update(big.jobId, () => ({ status: "done", result }));
    const before = [await store.history(small.jobId), await store.history(big.jobId)];
    await store.close();

    store = await openStore(dir);
    const after = [await store.history(small.jobId), await store.history(big.jobId)];
    expect(after).toEqual(before);
    expect(after[1]?.[0]?.params === params && after[1]?.[0]?.result === result).toBe(true);
    expect(statusOf(after[0] ?? [])).toEqual(["error", "done", "active", "new"]);
    expect((await store.create("t", "{}")).jobId).toBe(3);
  });

  it("can be opened read-only to look, not to write", async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.create("t", "{}");
    await store.close();
    const reader = await openStore(dir, { readOnly: true });
    expect((await reader.get(1)).topic).toBe("t");
    expect((await reader.list()).jobs.map((j) => j.jobId)).toEqual([1]);
    await expect(reader.create("t", "{}")).rejects.toMatchObject({ code: "OURDB_ERR_READ_ONLY" });
  });
});

describe("JobStore: damage is reported, not hidden", () => {
  it("reports a record it cannot decode", async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.create("t", "{}");
    await store.close();
    const db = await OurDB.open({ path: path.join(dir, "jobs"), recordSizeMax: 65_535 });
    await db.set({ id: 1, data: '{"format":99}' });
    await db.close();
    const reopened = await openStore(dir);
    await expect(reopened.get(1)).rejects.toThrow(JobCorruptError);
    await expect(reopened.get(1)).rejects.toThrow("job 1: unknown record format 99");
    // history does not skip the damaged version silently.
    await expect(reopened.history(1)).rejects.toThrow(JobCorruptError);
  });

  it("reports a missing chunk", async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.create("t", "z".repeat(100_000));
    await store.close();
    const db = await OurDB.open({ path: path.join(dir, "chunks"), recordSizeMax: CHUNK_BYTES });
    await db.delete(2);
    await db.close();
    const reopened = await openStore(dir);
    await expect(reopened.get(1)).rejects.toThrow("job 1: chunk 2 is missing");
  });
});

describe("JobStore: counts", () => {
  it("counts jobs per topic and status as a full listing does, across a reopen", async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const moves: Record<string, JobStatus[]> = {
      a: [],
      b: ["active"],
      c: ["active", "done"],
      d: ["error"],
      e: ["active", "error", "new"],
    };
    for (let i = 0; i < 60; i++) {
      const topic = ["mail", "resize", "report"][i % 3] as string;
      const { jobId } = await store.create(topic, "{}");
      for (const status of moves[["a", "b", "c", "d", "e"][i % 5] as string] ?? []) {
        await store.update(jobId, () => ({ status }));
      }
    }
    const bruteForce: Record<string, Record<JobStatus, number>> = {};
    for (let id = 1; id <= 60; id++) {
      const job = await store.get(id);
      bruteForce[job.topic] ??= { new: 0, active: 0, done: 0, error: 0 };
      (bruteForce[job.topic] as Record<JobStatus, number>)[job.status]++;
    }
    expect(store.counts()).toEqual(bruteForce);
    expect(store.counts().mail).toEqual({ new: 8, active: 4, done: 4, error: 4 });
    await store.close();
    expect((await openStore(dir)).counts()).toEqual(bruteForce);
  });
});
