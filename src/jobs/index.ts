/** The job system's public API (so far: the model and its OurDB store; Redis and workers come next). */

export type { Job } from "./job.js";
export { canTransition, isFinished, JOB_STATUSES, JobStatus } from "./job.js";
export type { JobChanges } from "./job-changes.js";
export type { JobListQuery } from "./job-list.js";
export { appendLogs } from "./job-logs.js";
export type { Backoff, CreateJobOptions, JobDefaults } from "./job-options.js";
export { backoffDelay, DEFAULT_JOB_DEFAULTS } from "./job-options.js";
export type { JobPage, JobStoreOptions } from "./job-store.js";
export { JobStore } from "./job-store.js";
export { isResultTooLarge, RESULT_TOO_LARGE, VALUE_BYTES_MAX } from "./limits.js";
