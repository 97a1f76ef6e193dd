/**
 * RedisJobManager: the JobManager's Redis operations (the seed's component of that name). Redis
 * holds new and active jobs only: the job hash, its place in a ready lane or the delayed set, and
 * for a running job the worker's processing list. Every method here keeps those consistent in one
 * MULTI; the decisions (which version to store, retry or fail) are the JobManager's.
 */
import type { Redis } from "ioredis";
import { ClaimCache } from "./claim-cache.js";
import type { Job } from "./job.js";
import { decodeEvent, encodeEvent, type WorkerEvent } from "./job-events.js";
import { queuedJobFields, requeuedJobFields } from "./job-hash.js";
import { type JobRef, notify, pushReady, recoverTaken, TAKEN_FIELDS } from "./lanes.js";
import { readStream } from "./redis-client.js";
import {
  CANCEL_CHANNEL,
  DELAYED_KEY,
  delayedMember,
  EVENTS_KEY,
  jobKey,
  leaseKey,
  logsKey,
  parseDelayedMember,
  parseJobKey,
  prioritiesKey,
  processingKey,
  queueKey,
  WORKERS_KEY,
} from "./redis-keys.js";
import { type Multi, TickBatch } from "./tick-batch.js";

/** What Redis knows of a running job that OurDB does not (yet). */
export interface LiveJob {
  exists: boolean;
  status: string | null;
  token: string;
  cancel: boolean;
  attempts: number;
  progress: number;
  logs: string[];
}

export interface EventEntry {
  id: string;
  /** Undefined when the entry is not a well-formed event (it is skipped and deleted). */
  event: WorkerEvent | undefined;
}

type Report = Extract<WorkerEvent, { type: "done" | "failed" | "released" | "lost" }>;

export class RedisJobManager {
  private readonly batch: TickBatch;
  /** Claims checked without a read; every write to a job's hash below forgets the job there. */
  readonly claims = new ClaimCache();

  /**
   * @param redis commands (shared; the per-job transactions of one event-loop turn go as one MULTI)
   * @param watcher a connection of its own: WATCH state is per connection
   */
  constructor(
    private readonly redis: Redis,
    private readonly watcher: Redis,
  ) {
    this.batch = new TickBatch(redis);
  }

  private readonly wakeUps = new Map<string, number>();

  /**
   * Into the delayed set when runAt is in the future, else into its ready lane. The wake-up tokens
   * of one transaction go at its end, one per job up to WAKE_UPS_MAX per topic: enough to wake every
   * idle worker process, without two commands per job.
   */
  private place(multi: Multi, job: JobRef, runAt: number, now: number): void {
    if (runAt > now) {
      multi.zadd(DELAYED_KEY, runAt, delayedMember(job.topic, job.jobId));
      return;
    }
    if (job.priority !== 0) multi.zadd(prioritiesKey(job.topic), job.priority, String(job.priority));
    multi.lpush(queueKey(job.topic, job.priority), String(job.jobId));
    this.wakeUps.set(job.topic, (this.wakeUps.get(job.topic) ?? 0) + 1);
    this.batch.once("wake-ups", (last) => {
      for (const [topic, count] of this.wakeUps) notify(last, topic, Math.min(count, WAKE_UPS_MAX));
      this.wakeUps.clear();
    });
  }

  /**
   * Writes the job hash and puts the job in its lane, or in the delayed set until its runAt.
   * `created`: the job was just created, so its reports can be checked without a read.
   */
  async enqueue(job: Job, now = Date.now(), created = false): Promise<void> {
    if (created) this.claims.created(job.jobId);
    else this.claims.forget(job.jobId);
    await this.batch.run((multi) => {
      if (job.version > 1) multi.del(logsKey(job.topic, job.jobId)); // a new job has no old logs
      multi.hset(jobKey(job.topic, job.jobId), queuedJobFields(job));
      this.place(multi, job, job.runAt, now);
    });
  }

  /** Back to new (retry, lost lease): clears the claim, so the old token is refused from now on. */
  async requeue(job: JobRef, runAt: number, attempts: number, now = Date.now()): Promise<void> {
    this.claims.forget(job.jobId);
    await this.batch.run((multi) => {
      multi.hset(jobKey(job.topic, job.jobId), requeuedJobFields(runAt, attempts));
      this.place(multi, job, runAt, now);
    });
  }

