import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { JobInvalidError } from "../../src/errors.js";
import { JobStatus } from "../../src/jobs/job.js";
import { SEARCH_TEXT_MAX, SearchLog } from "../../src/jobs/job-search.js";
import { openStore, tempDir } from "./helpers.js";

/** Every id of `hits` below `from`, newest first. */
function allHits(hits: { below(id: number): number }, from: number): number[] {
  const out: number[] = [];
  for (let id = hits.below(from); id > 0; id = hits.below(id)) out.push(id);
  return out;
}

describe("SearchLog", () => {
  it("finds frames case-insensitively, across read chunks, and only in frame text", async () => {
    const dir = tempDir();
    const log = SearchLog.open(dir);
    // ~12 MiB of frames: more than one 8 MiB read, so some frames straddle a read boundary.
    const filler = "x".repeat(1000);
    const expected: number[] = [];
    for (let id = 1; id <= 12_000; id++) {
      const marked = id % 997 === 0 || id === 8390 || id === 8391;
      if (marked) expected.push(id);
      log.add(id, `${filler.slice(0, id % 1000)}${marked ? " NeedLE " : " "}${filler}`);
    }
    const hits = await log.find("needle", 12_000);
    expect(allHits(hits, 100_000)).toEqual(expected.reverse());
    // The ids themselves (frame headers) are never matched as text.
    const headerBytes = Buffer.alloc(4);
    headerBytes.writeUInt32LE(997);
    expect(allHits(await log.find(headerBytes.toString("latin1"), 12_000), 100_000)).toEqual([]);
    log.close();
  });

  it("a second search for the same text scans only what was added since", async () => {
    const log = SearchLog.open(tempDir());
    log.add(1, "alpha");
    log.add(2, "beta");
    expect(allHits(await log.find("ALPHA", 2), 10)).toEqual([1]);
    log.add(3, "alphabet");
    expect(allHits(await log.find("alpha", 3), 10)).toEqual([3, 1]);
    expect(allHits(await log.find("bet", 3), 10)).toEqual([3, 2]);
    log.close();
  });

  it("cuts a torn last frame at open, keeps the last id, and goes on appending", async () => {
    const dir = tempDir();
    const log = SearchLog.open(dir);
    log.add(5, "first words");
    log.add(9, "second words");
    log.flush();
    // A crash mid-append: a header promising more text than follows, and no checkpoint.
    const torn = Buffer.alloc(12);
    torn.writeUInt32LE(10, 0);
    torn.writeUInt32LE(100, 4);
    fs.appendFileSync(path.join(dir, "frames"), torn);
    const reopened = SearchLog.open(dir);
    expect(reopened.lastId).toBe(9);
    reopened.add(11, "third words");
    expect(allHits(await reopened.find("words", 11), 100)).toEqual([11, 9, 5]);
    reopened.close();
    // The checkpoint written by close() is used; one larger than the file is ignored.
    const again = SearchLog.open(dir);
    expect(again.lastId).toBe(11);
    again.close();
    fs.writeFileSync(path.join(dir, "checkpoint"), JSON.stringify({ length: 1e9, maxId: 99 }));
    const walked = SearchLog.open(dir);
    expect(walked.lastId).toBe(11);
    walked.close();
  });

  it("searches a value in its first SEARCH_TEXT_MAX characters", async () => {
    const log = SearchLog.open(tempDir());
    log.add(1, `${"a".repeat(SEARCH_TEXT_MAX - 5)}early`);
    log.add(2, `${"a".repeat(SEARCH_TEXT_MAX)}late`);
    expect(allHits(await log.find("early", 2), 10)).toEqual([1]);
    expect(allHits(await log.find("late", 2), 10)).toEqual([]);
    log.close();
  });
});

describe("JobStore text search", () => {
  it("finds jobs by a word in params, result or error, with filters and a cursor", async () => {
    const store = await openStore();
    const a = await store.create("email", '{"to": "Ada@example.com"}');
    const b = await store.create("email", '{"to": "bob@example.com"}');
    const c = await store.create("report", '{"name": "weekly"}');
    await store.update(c.jobId, () => ({ status: JobStatus.Active, startedAt: Date.now(), attempts: 1 }));
    await store.update(c.jobId, () => ({ status: "done", result: "sent to ADA", finishedAt: Date.now() }));
    const d = await store.create("report", "{}");
    await store.update(d.jobId, () => ({
      status: "error",
      error: "SMTP refused ada",
      finishedAt: Date.now(),
    }));

    const ids = async (q: Parameters<typeof store.list>[0]) => (await store.list(q)).jobs.map((j) => j.jobId);
    expect(await ids({ text: "ada" })).toEqual([d.jobId, c.jobId, a.jobId]);
    expect(await ids({ text: "ADA", topic: "email" })).toEqual([a.jobId]);
    expect(await ids({ text: "ada", status: "done" })).toEqual([c.jobId]);
    expect(await ids({ text: "example.com" })).toEqual([b.jobId, a.jobId]);
    expect(await ids({ text: "nobody" })).toEqual([]);

    const first = await store.list({ text: "ada", limit: 2 });
    expect(first.jobs.map((j) => j.jobId)).toEqual([d.jobId, c.jobId]);
    expect(first.nextCursor).not.toBeNull();
    const second = await store.list({ text: "ada", limit: 2, cursor: first.nextCursor as string });
    expect(second.jobs.map((j) => j.jobId)).toEqual([a.jobId]);
    expect(second.nextCursor).toBeNull();
  });

  it("does not return a job for a value it no longer has", async () => {
    const store = await openStore();
    const job = await store.create("t", "{}");
    await store.update(job.jobId, () => ({ status: "error", error: "disk quota", finishedAt: Date.now() }));
    expect((await store.list({ text: "quota" })).jobs).toHaveLength(1);
    await store.update(job.jobId, () => ({ status: "new", error: null, finishedAt: null }));
    expect((await store.list({ text: "quota" })).jobs).toEqual([]);
  });

  it("rebuilds the search of jobs written before the search log existed (or after a crash)", async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const job = await store.create("t", "findme please");
    await store.close();
    fs.rmSync(path.join(dir, "search"), { recursive: true });
    const reopened = await openStore(dir);
    expect((await reopened.list({ text: "FINDME" })).jobs.map((j) => j.jobId)).toEqual([job.jobId]);
  });

  it("refuses an over-long search text", async () => {
    const store = await openStore();
    await expect(store.list({ text: "x".repeat(201) })).rejects.toThrow(JobInvalidError);
  });
});
