/**
 * A worker's side of the protocol (docs/jobs-protocol.md): take a job with an atomic move into the
 * worker's processing list, claim it with a fresh lock token, and report what happened through the
 * event stream. A worker never changes a job's queue state itself; the JobManager does, after
 * checking the token, so a stale worker cannot finish a job it no longer owns.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { encodeEvent, type WorkerEvent } from "./job-events.js";
import { claimedJobFields, type RunningJob, runningJobFromHash } from "./job-hash.js";
import { cleanLogLine } from "./job-logs.js";
import { LOG_LINES_MAX } from "./limits.js";
import {
  EVENTS_KEY,
  jobKey,
  lanesInOrder,
  leaseKey,
  logsKey,
  prioritiesKey,
  processingKey,
  WORKERS_KEY,
} from "./redis-keys.js";
import { TickBatch } from "./tick-batch.js";

/** What a worker publishes about itself in `heroworkers` (the reaper reads `topics`). */
export interface WorkerInfo {
  workerId: string;
  topics: string[];
  concurrency: number;
  host: string;
  pid: number;
  startedAt: number;
}

export interface ClaimedJob {
  job: RunningJob;
  token: string;
}

type Report = Exclude<WorkerEvent, { type: "active" | "progress" }>;

export class WorkerQueue {
  private readonly batch: TickBatch;

  constructor(
    private readonly redis: Redis,
    readonly workerId: string,
  ) {
    this.batch = new TickBatch(redis);
  }

  /** Renews the lease and the worker's entry; the reaper treats a worker without a lease as dead. */
  async renewLease(info: WorkerInfo, leaseMs: number): Promise<void> {
    await this.batch.run((multi) =>
      multi
        .set(leaseKey(this.workerId), String(Date.now()), "PX", leaseMs)
        .hset(WORKERS_KEY, this.workerId, JSON.stringify(info)),
    );
  }

  /** Called on a clean stop once nothing is held: the worker leaves without anything to reap. */
  async deregister(): Promise<void> {
    await this.batch.run((multi) => multi.del(leaseKey(this.workerId)).hdel(WORKERS_KEY, this.workerId));
  }

  /**
   * Takes and claims up to `max` jobs of `topics` (tried from `start`, round robin), highest
   * priority lane first. Empty when every lane is empty.
   */
  async fetch(topics: readonly string[], start: number, max = 1): Promise<ClaimedJob[]> {
    const claimed: ClaimedJob[] = [];
    if (topics.length === 0) return claimed;
    const replies = await this.batch.run((multi) => {
      for (const topic of topics) multi.zrange(prioritiesKey(topic), "0", "-1");
    });
    for (let i = 0; i < topics.length && claimed.length < max; i++) {
      const index = (start + i) % topics.length;
      const topic = topics[index] as string;
      const priorities = ((replies[index] as string[] | undefined) ?? []).map(Number);
      for (const lane of lanesInOrder(topic, priorities)) {
        await this.takeFromLane(topic, lane, max, claimed);
        if (claimed.length >= max) break;
      }
    }
    return claimed;
  }

  /** Moves up to `max - claimed.length` jobs from the lane (one round trip) and claims them. */
  private async takeFromLane(topic: string, lane: string, max: number, claimed: ClaimedJob[]): Promise<void> {
    const processing = processingKey(this.workerId, topic);
    while (claimed.length < max) {
      const wanted = max - claimed.length;
      const moved = await this.batch.run((multi) => {
        for (let i = 0; i < wanted; i++) multi.lmove(lane, processing, "RIGHT", "LEFT");
      });
      const ids = moved.filter((id): id is string => typeof id === "string");
      claimed.push(...(await this.claim(topic, ids)));
      if (ids.length < wanted) return; // the lane is empty
    }
  }

  /**
   * Marks the jobs active with a fresh token each and reports them. An id whose job is not there to
   * run (cancelled or finished meanwhile, or not a job at all) is dropped from the processing list.
   */
  private async claim(topic: string, ids: readonly string[]): Promise<ClaimedJob[]> {
    if (ids.length === 0) return [];
    const processing = processingKey(this.workerId, topic);
    const hashes = (await this.batch.run((multi) => {
      for (const id of ids) multi.hgetall(jobKey(topic, Number(id)));
    })) as Record<string, string>[];
    const now = Date.now();
    const claimed: ClaimedJob[] = [];
    await this.batch.run((multi) => {
      ids.forEach((id, i) => {
        const hash = hashes[i] ?? {};
        const attempt = (Number(hash.attempts) || 0) + 1;
        const job =
          hash.status === "new" && String(hash.jobId) === id ? runningJobFromHash(hash, attempt) : undefined;
        if (!job) {
          multi.lrem(processing, 1, id);
          return;
        }
        const token = randomBytes(12).toString("hex");
        multi
          .hset(jobKey(topic, job.jobId), {
            ...claimedJobFields(token, this.workerId, now),
            attempts: String(attempt),
          })
          .xadd(EVENTS_KEY, "*", ...encodeEvent({ type: "active", ...this.base(job, token, now), attempt }));
        claimed.push({ job, token });
      });
    });
    return claimed;
  }

  /** Removes the job from the processing list and reports the outcome, in one transaction. */
  async report(event: Report): Promise<void> {
    await this.batch.run((multi) =>
      multi
        .lrem(processingKey(this.workerId, event.topic), 1, String(event.jobId))
        .xadd(EVENTS_KEY, "*", ...encodeEvent(event)),
    );
  }

  async progress(job: RunningJob, token: string, progress: number): Promise<void> {
    const now = Date.now();
    await this.batch.run((multi) =>
      multi
        .hset(jobKey(job.topic, job.jobId), "progress", String(progress))
        .xadd(EVENTS_KEY, "*", ...encodeEvent({ type: "progress", ...this.base(job, token, now), progress })),
    );
  }

  async log(job: RunningJob, line: string): Promise<void> {
    const key = logsKey(job.topic, job.jobId);
    await this.batch.run((multi) => multi.rpush(key, cleanLogLine(line)).ltrim(key, -LOG_LINES_MAX, -1));
  }

  /** For each job: still ours (same token), cancelled, or taken from us (hash gone or token changed). */
  async ownership(jobs: readonly ClaimedJob[]): Promise<("ours" | "cancelled" | "lost")[]> {
    if (jobs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { job } of jobs) pipeline.hmget(jobKey(job.topic, job.jobId), "token", "cancel");
    const replies = (await pipeline.exec()) ?? [];
    return jobs.map(({ token }, i) => {
      const [current, cancel] = (replies[i]?.[1] as (string | null)[] | undefined) ?? [];
      if (current !== token) return "lost";
      return cancel === "1" ? "cancelled" : "ours";
    });
  }

  base(job: RunningJob, token: string, time: number) {
    return { jobId: job.jobId, topic: job.topic, token, workerId: this.workerId, time };
  }
}
