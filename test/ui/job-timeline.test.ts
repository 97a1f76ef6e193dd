import { describe, expect, it } from "vitest";
import type { Job, JobStatus } from "../../src/jobs/job.js";
import { JobTimeline } from "../../src/ui/job-timeline.js";

// 9 s into a 10 s bucket (and a 5 min one), so NOW - 5 s falls in the same buckets.
const NOW = 1_700_000_009_000;

function event(
  status: JobStatus,
  updatedAt: number,
  times: Partial<Job> = {},
  previous: JobStatus | null = null,
) {
  const job = {
    jobId: 1,
    topic: "t",
    status,
    updatedAt,
    runAt: 0,
    startedAt: null,
    finishedAt: null,
    ...times,
  };
  return { job: job as Job, previous };
}

describe("JobTimeline", () => {
  it("counts created, done and failed jobs per bucket, with run and wait percentiles", () => {
    const timeline = new JobTimeline();
    const at = NOW - 5000;
    for (let i = 0; i < 100; i++) {
      timeline.record(event("new", at), NOW);
      const startedAt = at + 10;
      timeline.record(event("active", at, { runAt: at, startedAt }, "new"), NOW);
      // Run times 1 … 100 ms: p50 ≈ 50, p95 ≈ 95 (within the histogram's ~10 %).
      const status = i % 10 === 0 ? "error" : "done";
      timeline.record(event(status, at, { startedAt, finishedAt: startedAt + i + 1 }, "active"), NOW);
    }
    const { bucketMs, points } = timeline.points("15m", NOW);
    expect(bucketMs).toBe(10_000);
    expect(points).toHaveLength(90);
    const last = points.at(-1);
    expect(last).toMatchObject({ created: 100, done: 90, error: 10 });
    expect(last?.runP50Ms).toBeGreaterThan(45);
    expect(last?.runP50Ms).toBeLessThan(55);
    expect(last?.runP95Ms).toBeGreaterThan(86);
    expect(last?.runP95Ms).toBeLessThan(105);
    expect(last?.waitP50Ms).toBeGreaterThan(9);
    expect(last?.waitP50Ms).toBeLessThan(11);
    expect(points[0]).toMatchObject({ created: 0, runP50Ms: null });
    const day = timeline.points("24h", NOW);
    expect(day.bucketMs).toBe(300_000);
    expect(day.points.at(-1)).toMatchObject({ created: 100, done: 90 });
  });

  it("ignores events older than its window instead of wiping a newer bucket", () => {
    const timeline = new JobTimeline();
    timeline.record(event("new", NOW - 1000), NOW);
    timeline.record(event("new", NOW - 1000 - 3_600_000), NOW); // one hour older: same ring slot
    expect(timeline.points("15m", NOW).points.at(-1)?.created).toBe(1);
    expect(timeline.points("1h", NOW).points.reduce((n, p) => n + p.created, 0)).toBe(1);
  });
});
