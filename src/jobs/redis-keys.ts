/**
 * Every Redis key, channel and stream of the job system, in one place. docs/jobs-protocol.md
 * describes them for workers in other languages; keep the two in step.
 *
 * Topics and worker ids never contain ':' (see TOPIC_PATTERN and WORKER_ID_PATTERN), so every key
 * below splits back into its parts unambiguously.
 */

/** The job hash of a new or active job: `herojobs:<topic>:<jobId>` (the seed's key). */
export const jobKey = (topic: string, jobId: number) => `herojobs:${topic}:${jobId}`;

/** Log lines of a running job (a list, newest last, bounded). Removed with the job hash. */
export const logsKey = (topic: string, jobId: number) => `herojobs:${topic}:${jobId}:logs`;

/**
 * The ready list of a topic at one priority: jobIds, pushed on the left, taken from the right.
 * Priority 0 is the seed's `heroqueue:<topic>`; other priorities get a lane of their own.
 */
export const queueKey = (topic: string, priority = 0) =>
  priority === 0 ? `heroqueue:${topic}` : `heroqueue:${topic}:p${priority}`;

/** Sorted set of the non-zero priorities that have a lane in a topic (member and score: the priority). */
export const prioritiesKey = (topic: string) => `heroqueue:${topic}:priorities`;

/** A hint list workers block on (BLPOP) so pickup does not wait for a poll tick; bounded. */
export const notifyKey = (topic: string) => `heronotify:${topic}`;
export const NOTIFY_TOKENS_MAX = 1000;

/** Sorted set of jobs waiting for their runAt (delay, retry backoff): member `<topic>:<jobId>`. */
export const DELAYED_KEY = "herodelayed";
export const delayedMember = (topic: string, jobId: number) => `${topic}:${jobId}`;

/** A worker's processing list for one topic: the jobs it took with LMOVE and has not reported yet. */
export const processingKey = (workerId: string, topic: string) => `heroprocessing:${workerId}:${topic}`;

/** A worker's lease: exists while the worker is alive (renewed with PX), gone when it died. */
export const leaseKey = (workerId: string) => `herolease:${workerId}`;

/** Hash workerId → JSON WorkerInfo of every worker that may hold jobs (removed once it is cleaned up). */
export const WORKERS_KEY = "heroworkers";

/** The stream of worker events the JobManager persists to OurDB (see job-events.ts). */
export const EVENTS_KEY = "heroevents";

/** Pub/sub channel: a jobId whose handler must stop (cancelled, or finished by the API). */
export const CANCEL_CHANNEL = "herocancel";

/** Parses a job key back into its topic and id; undefined for the logs list and anything else. */
export function parseJobKey(key: string): { topic: string; jobId: number } | undefined {
  const match = /^herojobs:([^:]+):([1-9]\d*)$/.exec(key);
  return match ? { topic: match[1] as string, jobId: Number(match[2]) } : undefined;
}

export function parseDelayedMember(member: string): { topic: string; jobId: number } | undefined {
  const match = /^([^:]+):([1-9]\d*)$/.exec(member);
  return match ? { topic: match[1] as string, jobId: Number(match[2]) } : undefined;
}

/** Ready lanes of a topic in the order workers take from them: highest priority first. */
export function lanesInOrder(topic: string, priorities: readonly number[]): string[] {
  const sorted = [...new Set([0, ...priorities])].sort((a, b) => b - a);
  return sorted.map((priority) => queueKey(topic, priority));
}

/**
 * The stream of job requests (JobClient → JobRequestServer, see job-requests.ts): entries with
 * `id` (the client's request id), `op` and `args` (JSON). Deleted once answered.
 */
export const REQUESTS_KEY = "herorequests";

/** The reply list of one request: one JSON reply pushed by the server, expiring after REPLY_TTL_SECONDS. */
export const replyKey = (requestId: string) => `heroreplies:${requestId}`;
export const REPLY_TTL_SECONDS = 60;

/** Request ids: letters, digits and '-' (a UUID fits), so the reply key stays well-formed. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9-]{1,128}$/;
