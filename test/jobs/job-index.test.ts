import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { canTransition, JOB_STATUSES, type JobStatus } from "../../src/jobs/job.js";
import { type IndexQuery, JobIndex } from "../../src/jobs/job-index.js";
import { type IndexedJob, IndexKeeper } from "../../src/jobs/job-index-keeper.js";
import { tempDir } from "./helpers.js";

type Model = Map<number, IndexedJob>;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
const TOPICS = ["a", "b", "c", "rare"];

function randomQuery(rnd: () => number, maxTime: number): IndexQuery {
  const statuses = JOB_STATUSES.filter(() => rnd() < 0.4);
  return {
    topic: rnd() < 0.5 ? pick(rnd, [...TOPICS, "none"]) : undefined,
    statuses: rnd() < 0.7 ? new Set(statuses) : undefined,
    since: rnd() < 0.4 ? rnd() * maxTime : Number.NEGATIVE_INFINITY,
    until: rnd() < 0.4 ? rnd() * maxTime : Number.POSITIVE_INFINITY,
  };
}

function brute(model: Model, q: IndexQuery, below: number, max: number): number[] {
  return [...model.entries()]
    .filter(([id, j]) => id < below && (q.topic === undefined || j.topic === q.topic))
    .filter(([, j]) => (q.statuses === undefined || q.statuses.has(j.status)) && j.createdAt >= q.since)
    .filter(([, j]) => j.createdAt < q.until)
    .map(([id]) => id)
    .sort((x, y) => y - x)
    .slice(0, max);
}

function expectSame(index: JobIndex, model: Model, rnd: () => number, queries: number, maxTime: number) {
  for (let i = 0; i < queries; i++) {
    const q = randomQuery(rnd, maxTime);
    const below = rnd() < 0.3 ? Number.POSITIVE_INFINITY : Math.floor(rnd() * (index.end + 40));
    const max = pick(rnd, [1, 5, 64, 1000, 100_000]);
    expect(index.candidates(q, below, max), JSON.stringify({ q, below, max })).toEqual(
      brute(model, q, below, max),
    );
  }
}

describe("JobIndex", () => {
  it("answers like a brute-force filter: holes, ids out of order, unsorted times, status changes", () => {
    const rnd = prng(1);
    const index = new JobIndex();
    const model: Model = new Map();
    const ids = Array.from({ length: 20_000 }, (_, i) => i + 1).filter(() => rnd() < 0.9);
    for (let i = 0; i + 1 < ids.length; i += 7)
      [ids[i], ids[i + 1]] = [ids[i + 1] as number, ids[i] as number];
    for (const id of ids) {
      const job = {
        topic: rnd() < 0.01 ? "rare" : pick(rnd, TOPICS),
        status: "new" as JobStatus,
        createdAt: id * 10 + Math.floor(rnd() * 300),
      };
      index.put(id, job.topic, job.createdAt, job.status);
      model.set(id, job);
    }
    for (let i = 0; i < 30_000; i++) {
      const id = pick(rnd, ids);
      const job = model.get(id) as IndexedJob;
      const to = pick(
        rnd,
        JOB_STATUSES.filter((s) => canTransition(job.status, s)),
      );
      job.status = to;
      index.setStatus(id, to);
    }
    expect(index.size).toBe(model.size);
    expectSame(index, model, rnd, 400, 200_000);
    const copy = JobIndex.fromState(structuredClone(index.state()));
    expectSame(copy, model, prng(2), 200, 200_000);
    index.truncate(10_000);
    for (const id of model.keys()) if (id >= 10_000) model.delete(id);
    expectSame(index, model, prng(3), 200, 200_000);
  });

  it("pages through a status set word by word, bit 31 included", () => {
    const index = new JobIndex();
    for (let id = 1; id < 200; id++)
      index.put(id, "t", id, id % 32 === 31 || id % 32 === 0 ? "active" : "done");
    const active = index.candidates(
      { topic: undefined, statuses: new Set(["active"]), since: -1, until: 1e9 },
      1e9,
      1000,
    );
    expect(active).toEqual([192, 191, 160, 159, 128, 127, 96, 95, 64, 63, 32, 31]);
    expect(
      index.candidates({ topic: undefined, statuses: new Set(["active"]), since: -1, until: 1e9 }, 160, 3),
    ).toEqual([159, 128, 127]);
  });
});

describe("IndexKeeper: crashes around snapshots", () => {
  /** OurDB stand-in: the model is what is stored; the keeper is told like the store tells it. */
  const open = (dir: string, model: Model, extra: { bootId?: string } = {}) =>
    IndexKeeper.open({
      dir,
      readOnly: false,
      dbNextId: model.size + 1,
      readJob: async (id) => {
        const job = model.get(id);
        return job && { ...job };
      },
      log: () => {},
      rotateEntries: 50,
      ...extra,
    });

  it("reopens right after a crash at any step, across rotations and changes in flight", async () => {
    const rnd = prng(9);
    const dir = path.join(tempDir(), "index");
    const model: Model = new Map();
    let keeper = await open(dir, model);
    const snapshots = new Set<number>();
    for (let step = 0; step < 400; step++) {
      const r = rnd();
      if (r < 0.4 || model.size === 0) {
        const job = { topic: pick(rnd, TOPICS), status: "new" as JobStatus, createdAt: step };
        model.set(model.size + 1, job);
        if (rnd() < 0.9) keeper.created(model.size, job.topic, job.createdAt); // else: died before the journal
      } else {
        const id = 1 + Math.floor(rnd() * model.size);
        const job = model.get(id) as IndexedJob;
        const to = pick(
          rnd,
          JOB_STATUSES.filter((s) => canTransition(job.status, s)),
        );
        await keeper.willChange(id);
        const stage = rnd();
        if (stage < 0.9) job.status = to; // OurDB wrote it …
        if (stage < 0.8) keeper.changed(id, to); // … and acknowledged it
      }
      snapshots.add(fs.statSync(path.join(dir, "snapshot")).ino);
      if (rnd() < 0.1) {
        // Crash: the files stay as they are; a new keeper opens them.
        keeper = await open(dir, model);
        expectSame(keeper.index, model, rnd, 20, 400);
      }
    }
    expect(snapshots.size).toBeGreaterThan(5); // rotations happened
    keeper.close();
    keeper = await open(dir, model);
    expect(keeper.report).toMatchObject({ source: "snapshot", verified: 0, tailRead: 0 });
    expectSame(keeper.index, model, rnd, 50, 400);
    const crashedInOtherBoot = await open(dir, model, { bootId: "another boot" });
    expect(crashedInOtherBoot.report.source).toBe("rebuilt");
    crashedInOtherBoot.close();
    const rebooted = await open(dir, model, { bootId: "a third boot" });
    expect(rebooted.report.source).toBe("snapshot"); // closed cleanly: no journal to distrust
    expectSame(rebooted.index, model, rnd, 50, 400);
  });
});
