/** What one new version of a job may change, and the checks every change passes before it is stored. */
import { JobInvalidError, JobResultTooLargeError } from "../errors.js";
import { assertTransition, isJobStatus, type Job } from "./job.js";
import { boundErrorText, boundLogs } from "./job-logs.js";
import { PRIORITY_MAX, PRIORITY_MIN } from "./job-options.js";
import { utf8Bytes, VALUE_BYTES_MAX } from "./limits.js";

export type JobChanges = Partial<
  Pick<
    Job,
    | "status"
    | "result"
    | "error"
    | "startedAt"
    | "finishedAt"
    | "attempts"
    | "runAt"
    | "priority"
    | "workerId"
    | "progress"
    | "logs"
    | "logsDropped"
  >
>;

const WORKER_ID_MAX = 200;
const CHANGEABLE = new Set<string>([
  "status",
  "result",
  "error",
  "startedAt",
  "finishedAt",
  "attempts",
  "runAt",
  "priority",
  "workerId",
  "progress",
  "logs",
  "logsDropped",
]);

/** The job as the next version will store it; throws on a forbidden transition or a bad value. */
export function applyChanges(current: Job, changes: JobChanges, now: number): Job {
  const next: Job = { ...current, ...pickChanges(changes), version: current.version + 1, updatedAt: now };
  if (!isJobStatus(next.status)) throw new JobInvalidError(`unknown status ${String(next.status)}`);
  if (next.status !== current.status) assertTransition(current.jobId, current.status, next.status);
  if (next.result !== null) {
    if (typeof next.result !== "string") throw new JobInvalidError("result must be a string or null");
    const bytes = utf8Bytes(next.result);
    if (bytes > VALUE_BYTES_MAX) throw new JobResultTooLargeError(bytes, VALUE_BYTES_MAX);
  }
  if (next.error !== null) {
    if (typeof next.error !== "string") throw new JobInvalidError("error must be a string or null");
    next.error = boundErrorText(next.error);
  }
  checkTime("startedAt", next.startedAt, true);
  checkTime("finishedAt", next.finishedAt, true);
  checkTime("runAt", next.runAt, false);
  if (!(Number.isInteger(next.priority) && next.priority >= PRIORITY_MIN && next.priority <= PRIORITY_MAX)) {
    throw new JobInvalidError(`priority must be an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX}`);
  }
  if (!(Number.isInteger(next.attempts) && next.attempts >= 0)) {
    throw new JobInvalidError(`attempts must be a non-negative integer (got ${String(next.attempts)})`);
  }
  if (!(typeof next.progress === "number" && next.progress >= 0 && next.progress <= 100)) {
    throw new JobInvalidError(`progress must be a number from 0 to 100 (got ${String(next.progress)})`);
  }
  if (
    next.workerId !== null &&
    !(typeof next.workerId === "string" && next.workerId.length <= WORKER_ID_MAX)
  ) {
    throw new JobInvalidError(`workerId must be a string of at most ${WORKER_ID_MAX} characters or null`);
  }
  if (!Array.isArray(next.logs)) throw new JobInvalidError("logs must be an array of strings");
  Object.assign(next, boundLogs(next.logs, next.logsDropped));
  return next;
}

function checkTime(name: string, value: unknown, nullable: boolean): void {
  if (nullable && value === null) return;
  if (!(typeof value === "number" && Number.isFinite(value))) {
    throw new JobInvalidError(`${name} must be epoch milliseconds${nullable ? " or null" : ""}`);
  }
}

/** Identity fields (jobId, topic, params, createdAt, …) never change, whatever a caller passes. */
function pickChanges(changes: JobChanges): JobChanges {
  for (const key of Object.keys(changes)) {
    if (!CHANGEABLE.has(key)) throw new JobInvalidError(`a job's ${key} cannot be changed`);
  }
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
}
