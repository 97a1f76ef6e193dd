/**
 * The Job model: its fields, its four states and the status changes allowed between them.
 * Times are epoch milliseconds; `timeout` is in seconds (the seed's unit).
 */
import { JobTransitionError } from "../errors.js";
import type { Backoff } from "./job-options.js";

export const JobStatus = {
  New: "new",
  Active: "active",
  Done: "done",
  Error: "error",
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

export const JOB_STATUSES: readonly JobStatus[] = Object.values(JobStatus);

export interface Job {
  /** The job's OurDB id (auto-increment). */
  jobId: number;
  /** 1 for the version written at creation, +1 for every later version. */
  version: number;
  topic: string;
  params: string;
  status: JobStatus;
  result: string | null;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** When this version was written. */
  updatedAt: number;
  /** Seconds a handler may run before its signal aborts it. */
  timeout: number;
  attempts: number;
  maxAttempts: number;
  backoff: Backoff;
  /** Not picked up before this time (delay, runAt, retry backoff). */
  runAt: number;
  /** Higher runs first within a topic. */
  priority: number;
  workerId: string | null;
  /** 0 … 100. */
  progress: number;
  /** The last lines logged by the handler, bounded (see job-logs.ts). */
  logs: string[];
  /** Lines dropped from the front of `logs` to keep it bounded, so the cut is visible. */
  logsDropped: number;
}

/**
 * Status changes a new version may make. Besides the worker flow (new → active → done | error,
 * active → new for a retry or an expired lease, new → error for a cancel), new → done is
 * completeJob on a job no worker ran, error → new is retryJob, and done → error exists because
 * the seed's example calls failJob after completeJob and must succeed as written.
 */
const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  new: ["active", "done", "error"],
  active: ["done", "error", "new"],
  done: ["error"],
  error: ["new"],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(jobId: number, from: JobStatus, to: JobStatus): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from].join(", ");
  throw new JobTransitionError(
    `job ${jobId}: cannot go from ${from} to ${to} (from ${from} only: ${allowed})`,
  );
}

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === "string" && (JOB_STATUSES as readonly string[]).includes(value);
}

/** Terminal for the worker flow: such a job leaves Redis. */
export const isFinished = (status: JobStatus) => status === "done" || status === "error";
