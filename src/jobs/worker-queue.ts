/**
 * A worker's side of the protocol (docs/jobs-protocol.md): take a job with an atomic move into the
 * worker's processing list, claim it with a fresh lock token, and report what happened through the
 * event stream. A worker never changes a job's queue state itself; the JobManager does, after
 * checking the token, so a stale worker cannot finish a job it no longer owns.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { encodeEvent, type WorkerEvent } from "./job-events.js";
import { claimedJobFields, type RunningJob, runningJobFromHash } from "./job-hash.js";
import { cleanLogLine } from "./job-logs.js";
import { recoverTaken, TAKEN_FIELDS } from "./lanes.js";
import { LOG_LINES_MAX } from "./limits.js";
import {
  EVENTS_KEY,
  jobKey,
  lanesInOrder,
  leaseKey,
  logsKey,
  prioritiesKey,
  processingKey,
  WORKERS_KEY,
} from "./redis-keys.js";
import { type Multi, TickBatch } from "./tick-batch.js";

/** What a worker publishes about itself in `heroworkers` (the reaper reads `topics`). */
export interface WorkerInfo {
  workerId: string;
  topics: string[];
  concurrency: number;
  host: string;
  pid: number;
  startedAt: number;
}

export interface ClaimedJob {
  job: RunningJob;
  token: string;
}

/**
 * LMOVEs sent per round trip at most: enough to fill many slots at once, without a hundred empty
 * moves when one job wakes a worker with a hundred free slots.
 */
const MOVES_PER_ROUND = 16;

/** The hash fields a claim reads (HMGET: cheaper to parse than the whole hash). */
const CLAIM_FIELDS = [
  "jobId",
  "topic",
  "params",
  "status",
  "attempts",
  "timeout",
  "maxAttempts",
  "priority",
  "createdAt",
] as const;

/** CLAIM_FIELDS' values, as HMGET answers them. */
type Hash = (string | null)[];
/** Per moved id, its hash when already read (undefined: not read yet). */
type Hashes = (Hash | undefined)[];

function claimFields(values: readonly (string | null)[] | undefined): Record<string, string> {
  const hash: Record<string, string> = {};
  CLAIM_FIELDS.forEach((field, i) => {
    const value = values?.[i];
    if (value != null) hash[field] = value;
  });
  return hash;
}

/**
 * Lock tokens, one per claim: 96 random bits drawn once per queue, then a count. No two claims
 * share one, so a stale worker can never hold the live token (a draw per claim cost ~10 µs).
 */
class ClaimTokens {
  private readonly prefix = randomBytes(12).toString("hex");
  private count = 0;

  next(): string {
    return `${this.prefix}.${(this.count++).toString(36)}`;
  }
}

type Report = Exclude<WorkerEvent, { type: "active" | "progress" }>;

export class WorkerQueue {
  private readonly batch: TickBatch;
  private readonly tokens = new ClaimTokens();
  /** The non-zero priorities of each topic as last read (lanes change rarely). */
  private readonly priorities = new Map<string, number[]>();
  /**
   * LMOVEs for the next round: as many jobs as the last round saw waiting (at least one), so free
   * slots beyond the jobs there are do not cost an empty move each.
   */
  private moves = 1;
  /**
   * Per lane, the ids its next LMOVEs should return (its right end, read after the last round), and
   * whether that guess held last time: then the next round reads their hashes along with the moves.
   */
  private readonly ends = new Map<string, { ids: string[]; held: boolean }>();

  constructor(
    private readonly redis: Redis,
    readonly workerId: string,
  ) {
    this.batch = new TickBatch(redis);
  }

  /** Renews the lease and the worker's entry; the reaper treats a worker without a lease as dead. */
  async renewLease(info: WorkerInfo, leaseMs: number): Promise<void> {
    await this.batch.run((multi) =>
      multi
        .set(leaseKey(this.workerId), String(Date.now()), "PX", leaseMs)
        .hset(WORKERS_KEY, this.workerId, JSON.stringify(info)),
    );
  }

