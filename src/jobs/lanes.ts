/**
 * Putting job ids onto their lanes inside a transaction, and waking idle workers: shared by the
 * JobManager (queueing, requeueing, the reaper) and by a worker putting back what it lost track of.
 */
import type { Job } from "./job.js";
import { NOTIFY_TOKENS_MAX, notifyKey, prioritiesKey, queueKey } from "./redis-keys.js";
import type { Multi } from "./tick-batch.js";

/** What places a job in Redis: its hash key and its lane. */
export type JobRef = Pick<Job, "jobId" | "topic" | "priority">;

/** At the tail of its lane: taken after the jobs already waiting. */
export function pushReady(multi: Multi, job: JobRef): Multi {
  if (job.priority !== 0) multi.zadd(prioritiesKey(job.topic), job.priority, String(job.priority));
  return notify(multi.lpush(queueKey(job.topic, job.priority), String(job.jobId)), job.topic);
}

/** Back where LMOVE took it from (the right end), so it is the next one taken. */
export function returnToHead(multi: Multi, job: JobRef): Multi {
  return notify(multi.rpush(queueKey(job.topic, job.priority), String(job.jobId)), job.topic);
}

/** Wake-up tokens for the topic's idle workers (a bounded list: tokens are hints, not jobs). */
export function notify(multi: Multi, topic: string, count = 1): Multi {
  const tokens = Array.from({ length: count }, () => "1");
  return multi.lpush(notifyKey(topic), ...tokens).ltrim(notifyKey(topic), 0, NOTIFY_TOKENS_MAX - 1);
}

/** The hash fields `recoverTaken` decides from, in this order (HMGET). */
export const TAKEN_FIELDS = ["status", "token", "priority", "workerId"] as const;

/**
 * What becomes of a job id left in `workerId`'s processing list that nobody runs (the worker died,
 * or lost track of it), decided from its hash (TAKEN_FIELDS): taken but never claimed, it goes back
 * to the head of its lane; claimed by that worker, a "lost" event makes the manager retry it with
 * the attempt counted; anything else (finished, cancelled, claimed by another worker) is left alone.
 * The caller removes the id from the processing list in the same transaction.
 */
export function recoverTaken(
  multi: Multi,
  taken: { topic: string; jobId: number; workerId: string },
  hash: readonly (string | null)[],
  lost: (token: string) => void,
): "returned" | "lost" | undefined {
  const [status, token, priority, claimedBy] = hash;
  if (status === "new" && !token) {
    returnToHead(multi, { topic: taken.topic, jobId: taken.jobId, priority: Number(priority) || 0 });
    return "returned";
  }
  if (token && (!claimedBy || claimedBy === taken.workerId)) {
    lost(token);
    return "lost";
  }
  return undefined;
}
