/**
 * Reconciliation at start: OurDB is the truth about which jobs exist and how they ended; Redis is
 * the truth about where unfinished jobs wait. After a crash the two can disagree:
 * - a job new or active in OurDB has no hash in Redis (the embedded Redis restarted empty, or the
 *   process died between the OurDB write and the Redis write): it is queued again — a job that was
 *   running counts that run, and fails with "interrupted" if it has no attempts left;
 * - a job finished in OurDB still has a hash (died before the Redis cleanup): the hash goes.
 * Hashes of ids this store does not know are left alone (another installation may share the Redis).
 */
import { JobNotFoundError } from "../errors.js";
import { isFinished, type Job, JobStatus } from "./job.js";
import type { JobStore } from "./job-store.js";
import type { KeyedLock } from "./keyed-lock.js";
import type { RedisJobManager } from "./redis-job-manager.js";

export interface ReconcileCounts {
  requeued: number;
  removed: number;
  unknown: number;
}

const PAGE = 1000;

export async function reconcile(
  store: JobStore,
  redis: RedisJobManager,
  lock: KeyedLock<number>,
  stored: (job: Job, previous: JobStatus) => void,
): Promise<ReconcileCounts> {
  const counts: ReconcileCounts = { requeued: 0, removed: 0, unknown: 0 };
  for (const ref of await redis.jobKeys()) {
    const job = await store.get(ref.jobId).catch((error) => {
      if (error instanceof JobNotFoundError) return undefined;
      throw error;
    });
    if (!job || job.topic !== ref.topic) counts.unknown++;
    else if (isFinished(job.status)) {
      await redis.remove(job, { queued: true, signal: true });
      counts.removed++;
    }
  }
  let cursor: string | undefined;
  do {
    const page = await store.list({ status: ["new", "active"], limit: PAGE, cursor, scanLimit: 100 * PAGE });
    const inRedis = await redis.existing(page.jobs);
    for (const [i, job] of page.jobs.entries()) {
      if (inRedis[i]) continue;
      await lock.run(job.jobId, () => requeueLost(store, redis, job, stored));
      counts.requeued++;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return counts;
}

async function requeueLost(
  store: JobStore,
  redis: RedisJobManager,
  job: Job,
  stored: (job: Job, previous: JobStatus) => void,
): Promise<void> {
  if (job.status === JobStatus.New) return redis.enqueue(job);
  const now = Date.now();
  const error = "interrupted: Redis lost the job while it ran";
  if (job.attempts >= job.maxAttempts) {
    const failed = await store.update(job.jobId, () => ({ status: JobStatus.Error, error, finishedAt: now }));
    return stored(failed, job.status);
  }
  const next = await store.update(job.jobId, () => ({
    status: JobStatus.New,
    error,
    runAt: now,
    workerId: null,
  }));
  stored(next, job.status);
  await redis.enqueue(next, now);
}
