import fs from "node:fs";
import path from "node:path";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { canTransition, JOB_STATUSES, type JobStatus } from "../../src/jobs/job.js";
import type { IndexedJob } from "../../src/jobs/job-index-keeper.js";
import type { JobListQuery } from "../../src/jobs/job-list.js";
import type { JobStore } from "../../src/jobs/job-store.js";
import { prng } from "../../support/prng.js";
import { openStore, tempDir } from "./helpers.js";

const T0 = 1_800_000_000_000;
const TOPICS = ["email", "sms", "push", "report", "a.b-c_d"];

type Model = Map<number, IndexedJob>;

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;

/** A random next status along the allowed edges. */
const nextStatus = (rnd: () => number, from: JobStatus): JobStatus =>
  pick(
    rnd,
    JOB_STATUSES.filter((to) => canTransition(from, to)),
  );

/** `n` jobs created in concurrent batches (createdAt mostly rising, sometimes not), then random status walks. */
async function populate(store: JobStore, rnd: () => number, n: number, model: Model): Promise<void> {
  let t = T0 + model.size * 500;
  for (let done = 0; done < n; done += 50) {
    const batch = Array.from({ length: Math.min(50, n - done) }, () => {
      t += Math.floor(rnd() * 1000) - 150;
      return store.create(pick(rnd, TOPICS), "{}", {}, t);
    });
    for (const job of await Promise.all(batch)) model.set(job.jobId, job);
  }
  await changeStatuses(store, rnd, model, Math.floor(n * 0.8));
}

/** `count` status changes to random jobs, a few in flight at once. */
async function changeStatuses(store: JobStore, rnd: () => number, model: Model, count: number) {
  const ids = [...model.keys()];
  for (let done = 0; done < count; done += 20) {
    const chosen = new Set(Array.from({ length: 20 }, () => pick(rnd, ids)));
    const jobs = await Promise.all(
      [...chosen].map((id) => store.update(id, (job) => ({ status: nextStatus(rnd, job.status) }))),
    );
    for (const job of jobs) model.set(job.jobId, job);
  }
}

function randomQuery(rnd: () => number, model: Model): JobListQuery {
  const times = [...model.values()].map((j) => j.createdAt);
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const q: JobListQuery = { limit: pick(rnd, [1, 2, 3, 7, 50, 333, 1000]) };
  if (rnd() < 0.5) q.topic = pick(rnd, [...TOPICS, "unknown"]);
  if (rnd() < 0.6) {
    const statuses = JOB_STATUSES.filter(() => rnd() < 0.4);
    q.status = statuses.length === 1 && rnd() < 0.5 ? (statuses[0] as JobStatus) : statuses;
  }
  if (rnd() < 0.4) q.since = lo + Math.floor(rnd() * (hi - lo));
  if (rnd() < 0.4) q.until = rnd() < 0.5 ? new Date(lo + Math.floor(rnd() * (hi - lo))) : hi + 1;
  return q;
}

/** What a scan of every job gives: the matching ids, newest first. */
function bruteForce(model: Model, q: JobListQuery): number[] {
  const statuses =
    q.status === undefined ? undefined : new Set(typeof q.status === "string" ? [q.status] : q.status);
  const since = q.since === undefined ? Number.NEGATIVE_INFINITY : Number(q.since);
  const until = q.until === undefined ? Number.POSITIVE_INFINITY : Number(q.until);
  return [...model.entries()]
    .filter(([, j]) => q.topic === undefined || j.topic === q.topic)
    .filter(([, j]) => statuses === undefined || statuses.has(j.status))
    .filter(([, j]) => j.createdAt >= since && j.createdAt < until)
    .map(([id]) => id)
    .sort((a, b) => b - a);
}

