/**
 * Turns worker events into job versions in OurDB and the matching Redis changes. This is where a
 * lock token is checked: done, failed, released and lost count only when the job hash still holds
 * the token the event carries. A worker whose lease expired (the reaper reported it lost, clearing
 * the token) or whose job was finished through the API is refused, so exactly one outcome of a run
 * is stored.
 *
 * Applying an event twice (the manager crashed before deleting it from the stream) stores nothing
 * twice: each case checks whether OurDB already shows it.
 */
import { JobResultTooLargeError } from "../errors.js";
import { isFinished, type Job, JobStatus } from "./job.js";
import type { JobChanges } from "./job-changes.js";
import type { WorkerEvent } from "./job-events.js";
import { backoffDelay } from "./job-options.js";
import type { JobStore } from "./job-store.js";
import type { KeyedLock } from "./keyed-lock.js";
import { RESULT_TOO_LARGE } from "./limits.js";
import type { LiveJob, RedisJobManager } from "./redis-job-manager.js";

export interface AppliedHooks {
  /** A version was stored (previous: the status before it). */
  stored(job: Job, previous: JobStatus): void;
  progress(jobId: number, progress: number): void;
  /** A job was put in the delayed set until `runAt` (a retry's backoff). */
  scheduled(runAt: number): void;
  /** An event was refused (stale token, job already finished); for logs and tests. */
  refused(event: WorkerEvent, why: string): void;
}

type Outcome = Extract<WorkerEvent, { type: "failed" | "released" | "lost" }>;

export class EventApplier {
  constructor(
    private readonly store: JobStore,
    private readonly redis: RedisJobManager,
    private readonly lock: KeyedLock<number>,
    private readonly hooks: AppliedHooks,
  ) {}

  apply(event: WorkerEvent): Promise<void> {
    if (event.type === "progress") {
      this.hooks.progress(event.jobId, event.progress);
      return Promise.resolve();
    }
    return this.lock.run(event.jobId, () => {
      switch (event.type) {
        case "active":
          return this.active(event);
        case "done":
          return this.done(event);
        default:
          return this.outcome(event);
      }
    });
  }

  private async active(event: Extract<WorkerEvent, { type: "active" }>): Promise<void> {
    const job = await this.store.get(event.jobId);
    if (isFinished(job.status)) {
      // Claimed after it was cancelled or finished: drop what the claim recreated, stop the worker.
      await this.redis.remove(job, { queued: false, signal: true });
      return this.hooks.refused(event, `job is already ${job.status}`);
    }
    if (job.status === JobStatus.Active && job.attempts >= event.attempt) return; // applied before
    await this.update(job, {
      status: JobStatus.Active,
      attempts: event.attempt,
      startedAt: event.time,
      finishedAt: null,
      workerId: event.workerId,
      progress: 0,
    });
  }

  private async done(event: Extract<WorkerEvent, { type: "done" }>): Promise<void> {
    const job = await this.store.get(event.jobId);
    const live = await this.redis.live(job);
    if (live.token !== event.token) return this.hooks.refused(event, "lock token no longer valid");
    if (!isFinished(job.status)) {
      const running = await this.ensureActive(job, event);
      const finished = { finishedAt: event.time, workerId: event.workerId, progress: 100, logs: live.logs };
      try {
        await this.update(running, { ...finished, status: JobStatus.Done, result: event.result });
      } catch (error) {
        if (!(error instanceof JobResultTooLargeError)) throw error;
        await this.update(running, { ...finished, status: JobStatus.Error, error: RESULT_TOO_LARGE });
      }
    }
    await this.redis.remove(job, { queued: false, signal: false });
  }

  /** failed, released or lost: retry while attempts remain (and it was not cancelled), else error. */
  private async outcome(event: Outcome): Promise<void> {
    const job = await this.store.get(event.jobId);
    const live = await this.redis.live(job);
    if (!live.exists || live.token !== event.token)
      return this.hooks.refused(event, "lock token no longer valid");
    if (isFinished(job.status)) return this.redis.remove(job, { queued: false, signal: false });
    const error = errorText(event, live);
    const final = live.cancel || (event.type === "failed" && event.final);
    // A released run was interrupted by a stopping worker and does not count.
    const attempts = event.type === "released" ? Math.max(0, live.attempts - 1) : live.attempts;
    if (final || attempts >= job.maxAttempts) {
      const running = await this.ensureActive(job, event);
      await this.update(running, { status: JobStatus.Error, error, finishedAt: event.time, logs: live.logs });
      return this.redis.remove(job, { queued: false, signal: false });
    }
    const wait = event.type === "failed" ? backoffDelay(job.backoff, attempts) : 0;
    const runAt = Date.now() + wait;
    if (job.status !== JobStatus.New) {
      await this.update(job, {
        status: JobStatus.New,
        error,
        runAt,
        attempts,
        workerId: null,
        logs: live.logs,
      });
    }
    await this.redis.requeue(job, runAt, attempts);
    this.hooks.scheduled(runAt);
  }

  /** A run's outcome is stored from active; if its active event was never stored, store it first. */
  private async ensureActive(job: Job, event: WorkerEvent): Promise<Job> {
    if (job.status !== JobStatus.New) return job;
    return this.update(job, { status: JobStatus.Active, startedAt: event.time, workerId: event.workerId });
  }

  private async update(job: Job, changes: JobChanges): Promise<Job> {
    const next = await this.store.update(job.jobId, () => changes);
    this.hooks.stored(next, job.status);
    return next;
  }
}

function errorText(event: Outcome, live: LiveJob): string {
  if (live.cancel) return "cancelled";
  if (event.type === "failed") return event.error;
  return event.type === "lost" ? `${event.reason} (worker ${event.workerId})` : event.reason;
}
