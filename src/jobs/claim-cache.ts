/**
 * The claims the JobManager can check without reading the job hash back from Redis.
 *
 * A worker's report counts only if the job hash still holds its token. For a job this manager
 * created and has not written to since, the hash's token can change only through claims, and a
 * claim writes the token and XADDs its `active` event in one transaction: so the token of the last
 * `active` event applied (events are applied in stream order per job) is the hash's token, and its
 * attempt the hash's attempts. Any other write to the hash by the manager (requeue, cancel, API
 * change, removal, the reaper putting a job back) makes the job unknown for good, and so does a
 * restart: those reports are checked against Redis, as always.
 */

/** Past this many jobs in flight, new ones are not tracked (they are checked against Redis). */
const TRACKED_MAX = 100_000;

export interface KnownClaim {
  token: string;
  attempt: number;
}

export class ClaimCache {
  /** Fresh jobs: created by this manager and untouched since; the claim once its event is applied. */
  private readonly jobs = new Map<number, KnownClaim | null>();

  /** The job was just created and queued by this manager (call before queueing it). */
  created(jobId: number): void {
    if (this.jobs.size < TRACKED_MAX) this.jobs.set(jobId, null);
  }

  /** A claim's `active` event was applied. A second claim (not expected) makes the job unknown. */
  claimed(jobId: number, token: string, attempt: number): void {
    if (!this.jobs.has(jobId)) return;
    if (this.jobs.get(jobId) === null) this.jobs.set(jobId, { token, attempt });
    else this.jobs.delete(jobId);
  }

  /** The manager wrote to the job's hash (or it left Redis): its claims are read from Redis from now on. */
  forget(jobId: number): void {
    this.jobs.delete(jobId);
  }

  /** The job's live claim, or undefined when it must be read from Redis. */
  get(jobId: number): KnownClaim | undefined {
    return this.jobs.get(jobId) ?? undefined;
  }
}
