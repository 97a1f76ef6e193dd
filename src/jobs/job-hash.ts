/**
 * The job hash `herojobs:<topic>:<jobId>`: what Redis holds of a new or active job, and what a
 * worker (in this process, in another one, or in another language) reads to run it.
 */
import type { Job, JobStatus } from "./job.js";

/** What a handler is given: the job as a worker sees it (no OurDB access needed). */
export interface RunningJob {
  jobId: number;
  topic: string;
  params: string;
  /** Seconds before the handler's signal aborts it. */
  timeout: number;
  /** This run's number, 1 for the first run. */
  attempt: number;
  maxAttempts: number;
  priority: number;
  createdAt: number;
}

/** Hash fields written when a job is queued (again). token and workerId are empty until a claim. */
export function queuedJobFields(job: Job): Record<string, string> {
  return {
    jobId: String(job.jobId),
    topic: job.topic,
    params: job.params,
    status: "new",
    priority: String(job.priority),
    timeout: String(job.timeout),
    attempts: String(job.attempts),
    maxAttempts: String(job.maxAttempts),
    runAt: String(job.runAt),
    createdAt: String(job.createdAt),
    token: "",
    workerId: "",
    startedAt: "",
    progress: "0",
    cancel: "",
  };
}

/** The fields a worker sets when it claims a job (attempts is incremented beside them). */
export function claimedJobFields(token: string, workerId: string, now: number): Record<string, string> {
  return { status: "active", token, workerId, startedAt: String(now), progress: "0" };
}

/** Fields set when a job goes back to new (retry, expired lease, released by a stopping worker). */
export function requeuedJobFields(runAt: number, attempts: number): Record<string, string> {
  return {
    status: "new",
    token: "",
    workerId: "",
    startedAt: "",
    runAt: String(runAt),
    attempts: String(attempts),
  };
}

/** Reads a hash from HGETALL into a RunningJob; undefined when the hash is gone or malformed. */
export function runningJobFromHash(hash: Record<string, string>, attempt: number): RunningJob | undefined {
  const jobId = Number(hash.jobId);
  if (!(Number.isInteger(jobId) && jobId > 0) || hash.topic === undefined || hash.params === undefined) {
    return undefined;
  }
  return {
    jobId,
    topic: hash.topic,
    params: hash.params,
    timeout: Number(hash.timeout) || 60,
    attempt,
    maxAttempts: Number(hash.maxAttempts) || 1,
    priority: Number(hash.priority) || 0,
    createdAt: Number(hash.createdAt) || 0,
  };
}

export type HashStatus = Extract<JobStatus, "new" | "active">;