  /**
   * Puts right what this live worker holds but no longer runs: ids left in its processing lists by
   * a fetch that failed after its moves, or a report that gave up (the reaper only recovers dead
   * workers). Call it between fetches, with every id the worker runs or still reports in `held`.
   * Returns how many jobs were returned to their lane or reported lost.
   */
  async recoverOrphans(
    topics: readonly string[],
    held: ReadonlySet<number>,
    now = Date.now(),
  ): Promise<number> {
    const lists = (await this.batch.run((multi) => {
      for (const topic of topics) multi.lrange(processingKey(this.workerId, topic), 0, -1);
    })) as string[][];
    const orphans = topics.flatMap((topic, i) =>
      (lists[i] ?? []).filter((id) => !held.has(Number(id))).map((id) => ({ topic, id })),
    );
    if (orphans.length === 0) return 0;
    const hashes = (await this.batch.run((multi) => {
      for (const { topic, id } of orphans) multi.hmget(jobKey(topic, Number(id)), ...TAKEN_FIELDS);
    })) as (string | null)[][];
    let recovered = 0;
    await this.batch.run((multi) => {
      orphans.forEach(({ topic, id }, i) => {
        const jobId = Number(id);
        multi.lrem(processingKey(this.workerId, topic), 1, id);
        const taken = { topic, jobId, workerId: this.workerId };
        const outcome = recoverTaken(multi, taken, hashes[i] ?? [], (token) => {
          const event = { type: "lost", jobId, topic, token, workerId: this.workerId, time: now } as const;
          multi.xadd(EVENTS_KEY, "*", ...encodeEvent({ ...event, reason: "worker lost track of it" }));
        });
        if (outcome) recovered++;
      });
    });
    return recovered;
  }

  /** Called on a clean stop once nothing is held: the worker leaves without anything to reap. */
  async deregister(): Promise<void> {
    await this.batch.run((multi) => multi.del(leaseKey(this.workerId)).hdel(WORKERS_KEY, this.workerId));
  }

  /**
   * Takes and claims up to `max` jobs of `topics` (tried from `start`, round robin), highest
   * priority lane first. Empty when every lane is empty.
   *
   * The first round trip reads every topic's priority lanes and, in the same transaction, already
   * moves jobs from the lane the first topic's last known priorities put first. If its lanes
   * changed meanwhile (a higher priority appeared), those jobs go back where they were, in order.
   */
  async fetch(topics: readonly string[], start: number, max = 1): Promise<ClaimedJob[]> {
    const claimed: ClaimedJob[] = [];
    if (topics.length === 0) return claimed;
    const first = topics[start % topics.length] as string;
    const guess = lanesInOrder(first, this.priorities.get(first) ?? [])[0] as string;
    const processing = processingKey(this.workerId, first);
    const firstRound = Math.min(max, this.moves);
    const round = await this.move(first, guess, firstRound, max, topics.length, (multi) => {
      for (const topic of topics) multi.zrange(prioritiesKey(topic), "0", "-1");
    });
    for (const [i, topic] of topics.entries()) {
      this.priorities.set(topic, ((round.before[i] as string[] | undefined) ?? []).map(Number));
    }
    const moved = round.ids;
    let guessed = lanesInOrder(first, this.priorities.get(first) ?? [])[0] === guess;
    if (guessed) claimed.push(...(await this.claim(first, moved, round.hashes)));
    else if (moved.length > 0) await this.putBack(processing, guess, moved.length);
    guessed &&= round.empty; // the guessed lane is known to be empty now
    for (let i = 0; i < topics.length && claimed.length < max; i++) {
      const topic = topics[(start + i) % topics.length] as string;
      for (const lane of lanesInOrder(topic, this.priorities.get(topic) ?? [])) {
        if (guessed && topic === first && lane === guess) continue;
        await this.takeFromLane(topic, lane, max, claimed);
        if (claimed.length >= max) break;
      }
    }
    return claimed;
  }

  /**
   * One round trip: `count` LMOVEs from `lane` (after `before`'s `beforeCount` commands), the
   * lane's new right end (up to `look` ids) for the next round, and, when the last guess of that
   * end held, the hashes of the jobs it promised, so their claim needs no read of its own.
   */
  private async move(
    topic: string,
    lane: string,
    count: number,
    look: number,
    beforeCount = 0,
    before?: (multi: Multi) => void,
  ): Promise<{ ids: string[]; hashes: Hashes; empty: boolean; before: unknown[] }> {
    const processing = processingKey(this.workerId, topic);
    const end = this.ends.get(lane);
    const promised = end?.held ? end.ids.slice(0, count) : [];
    const replies = await this.batch.run((multi) => {
      before?.(multi);
      for (let i = 0; i < count; i++) multi.lmove(lane, processing, "RIGHT", "LEFT");
      for (const id of promised) multi.hmget(jobKey(topic, Number(id)), ...CLAIM_FIELDS);
      multi.lrange(lane, -Math.max(1, Math.min(MOVES_PER_ROUND, look)), -1);
    });
    const ids = replies
      .slice(beforeCount, beforeCount + count)
      .filter((id): id is string => typeof id === "string");
    const read = replies.slice(beforeCount + count, beforeCount + count + promised.length) as Hash[];
    const next = (replies[replies.length - 1] as string[]).reverse(); // LMOVE takes the right end first
    // A miss (another worker took them) stops the reads until a guess holds again.
    const held = end !== undefined && ids.every((id, i) => end.ids[i] === undefined || end.ids[i] === id);
    this.ends.set(lane, { ids: next, held });
    this.moves = Math.max(1, next.length);
    const byId = new Map(promised.map((id, i) => [id, read[i]]));
    // Empty after the moves: the jobs just taken start without another look at the lane.
    return { ids, hashes: ids.map((id) => byId.get(id)), empty: next.length === 0, before: replies };
  }