  /** Marked active by the API (no worker): out of the lanes so no worker takes it. */
  async markActive(job: JobRef): Promise<void> {
    this.claims.forget(job.jobId);
    await this.batch.run((multi) =>
      unplace(multi, job).hset(jobKey(job.topic, job.jobId), { status: "active", token: "", workerId: "" }),
    );
  }

  /**
   * The job leaves Redis: its hash and logs, and with `queued` its lane or delayed entry (LREM is
   * linear in the lane's length, so a job a worker reported, which is in no lane, skips it).
   * With `signal` a worker still running it is told to stop.
   */
  async remove(job: JobRef, how: { queued: boolean; signal: boolean }): Promise<void> {
    this.claims.forget(job.jobId);
    await this.batch.run((multi) => {
      if (how.queued) unplace(multi, job);
      multi.del(jobKey(job.topic, job.jobId), logsKey(job.topic, job.jobId));
      if (how.signal) multi.publish(CANCEL_CHANNEL, String(job.jobId));
    });
  }

  /** Tells a worker running the job to check its claim (taken back by the API: it stops). */
  async signal(jobId: number): Promise<void> {
    await this.batch.run((multi) => multi.publish(CANCEL_CHANNEL, String(jobId)));
  }

  /** Asks the worker running the job to stop with "cancelled"; it reports the failure itself. */
  async requestCancel(job: JobRef): Promise<void> {
    this.claims.forget(job.jobId);
    await this.batch.run((multi) =>
      multi.hset(jobKey(job.topic, job.jobId), "cancel", "1").publish(CANCEL_CHANNEL, String(job.jobId)),
    );
  }

  /** The job's hash fields and log lines; without `logs`, an empty list instead of the lines. */
  async live(job: Pick<Job, "jobId" | "topic">, logs = true): Promise<LiveJob> {
    const replies = await this.batch.run((multi) => {
      multi.hmget(jobKey(job.topic, job.jobId), "status", "token", "cancel", "attempts", "progress");
      if (logs) multi.lrange(logsKey(job.topic, job.jobId), 0, -1);
    });
    const [status, token, cancel, attempts, progress] = replies[0] as (string | null)[];
    return {
      exists: status != null,
      status: status ?? null,
      token: token ?? "",
      cancel: cancel === "1",
      attempts: Number(attempts) || 0,
      progress: Number(progress) || 0,
      logs: (replies[1] as string[] | undefined) ?? [],
    };
  }

  /**
   * What a report is checked against: the job's claim as the claim cache knows it (no read), else
   * the hash. The log lines are read only when the report does not say the run logged none.
   */
  async reported(event: Report): Promise<LiveJob> {
    const readLogs = event.logs !== 0;
    const known = this.claims.get(event.jobId);
    if (!known) return this.live(event, readLogs);
    const logs = readLogs
      ? ((
          await this.batch.run((multi) => multi.lrange(logsKey(event.topic, event.jobId), 0, -1))
        )[0] as string[])
      : [];
    const { token, attempt } = known;
    return { exists: true, status: "active", token, cancel: false, attempts: attempt, progress: 0, logs };
  }

  /** Moves delayed jobs whose time has come into their lanes; returns how many. */
  async promoteDue(now = Date.now(), limit = 1000): Promise<number> {
    const members = await this.redis.zrangebyscore(DELAYED_KEY, "-inf", now, "LIMIT", 0, limit);
    if (members.length === 0) return 0;
    const refs = members.map(parseDelayedMember);
    const lookup = this.redis.pipeline();
    for (const ref of refs) if (ref) lookup.hget(jobKey(ref.topic, ref.jobId), "priority");
    const priorities = ((await lookup.exec()) ?? []).map(([, value]) => value as string | null);
    const multi = this.redis.multi();
    let p = 0;
    members.forEach((member, i) => {
      multi.zrem(DELAYED_KEY, member);
      const ref = refs[i];
      if (!ref) return;
      const priority = priorities[p++];
      if (priority === null || priority === undefined) return; // the job left Redis meanwhile
      pushReady(multi, { ...ref, priority: Number(priority) || 0 });
    });
    await multi.exec();
    return members.length;
  }

