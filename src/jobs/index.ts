/** The job system's public API: the JobManager, workers for any process, the model and the store. */

export { builtinHandlers, echoHandler, shellHandler, sleepHandler } from "./handlers/index.js";
export type { Job } from "./job.js";
export { canTransition, isFinished, JOB_STATUSES, JobStatus } from "./job.js";
export type { JobChanges } from "./job-changes.js";
export type { JobClientOptions } from "./job-client.js";
export { JobClient, JobManagerUnavailableError } from "./job-client.js";
export type { WorkerEvent } from "./job-events.js";
export type { RunningJob } from "./job-hash.js";
export type { JobListQuery } from "./job-list.js";
export { appendLogs } from "./job-logs.js";
export type { JobEvent, JobManagerEvents, JobManagerOptions } from "./job-manager.js";
export { JobManager } from "./job-manager.js";
export type { Backoff, CreateJobOptions, JobDefaults } from "./job-options.js";
export { backoffDelay, DEFAULT_JOB_DEFAULTS } from "./job-options.js";
export type { JobReply, JobRequestOp, JobRequestServerOptions } from "./job-requests.js";
export { JOB_REQUEST_OPS, JobRequestServer, REQUEST_ARGS_BYTES_MAX, WAIT_MAX_MS } from "./job-requests.js";
export type { JobPage, JobStoreOptions } from "./job-store.js";
export { JobStore } from "./job-store.js";
export { isResultTooLarge, RESULT_TOO_LARGE, VALUE_BYTES_MAX } from "./limits.js";
export type { RedisTarget } from "./redis-client.js";
export * as redisKeys from "./redis-keys.js";
export type { SocketTarget } from "./socket-connection.js";
export type { JobContext, JobHandler, JobWorkerOptions } from "./worker.js";
export { JobAbort, JobWorker } from "./worker.js";