  /** Undoes the last `count` LMOVEs from `lane`: the jobs go back to its head, in their order. */
  private async putBack(processing: string, lane: string, count: number): Promise<void> {
    await this.batch.run((multi) => {
      for (let i = 0; i < count; i++) multi.lmove(processing, lane, "LEFT", "RIGHT");
    });
  }

  /** Moves up to `max - claimed.length` jobs from the lane, a round trip per round, and claims them. */
  private async takeFromLane(topic: string, lane: string, max: number, claimed: ClaimedJob[]): Promise<void> {
    while (claimed.length < max) {
      const wanted = Math.min(max - claimed.length, this.moves);
      const { ids, hashes, empty } = await this.move(topic, lane, wanted, max - claimed.length);
      claimed.push(...(await this.claim(topic, ids, hashes)));
      if (empty) return;
    }
  }

  /**
   * Marks the jobs active with a fresh token each and reports them. An id whose job is not there to
   * run (cancelled or finished meanwhile, or not a job at all) is dropped from the processing list.
   */
  private async claim(topic: string, ids: readonly string[], known: Hashes = []): Promise<ClaimedJob[]> {
    if (ids.length === 0) return [];
    const processing = processingKey(this.workerId, topic);
    const unread = ids.filter((_, i) => known[i] === undefined);
    const read =
      unread.length === 0
        ? []
        : ((await this.batch.run((multi) => {
            for (const id of unread) multi.hmget(jobKey(topic, Number(id)), ...CLAIM_FIELDS);
          })) as Hash[]);
    let r = 0;
    const hashes = ids.map((_, i) => known[i] ?? read[r++]);
    const now = Date.now();
    const claimed: ClaimedJob[] = [];
    await this.batch.run((multi) => {
      ids.forEach((id, i) => {
        const hash = claimFields(hashes[i]);
        const attempt = (Number(hash.attempts) || 0) + 1;
        const job =
          hash.status === "new" && String(hash.jobId) === id ? runningJobFromHash(hash, attempt) : undefined;
        if (!job) {
          multi.lrem(processing, 1, id);
          return;
        }
        const token = this.tokens.next();
        multi
          .hset(jobKey(topic, job.jobId), {
            ...claimedJobFields(token, this.workerId, now),
            attempts: String(attempt),
          })
          .xadd(EVENTS_KEY, "*", ...encodeEvent({ type: "active", ...this.base(job, token, now), attempt }));
        claimed.push({ job, token });
      });
    });
    return claimed;
  }

  /** Removes the job from the processing list and reports the outcome, in one transaction. */
  async report(event: Report): Promise<void> {
    await this.batch.run((multi) =>
      multi
        .lrem(processingKey(this.workerId, event.topic), 1, String(event.jobId))
        .xadd(EVENTS_KEY, "*", ...encodeEvent(event)),
    );
  }

  async progress(job: RunningJob, token: string, progress: number): Promise<void> {
    const now = Date.now();
    await this.batch.run((multi) =>
      multi
        .hset(jobKey(job.topic, job.jobId), "progress", String(progress))
        .xadd(EVENTS_KEY, "*", ...encodeEvent({ type: "progress", ...this.base(job, token, now), progress })),
    );
  }

  async log(job: RunningJob, line: string): Promise<void> {
    const key = logsKey(job.topic, job.jobId);
    await this.batch.run((multi) => multi.rpush(key, cleanLogLine(line)).ltrim(key, -LOG_LINES_MAX, -1));
  }

  /** For each job: still ours (same token), cancelled, or taken from us (hash gone or token changed). */
  async ownership(jobs: readonly ClaimedJob[]): Promise<("ours" | "cancelled" | "lost")[]> {
    if (jobs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { job } of jobs) pipeline.hmget(jobKey(job.topic, job.jobId), "token", "cancel");
    const replies = (await pipeline.exec()) ?? [];
    return jobs.map(({ token }, i) => {
      const [current, cancel] = (replies[i]?.[1] as (string | null)[] | undefined) ?? [];
      if (current !== token) return "lost";
      return cancel === "1" ? "cancelled" : "ours";
    });
  }

  base(job: RunningJob, token: string, time: number) {
    return { jobId: job.jobId, topic: job.topic, token, workerId: this.workerId, time };
  }
}