  /** When the earliest delayed job is due (epoch ms), or undefined when none is delayed. */
  async nextDueAt(): Promise<number | undefined> {
    const [, score] = await this.redis.zrange(DELAYED_KEY, "0", "0", "WITHSCORES");
    return score === undefined ? undefined : Number(score);
  }

  /** Workers registered in `heroworkers` whose lease has expired. */
  async deadWorkers(): Promise<string[]> {
    const ids = await this.redis.hkeys(WORKERS_KEY);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.exists(leaseKey(id));
    const replies = (await pipeline.exec()) ?? [];
    return ids.filter((_, i) => replies[i]?.[1] === 0);
  }

  /**
   * Recovers a dead worker's jobs, in the transaction that empties its processing list: each claimed
   * job is reported "lost" (with the token it held); a job it took but had not claimed yet goes back
   * to the head of its lane. WATCH makes a worker that reports at the same moment win cleanly: then
   * the job is no longer in the list and is not recovered twice.
   */
  async reapWorker(workerId: string, now = Date.now()): Promise<number> {
    let recovered = 0;
    for (const key of await this.scanKeys(`${processingKey(workerId, "")}*`)) {
      const topic = key.slice(processingKey(workerId, "").length);
      for (;;) {
        await this.watcher.watch(key);
        const ids = await this.watcher.lrange(key, 0, -1);
        const lookup = this.watcher.pipeline();
        for (const id of ids) lookup.hmget(jobKey(topic, Number(id)), ...TAKEN_FIELDS);
        const hashes = ((await lookup.exec()) ?? []).map(([, value]) => value as (string | null)[]);
        const multi = this.watcher.multi().del(key);
        recovered = 0;
        ids.forEach((id, i) => {
          const jobId = Number(id);
          const outcome = recoverTaken(multi, { topic, jobId, workerId }, hashes[i] ?? [], (token) => {
            const event = {
              type: "lost",
              jobId,
              topic,
              token,
              workerId,
              time: now,
              reason: "lease expired",
            } as const;
            multi.xadd(EVENTS_KEY, "*", ...encodeEvent(event));
          });
          if (outcome === "returned") this.claims.forget(jobId); // it may now be taken twice
          if (outcome) recovered++;
        });
        if ((await multi.exec()) !== null) break;
      }
    }
    await this.redis.hdel(WORKERS_KEY, workerId);
    return recovered;
  }

  /** Reads worker events after `lastId`, blocking up to `blockMs` when there are none. */
  async readEvents(events: Redis, lastId: string, count: number, blockMs: number): Promise<EventEntry[]> {
    const entries = await readStream(events, EVENTS_KEY, lastId, count, blockMs);
    return entries.map(([id, fields]) => ({ id, event: decodeEvent(fields) }));
  }

  async deleteEvents(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.xdel(EVENTS_KEY, ...ids);
  }

  /** Every job hash in Redis (for reconciliation with OurDB). */
  async jobKeys(): Promise<{ topic: string; jobId: number }[]> {
    return (await this.scanKeys("herojobs:*")).map(parseJobKey).filter((ref) => ref !== undefined);
  }

  /** Which of these jobs have a hash in Redis. */
  async existing(jobs: readonly JobRef[]): Promise<boolean[]> {
    if (jobs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const job of jobs) pipeline.exists(jobKey(job.topic, job.jobId));
    return ((await pipeline.exec()) ?? []).map(([, n]) => n === 1);
  }

  private async scanKeys(pattern: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await this.redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return [...new Set(keys)];
  }
}

function unplace(multi: Multi, job: JobRef): Multi {
  return multi
    .lrem(queueKey(job.topic, job.priority), 0, String(job.jobId))
    .zrem(DELAYED_KEY, delayedMember(job.topic, job.jobId));
}

/** Wake-up tokens per topic per transaction at most: more idle worker processes than this poll. */
const WAKE_UPS_MAX = 16;
