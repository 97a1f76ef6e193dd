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
  constructor(
    private readonly redis: Redis,
    readonly workerId: string,
  ) {}

  /** Renews the lease and the worker's entry; the reaper treats a worker without a lease as dead. */
  async renewLease(info: WorkerInfo, leaseMs: number): Promise<void> {
    await this.redis
      .multi()
      .set(leaseKey(this.workerId), String(Date.now()), "PX", leaseMs)
      .hset(WORKERS_KEY, this.workerId, JSON.stringify(info))
      .exec();
  }

  /** Called on a clean stop once nothing is held: the worker leaves without anything to reap. */
  async deregister(): Promise<void> {
    await this.redis.multi().del(leaseKey(this.workerId)).hdel(WORKERS_KEY, this.workerId).exec();
  }

  /**
   * Takes the next job of `topics` (tried from `start`, round robin), highest priority lane first,
   * and claims it. Undefined when every lane is empty.
   */
  async fetch(topics: readonly string[], start: number): Promise<ClaimedJob | undefined> {
    if (topics.length === 0) return undefined;
    const pipeline = this.redis.pipeline();
    for (const topic of topics) pipeline.zrange(prioritiesKey(topic), "0", "-1");
    const replies = (await pipeline.exec()) ?? [];
    for (let i = 0; i < topics.length; i++) {
      const index = (start + i) % topics.length;
      const topic = topics[index] as string;
      const priorities = ((replies[index]?.[1] as string[] | undefined) ?? []).map(Number);
      for (const lane of lanesInOrder(topic, priorities)) {
        const claimed = await this.takeFromLane(topic, lane);
        if (claimed) return claimed;
      }
    }
    return undefined;
  }

  private async takeFromLane(topic: string, lane: string): Promise<ClaimedJob | undefined> {
    const processing = processingKey(this.workerId, topic);
    for (;;) {
      const id = await this.redis.lmove(lane, processing, "RIGHT", "LEFT");
      if (id === null) return undefined;
      const claimed = await this.claim(topic, Number(id));
      if (claimed) return claimed;
      // A leftover entry (the job was cancelled or finished meanwhile): drop it, try the next.
      await this.redis.lrem(processing, 1, id);
    }
  }

  /** Marks the job active with a fresh token and reports it; undefined if the job is not there to run. */
  private async claim(topic: string, jobId: number): Promise<ClaimedJob | undefined> {
    if (!(Number.isInteger(jobId) && jobId > 0)) return undefined;
    const key = jobKey(topic, jobId);
    const hash = await this.redis.hgetall(key);
    if (hash.status !== "new") return undefined;
    const attempt = (Number(hash.attempts) || 0) + 1;
    const job = runningJobFromHash(hash, attempt);
    if (!job) return undefined;
    const token = randomBytes(12).toString("hex");
    const now = Date.now();
    await this.redis
      .multi()
      .hset(key, { ...claimedJobFields(token, this.workerId, now), attempts: String(attempt) })
      .xadd(EVENTS_KEY, "*", ...encodeEvent({ type: "active", ...this.base(job, token, now), attempt }))
      .exec();
    return { job, token };
  }

  /** Removes the job from the processing list and reports the outcome, in one transaction. */
  async report(event: Report): Promise<void> {
    await this.redis
      .multi()
      .lrem(processingKey(this.workerId, event.topic), 1, String(event.jobId))
      .xadd(EVENTS_KEY, "*", ...encodeEvent(event))
      .exec();
  }

  async progress(job: RunningJob, token: string, progress: number): Promise<void> {
    const now = Date.now();
    await this.redis
      .multi()
      .hset(jobKey(job.topic, job.jobId), "progress", String(progress))
      .xadd(EVENTS_KEY, "*", ...encodeEvent({ type: "progress", ...this.base(job, token, now), progress }))
      .exec();
  }

  async log(job: RunningJob, line: string): Promise<void> {
    const key = logsKey(job.topic, job.jobId);
    await this.redis.multi().rpush(key, cleanLogLine(line)).ltrim(key, -LOG_LINES_MAX, -1).exec();
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
