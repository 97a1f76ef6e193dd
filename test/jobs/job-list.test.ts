import { describe, expect, it } from "vitest";
import { JobInvalidError } from "../../src/errors.js";
import type { Job, JobStatus } from "../../src/jobs/job.js";
import type { JobListQuery } from "../../src/jobs/job-list.js";
import type { JobStore } from "../../src/jobs/job-store.js";
import { openStore } from "./helpers.js";

const T0 = 1_800_000_000_000;
const ids = (jobs: Job[]) => jobs.map((j) => j.jobId);

/** 12 jobs, ids 1…12, created a second apart, topics alternating, statuses cycling. */
async function fixture(): Promise<JobStore> {
  const store = await openStore();
  const cycle: JobStatus[] = ["new", "active", "done", "error"];
  for (let i = 1; i <= 12; i++) {
    const { jobId } = await store.create(i % 2 ? "odd" : "even", `{"i":${i}}`, {}, T0 + i * 1000);
    const status = cycle[i % 4] as JobStatus;
    if (status !== "new") await store.update(jobId, () => ({ status: "active" }));
    if (status === "done" || status === "error") await store.update(jobId, () => ({ status }));
  }
  return store;
}

async function all(store: JobStore, query: JobListQuery): Promise<{ ids: number[]; pages: number }> {
  const seen: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.list({ ...query, ...(cursor ? { cursor } : {}) });
    seen.push(...ids(page.jobs));
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 100);
  return { ids: seen, pages };
}

describe("JobStore.list", () => {
  it("lists newest first, with each job's newest version", async () => {
    const store = await fixture();
    const page = await store.list();
    expect(ids(page.jobs)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(page.nextCursor).toBeNull();
    expect(page.jobs[0]).toEqual(await store.get(12));
    expect(page.jobs.map((j) => j.status).slice(0, 4)).toEqual(["new", "error", "done", "active"]);
  });

  it("filters by topic, status (one or several) and creation time", async () => {
    const store = await fixture();
    expect(ids((await store.list({ topic: "even" })).jobs)).toEqual([12, 10, 8, 6, 4, 2]);
    expect(ids((await store.list({ status: "done" })).jobs)).toEqual([10, 6, 2]);
    expect(ids((await store.list({ status: ["done", "error"], topic: "odd" })).jobs)).toEqual([11, 7, 3]);
    // since inclusive, until exclusive.
    expect(ids((await store.list({ since: T0 + 3000, until: new Date(T0 + 6000) })).jobs)).toEqual([5, 4, 3]);
    expect((await store.list({ topic: "nope" })).jobs).toEqual([]);
  });

  it("pages with a cursor without repeating or skipping a job", async () => {
    const store = await fixture();
    const first = await store.list({ limit: 5 });
    expect(ids(first.jobs)).toEqual([12, 11, 10, 9, 8]);
    expect(first.nextCursor).toBe("8");
    expect(ids((await store.list({ limit: 5, cursor: first.nextCursor ?? "" })).jobs)).toEqual([
      7, 6, 5, 4, 3,
    ]);
    expect(await all(store, { limit: 5 })).toEqual({
      ids: [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
      pages: 3,
    });
    expect((await all(store, { limit: 2, topic: "odd" })).ids).toEqual([11, 9, 7, 5, 3, 1]);
  });

  it("keeps a cursor valid while newer jobs are created", async () => {
    const store = await fixture();
    const first = await store.list({ limit: 4 });
    await store.create("odd", "{}");
    await store.create("odd", "{}");
    const second = await store.list({ limit: 4, cursor: first.nextCursor ?? "" });
    expect(ids(second.jobs)).toEqual([8, 7, 6, 5]);
  });

  it("answers a selective filter from the index: whole pages, only the returned records read", async () => {
    const store = await fixture();
    const page = await store.list({ status: "done", scanLimit: 4, limit: 2 });
    expect(ids(page.jobs)).toEqual([10, 6]);
    expect(page.scanned).toBe(2);
    expect(page.nextCursor).toBe("6");
    const last = await store.list({ status: "done", limit: 2, cursor: "6" });
    expect(ids(last.jobs)).toEqual([2]);
    expect(last.nextCursor).toBeNull();
    // A page that ends exactly on the last match says so: no empty page to fetch.
    expect((await store.list({ topic: "even", limit: 6 })).nextCursor).toBeNull();
  });

  it("answers an empty page for an empty store", async () => {
    const store = await openStore();
    expect(await store.list()).toEqual({ jobs: [], nextCursor: null, scanned: 0 });
  });

  it.each([
    [{ limit: 0 }, "limit must be an integer from 1 to 1000 (got 0)"],
    [{ limit: 1001 }, "limit must be"],
    [{ cursor: "abc" }, 'invalid cursor "abc": pass a nextCursor from listJobs'],
    [{ cursor: "0" }, "invalid cursor"],
    [{ status: "finished" }, "status must be new, active, done or error (got finished)"],
    [{ since: "yesterday" }, "since must be a Date or epoch milliseconds"],
    [{ until: Number.NaN }, "until must be"],
    [{ scanLimit: -1 }, "scanLimit must be a positive integer"],
  ])("refuses %j", async (query, message) => {
    const store = await openStore();
    const attempt = store.list(query as JobListQuery);
    await expect(attempt).rejects.toThrow(JobInvalidError);
    await expect(store.list(query as JobListQuery)).rejects.toThrow(message);
  });
});
