/**
 * Throughput and latency over time, from the job events this UI sees (kept in memory since it
 * started): per time bucket the jobs created, done and failed, and the run time (finishedAt −
 * startedAt) and wait time (startedAt − runAt) as log-scale histograms (4 bins per doubling, so a
 * percentile is right within ~10 %). Two rings: 10 s buckets for the last hour, 5 min for a day.
 */
import type { JobEvent } from "../jobs/job-manager.js";

export const TIMELINE_RANGES = ["15m", "1h", "24h"] as const;
export type TimelineRange = (typeof TIMELINE_RANGES)[number];

export interface TimelinePoint {
  /** Start of the bucket (epoch ms). */
  time: number;
  created: number;
  done: number;
  error: number;
  runP50Ms: number | null;
  runP95Ms: number | null;
  waitP50Ms: number | null;
}

const BINS = 112; // 2^(111/4) ms ≈ 2.3 days
const binOf = (ms: number) => (ms < 1 ? 0 : Math.min(BINS - 1, Math.floor(Math.log2(ms) * 4) + 1));
const binValue = (bin: number) => (bin === 0 ? 0 : 2 ** ((bin - 0.5) / 4));

class Bucket {
  number = -1;
  created = 0;
  done = 0;
  error = 0;
  readonly run = new Uint32Array(BINS);
  readonly wait = new Uint32Array(BINS);

  reset(number: number): void {
    this.number = number;
    this.created = this.done = this.error = 0;
    this.run.fill(0);
    this.wait.fill(0);
  }
}

class Ring {
  private readonly buckets: Bucket[];

  constructor(
    readonly bucketMs: number,
    readonly length: number,
  ) {
    this.buckets = Array.from({ length }, () => new Bucket());
  }

  /** The bucket of `time`, or undefined when it is older than the ring (it would wipe a newer one). */
  at(time: number, now: number): Bucket | undefined {
    const number = Math.floor(time / this.bucketMs);
    if (number <= Math.floor(now / this.bucketMs) - this.length) return undefined;
    const bucket = this.buckets[number % this.length] as Bucket;
    if (bucket.number !== number) bucket.reset(number);
    return bucket;
  }

  /** The last `count` buckets up to `now`, oldest first (empty ones included). */
  points(now: number, count: number): TimelinePoint[] {
    const last = Math.floor(now / this.bucketMs);
    const out: TimelinePoint[] = [];
    for (let number = last - count + 1; number <= last; number++) {
      const bucket = this.buckets[number % this.length] as Bucket;
      const held = bucket.number === number;
      out.push({
        time: number * this.bucketMs,
        created: held ? bucket.created : 0,
        done: held ? bucket.done : 0,
        error: held ? bucket.error : 0,
        runP50Ms: held ? percentile(bucket.run, 0.5) : null,
        runP95Ms: held ? percentile(bucket.run, 0.95) : null,
        waitP50Ms: held ? percentile(bucket.wait, 0.5) : null,
      });
    }
    return out;
  }
}

function percentile(bins: Uint32Array, p: number): number | null {
  let total = 0;
  for (const n of bins) total += n;
  if (total === 0) return null;
  let seen = 0;
  for (let bin = 0; bin < BINS; bin++) {
    seen += bins[bin] as number;
    if (seen >= p * total) return Math.round(binValue(bin) * 10) / 10;
  }
  return null;
}

const SHAPE: Record<TimelineRange, { ring: "fine" | "coarse"; count: number }> = {
  "15m": { ring: "fine", count: 90 },
  "1h": { ring: "fine", count: 360 },
  "24h": { ring: "coarse", count: 288 },
};

export class JobTimeline {
  private readonly fine = new Ring(10_000, 360);
  private readonly coarse = new Ring(300_000, 288);

  /** Counts one job event (subscribe it to a JobFeed). */
  record({ job, previous }: JobEvent, now = Date.now()): void {
    for (const ring of [this.fine, this.coarse]) {
      const bucket = ring.at(job.updatedAt, now);
      if (!bucket) continue;
      if (previous === null) bucket.created++;
      if (job.status === "active" && job.startedAt !== null) {
        const wait = bucket.wait;
        const bin = binOf(Math.max(0, job.startedAt - job.runAt));
        wait[bin] = (wait[bin] as number) + 1;
      }
      if (job.status === "done" || job.status === "error") {
        if (job.status === "done") bucket.done++;
        else bucket.error++;
        if (job.startedAt !== null && job.finishedAt !== null) {
          const run = bucket.run;
          const bin = binOf(Math.max(0, job.finishedAt - job.startedAt));
          run[bin] = (run[bin] as number) + 1;
        }
      }
    }
  }

  points(
    range: TimelineRange,
    now = Date.now(),
  ): { range: TimelineRange; bucketMs: number; points: TimelinePoint[] } {
    const { ring, count } = SHAPE[range];
    const source = ring === "fine" ? this.fine : this.coarse;
    return { range, bucketMs: source.bucketMs, points: source.points(now, count) };
  }
}