/** Pages through `q` and checks every page against the brute-force answer. */
async function expectListing(store: JobStore, model: Model, q: JobListQuery): Promise<void> {
  const expected = bruteForce(model, q);
  const limit = q.limit ?? 50;
  let cursor: string | undefined;
  let at = 0;
  do {
    const page = await store.list({ ...q, ...(cursor ? { cursor } : {}) });
    const want = expected.slice(at, at + limit);
    expect(
      page.jobs.map((j) => j.jobId),
      JSON.stringify({ q, at }),
    ).toEqual(want);
    for (const job of page.jobs) expect(job.status).toBe(model.get(job.jobId)?.status);
    at += want.length;
    expect(page.nextCursor === null, JSON.stringify({ q, at })).toBe(at === expected.length);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** The truth: every job's newest record, read one by one. */
async function readModel(store: JobStore): Promise<Model> {
  const model: Model = new Map();
  for (let id = 1; id <= store.size; id++) model.set(id, await store.get(id));
  return model;
}

async function expectRandomListings(store: JobStore, model: Model, seed: number, count: number) {
  const rnd = prng(seed);
  for (let i = 0; i < count; i++) await expectListing(store, model, randomQuery(rnd, model));
  await expectListing(store, model, { status: ["new", "active"], limit: 1000 });
}

/** A store in a fresh folder with `jobs` random jobs, and its model. */
async function fixture(seed: number, jobs = 2000) {
  const dir = tempDir();
  const store = await openStore(dir);
  const model: Model = new Map();
  await populate(store, prng(seed), jobs, model);
  return { dir, store, model };
}

/** A copy of the folder as a kill -9 would leave it now (OurDB and the journal write through the page cache). */
function crashCopy(dir: string): string {
  const copy = tempDir();
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Offsets where the journal's frames start (after its header). */
function frameStarts(file: string): number[] {
  const buf = fs.readFileSync(file);
  const starts: number[] = [];
  for (let at = 16 + buf.readUInt32LE(8); at + 8 <= buf.length; at += 8 + buf.readUInt32LE(at))
    starts.push(at);
  return starts;
}

describe("JobStore listing index", () => {
  it("answers like a scan of every job: random filters, page sizes and cursors", async () => {
    const { store, model } = await fixture(1);
    expect(await readModel(store)).toEqual(model);
    await expectRandomListings(store, model, 11, 100);
  });

  it("keeps cursors stable while jobs are created between pages", async () => {
    const { store, model } = await fixture(2);
    const rnd = prng(22);
    for (let round = 0; round < 20; round++) {
      const q = randomQuery(rnd, model);
      const expected = bruteForce(model, q);
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ ...q, ...(cursor ? { cursor } : {}) });
        seen.push(...page.jobs.map((j) => j.jobId));
        cursor = page.nextCursor ?? undefined;
        const job = await store.create(pick(rnd, TOPICS), "{}", {}, T0 + 500);
        model.set(job.jobId, job);
      } while (cursor);
      expect(seen).toEqual(expected);
    }
  });

  it("survives close and reopen: loaded from its snapshot, no record read", async () => {
    const { dir, store, model } = await fixture(3);
    await store.close();
    const reopened = await openStore(dir);
    expect(reopened.indexReport).toMatchObject({ source: "snapshot", replayed: 0, verified: 0, tailRead: 0 });
    expect(fs.existsSync(path.join(dir, "index", "journal"))).toBe(true); // the new session's
    await expectRandomListings(reopened, model, 33, 50);
    await changeStatuses(reopened, prng(34), model, 200);
    await expectRandomListings(reopened, model, 35, 30);
  });

  it("after a kill (folder copied while open) reopens with exactly the stored state", async () => {
    const { dir, store, model } = await fixture(4);
    await store.close();
    const live = await openStore(dir);
    await changeStatuses(live, prng(44), model, 300);
    await populate(live, prng(45), 100, model);
    await tick(); // the buffered commits reach the journal
    const flushed = crashCopy(dir);
    // Changes still in the buffer (commits and creates not yet written) when the process dies.
    await changeStatuses(live, prng(46), model, 40);
    const created = await live.create("late", "{}", {}, T0);
    model.set(created.jobId, created);
    const unflushed = crashCopy(dir);

    const a = await openStore(flushed);
    expect(a.indexReport).toMatchObject({ source: "journal", verified: 0, tailRead: 0 });
    expect(a.indexReport.replayed).toBeGreaterThan(300);
    await expectRandomListings(a, await readModel(a), 47, 40);
    const b = await openStore(unflushed);
    expect(b.indexReport.source).toBe("journal");
    expect(b.indexReport.verified).toBeGreaterThan(0);
    expect(b.indexReport.tailRead).toBe(1);
    expect(await readModel(b)).toEqual(model);
    await expectRandomListings(b, model, 48, 40);
    // The repaired index was written as a new snapshot: a second crash needs no reading.
    const again = await openStore(crashCopy(unflushed));
    expect(again.indexReport).toMatchObject({ verified: 0, tailRead: 0 });
  });

  it("after a kill with the journal's last frame torn at any offset, reopens right", async () => {
    const { dir, store, model } = await fixture(5, 200);
    await changeStatuses(store, prng(55), model, 60);
    await tick();
    const copy = crashCopy(dir);
    const journal = path.join(copy, "index", "journal");
    const starts = frameStarts(journal);
    const last = starts[starts.length - 1] as number;
    const full = fs.readFileSync(journal);
    expect(full.length - last).toBeGreaterThan(20); // commits of the changes in flight together
    for (let cut = last; cut < full.length; cut++) {
      fs.writeFileSync(journal, full.subarray(0, cut));
      const reader = await openStore(copy, { readOnly: true });
      expect(reader.indexReport.verified, `cut at ${cut}`).toBeGreaterThan(0);
      for (const status of JOB_STATUSES) await expectListing(reader, model, { status, limit: 1000 });
      await reader.close();
    }
    const writer = await openStore(copy);
    await expectRandomListings(writer, model, 56, 20);
  });

  it("verifies a status change whose intent is journaled but which never reached OurDB", async () => {
    const { dir, model } = await fixture(6);
    await tick();
    const copy = crashCopy(dir);
    const id = [...model.keys()].find((k) => model.get(k)?.status === "new") as number;
    const frame = Buffer.alloc(13);
    frame.writeUInt32LE(5, 0);
    frame[8] = 1;
    frame.writeUInt32LE(id, 9);
    frame.writeUInt32LE(crc32(frame.subarray(8)), 4);
    fs.appendFileSync(path.join(copy, "index", "journal"), frame);
    const reopened = await openStore(copy);
    expect(reopened.indexReport.verified).toBe(1);
    await expectListing(reopened, model, { status: "new", limit: 1000 });
  });

  it("rebuilds from the records when the index files are damaged, missing or from another boot", async () => {
    const { dir, store, model } = await fixture(7);
    await store.close();
    const warnings: string[] = [];
    const log = (level: string, message: string) => {
      if (level === "warn") warnings.push(message);
    };
    const snapshot = path.join(dir, "index", "snapshot");
    const bytes = fs.readFileSync(snapshot);
    bytes.writeUInt8((bytes[bytes.length >> 1] as number) ^ 0x40, bytes.length >> 1);
    fs.writeFileSync(snapshot, bytes);
    let reopened = await openStore(dir, { log });
    expect(reopened.indexReport).toMatchObject({
      source: "rebuilt",
      reason: "index snapshot: checksum mismatch",
    });
    expect(warnings[0]).toMatch(/rebuilding from 2000 job records/);
    await expectRandomListings(reopened, model, 77, 30);
    // Left open, as a machine going down would: its journal names this boot; pretend another one.
    const journal = path.join(dir, "index", "journal");
    const buf = fs.readFileSync(journal);
    const json = Buffer.from(
      buf.toString("utf8", 12, 12 + buf.readUInt32LE(8)).replace(/"bootId":"[^"]*"/, '"bootId":"x"'),
    );
    const header = Buffer.alloc(16 + json.length);
    header.write("HAJJNL01", 0, "latin1");
    header.writeUInt32LE(json.length, 8);
    json.copy(header, 12);
    header.writeUInt32LE(crc32(json), 12 + json.length);
    const rebooted = crashCopy(dir);
    fs.writeFileSync(path.join(rebooted, "index", "journal"), header);
    const afterBoot = await openStore(rebooted, { log });
    expect(afterBoot.indexReport.reason).toMatch(/machine restarted/);
    await expectListing(afterBoot, model, { limit: 1000 });
    await reopened.close();
    fs.rmSync(path.join(dir, "index"), { recursive: true });
    reopened = await openStore(dir, { log });
    expect(reopened.indexReport).toMatchObject({ source: "rebuilt", reason: "no index" });
    await expectRandomListings(reopened, model, 78, 20);
  });

  it("opens read-only beside a running writer and writes nothing", async () => {
    const { dir, store, model } = await fixture(8);
    await tick();
    const files = () =>
      fs
        .readdirSync(path.join(dir, "index"))
        .map((f) => [f, fs.statSync(path.join(dir, "index", f)).mtimeMs]);
    const before = files();
    const reader = await openStore(dir, { readOnly: true });
    expect(reader.indexReport.source).toBe("journal");
    await expectRandomListings(reader, model, 88, 30);
    expect(files()).toEqual(before);
    await store.close();
    fs.rmSync(path.join(dir, "index"), { recursive: true });
    const rebuilding = await openStore(dir, { readOnly: true, log: () => {} });
    expect(rebuilding.indexReport.source).toBe("rebuilt");
    await expectListing(rebuilding, model, { status: ["done", "error"], limit: 100 });
    expect(fs.existsSync(path.join(dir, "index"))).toBe(false);
  });
});
