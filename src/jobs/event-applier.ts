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
import { isFinished, type Job, JobStatus } from "./job.js";
import type { WorkerEvent } from "./job-events.js";
import { backoffDelay } from "./job-options.js";
import type { JobStore } from "./job-store.js";
import type { KeyedLock } from "./keyed-lock.js";
import { isResultTooLarge, RESULT_TOO_LARGE } from "./limits.js";
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
    let finished = false;
    const { before, after } = await this.store.change(event.jobId, (job) => {
      finished = isFinished(job.status);
      if (finished) return undefined;
      if (job.status === JobStatus.Active && job.attempts >= event.attempt) return undefined; // applied before
      return {
        status: JobStatus.Active,
        attempts: event.attempt,
        startedAt: event.time,
        finishedAt: null,
        workerId: event.workerId,
        progress: 0,
      };
    });
    if (after) this.hooks.stored(after, before.status);
    if (!finished) this.redis.claims.claimed(event.jobId, event.token, event.attempt);
    if (finished) {
      // Claimed after it was cancelled or finished: drop what the claim recreated, stop the worker.
      await this.redis.remove(before, { queued: false, signal: true });
      this.hooks.refused(event, `job is already ${before.status}`);
    }
  }

  private async done(event: Extract<WorkerEvent, { type: "done" }>): Promise<void> {
    const live = await this.redis.reported(event);
    if (live.token !== event.token) return this.hooks.refused(event, "lock token no longer valid");
    const { result } = event;
    const { before, after } = await this.store.change(event.jobId, (job) => {
      if (isFinished(job.status)) return undefined; // stored before a crash; only Redis is left to do
      const finished = { finishedAt: event.time, workerId: event.workerId, progress: 100, logs: live.logs };
      return result !== null && isResultTooLarge(result)
        ? { ...finished, status: JobStatus.Error, error: RESULT_TOO_LARGE }
        : { ...finished, status: JobStatus.Done, result };
    });
    if (after) this.hooks.stored(after, before.status);
    await this.redis.remove(before, { queued: false, signal: false });
  }

  /** failed, released or lost: retry while attempts remain (and it was not cancelled), else error. */
  private async outcome(event: Outcome): Promise<void> {
    const live = await this.redis.reported(event);
    if (!live.exists || live.token !== event.token)
      return this.hooks.refused(event, "lock token no longer valid");
    const error = errorText(event, live);
    const final = live.cancel || (event.type === "failed" && event.final);
    // A released run was interrupted by a stopping worker and does not count.
    const attempts = event.type === "released" ? Math.max(0, live.attempts - 1) : live.attempts;
    let retryAt: number | undefined;
    const { before, after } = await this.store.change(event.jobId, (job) => {
      if (isFinished(job.status)) return undefined;
      if (final || attempts >= job.maxAttempts) {
        return { status: JobStatus.Error, error, finishedAt: event.time, logs: live.logs };
      }
      retryAt = Date.now() + (event.type === "failed" ? backoffDelay(job.backoff, attempts) : 0);
      if (job.status === JobStatus.New) return undefined; // stored before a crash
      return { status: JobStatus.New, error, runAt: retryAt, attempts, workerId: null, logs: live.logs };
    });
    if (after) this.hooks.stored(after, before.status);
    if (retryAt === undefined) return this.redis.remove(before, { queued: false, signal: false });
    await this.redis.requeue(before, retryAt, attempts);
    this.hooks.scheduled(retryAt);
  }
}

function errorText(event: Outcome, live: LiveJob): string {
  if (live.cancel) return "cancelled";
  if (event.type === "failed") return event.error;
  return event.type === "lost" ? `${event.reason} (worker ${event.workerId})` : event.reason;
}
