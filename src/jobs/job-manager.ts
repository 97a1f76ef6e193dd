/**
 * JobManager: the job system's API (the seed's CreateJob, GetJob, UpdateJobStatus, CompleteJob,
 * FailJob, and what real queues add) and the only writer of job records. A job goes to OurDB first
 * (its id is the OurDB id), then to Redis; workers report through the event stream and this class
 * stores what they report (see event-applier.ts). Its background loops: apply worker events, move
 * delayed jobs whose time has come, and recover the jobs of workers whose lease expired.
 */
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import { JobManagerUnavailableError, JobTransitionError, JobWaitTimeoutError } from "../errors.js";
import { EventApplier } from "./event-applier.js";
import { isFinished, type Job, JobStatus } from "./job.js";
import type { JobChanges } from "./job-changes.js";
import type { JobListQuery } from "./job-list.js";
import type { CreateJobOptions, JobDefaults } from "./job-options.js";
import { type JobPage, JobStore } from "./job-store.js";
import { KeyedLock } from "./keyed-lock.js";
import { ManagerLoops } from "./manager-loops.js";
import { reconcile } from "./reconcile.js";
import { closeRedis, connectRedis, type RedisTarget } from "./redis-client.js";
import { RedisJobManager } from "./redis-job-manager.js";
import { type JobHandler, JobWorker } from "./worker.js";

export interface JobManagerOptions {
  /** The job store folder (OurDB), or an open JobStore the caller keeps ownership of. */
  store: string | JobStore;
  redis: RedisTarget;
  defaults?: JobDefaults;
  /** In-process worker slots; 0 runs no in-process worker (remote workers only). */
  workerCount: number;
  /** Milliseconds: the longest a worker or the manager's loops wait before looking again. */
  pollInterval: number;
  /** Milliseconds after which a silent worker's jobs go back to the queue. */
  leaseTimeout: number;
  log?: (
    level: "debug" | "info" | "warn" | "error",
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
}

/** Emitted as "job" for every stored version. */
export interface JobEvent {
  job: Job;
  /** The status before this version; null when the job was just created. */
  previous: JobStatus | null;
}

export interface JobManagerEvents {
  job: [JobEvent];
  progress: [{ jobId: number; progress: number }];
}

export class JobManager extends EventEmitter<JobManagerEvents> {
  private readonly lock = new KeyedLock<number>();
  private readonly applier: EventApplier;
  private readonly worker?: JobWorker;
  private readonly loops: ManagerLoops;
  private closing = false;
  private closed?: Promise<void>;
  /** Pending waitForJob calls by job: settled by one "job" listener, rejected when the manager closes. */
  private readonly waits = new Map<number, Set<(error: unknown, job?: Job) => void>>();

  private constructor(
    readonly store: JobStore,
    private readonly ownsStore: boolean,
    private readonly redis: RedisJobManager,
    private readonly connections: { commands: Redis; events: Redis; watcher: Redis },
    private readonly options: JobManagerOptions,
  ) {
    super();
    // One listener serves every waitForJob, however many are pending.
    this.on("job", ({ job }) => {
      if (!isFinished(job.status)) return;
      for (const finish of [...(this.waits.get(job.jobId) ?? [])]) finish(undefined, job);
    });
    this.applier = new EventApplier(store, redis, this.lock, {
      stored: (job, previous) => this.emit("job", { job, previous }),
      progress: (jobId, progress) => this.emit("progress", { jobId, progress }),
      scheduled: (runAt) => this.loops.scheduled(runAt),
      refused: (event, why) => this.log("debug", "worker event refused", { ...event, why }),
    });
    this.loops = new ManagerLoops(redis, connections, (event) => this.applier.apply(event), options);
    if (options.workerCount > 0) {
      this.worker = new JobWorker({
        redis: options.redis,
        concurrency: options.workerCount,
        pollInterval: options.pollInterval,
        leaseTimeout: options.leaseTimeout,
        log: (level, message, fields) => this.log(level, message, fields),
      });
    }
  }

  /**
   * Opens the store, connects to Redis, applies the events left in the stream, reconciles OurDB
   * with Redis (jobs Redis lost are queued again), then starts the loops and the in-process worker.
   */
  static async open(options: JobManagerOptions): Promise<JobManager> {
    const ownsStore = typeof options.store === "string";
    const store =
      typeof options.store === "string"
        ? await JobStore.open({ path: options.store, defaults: options.defaults })
        : options.store;
    const onError = (message: string) => options.log?.("warn", message);
    const commands = connectRedis(options.redis, "jobs", onError);
    const events = connectRedis(options.redis, "jobs-events", onError);
    const watcher = connectRedis(options.redis, "jobs-reaper", onError);
    const manager = new JobManager(
      store,
      ownsStore,
      new RedisJobManager(commands, watcher),
      { commands, events, watcher },
      options,
    );
    try {
      await manager.startUp();
    } catch (error) {
      await manager.close();
      throw error;
    }
    return manager;
  }

  private async startUp(): Promise<void> {
    await this.connections.commands.ping();
    await this.loops.drain(); // what the stream still holds, before reconciling
    const counts = await reconcile(this.store, this.redis, this.lock, (job, previous) =>
      this.emit("job", { job, previous }),
    );
    if (counts.requeued + counts.removed > 0) this.log("info", "reconciled OurDB with Redis", { ...counts });
    this.loops.start();
    await this.worker?.start();
  }

  // ---- the seed's API ----

  /** Stores the job in OurDB (its id is the OurDB id), then queues it in Redis. */
  async createJob(topic: string, params: string, options?: CreateJobOptions): Promise<Job> {
    const job = await this.store.create(topic, params, options);
    await this.redis.enqueue(job, Date.now(), true);
    this.loops.scheduled(job.runAt);
    this.emit("job", { job, previous: null });
    return job;
  }

  /** The newest version; for a running job with the progress and log lines its worker reported. */
  async getJob(jobId: number): Promise<Job> {
    const job = await this.store.get(jobId);
    if (job.status !== JobStatus.Active) return job;
    const live = await this.redis.live(job);
    return live.exists
      ? { ...job, progress: live.progress, logs: live.logs.length ? live.logs : job.logs }
      : job;
  }

  /**
   * Any allowed status change, mirrored in Redis: new queues the job again, active takes it out of
   * the queue (nobody runs it), done and error remove it from Redis.
   */
  updateJobStatus(jobId: number, status: JobStatus): Promise<Job> {
    const changes: Record<JobStatus, (now: number) => JobChanges> = {
      new: (now) => ({ status, runAt: now, workerId: null, startedAt: null, finishedAt: null }),
      active: (now) => ({ status, startedAt: now, finishedAt: null }),
      done: (now) => ({ status, finishedAt: now }),
      error: (now) => ({ status, finishedAt: now }),
    };
    return this.change(jobId, (now) => changes[status](now));
  }

  completeJob(jobId: number, result: string): Promise<Job> {
    return this.change(jobId, (now) => ({ status: JobStatus.Done, result, finishedAt: now, progress: 100 }));
  }

  failJob(jobId: number, error: string): Promise<Job> {
    return this.change(jobId, (now) => ({ status: JobStatus.Error, error, finishedAt: now }));
  }

  // ---- beyond the seed ----

  getJobHistory(jobId: number): Promise<Job[]> {
    return this.store.history(jobId);
  }

  listJobs(query?: JobListQuery): Promise<JobPage> {
    return this.store.list(query);
  }

  /** Jobs per topic and status (from the listing index: cheap even with millions of jobs). */
  countJobs(): Record<string, Record<JobStatus, number>> {
    return this.store.counts();
  }

  /**
   * A new job ends at once with error "cancelled". A running one is signalled: its handler's
   * signal aborts and the job ends with error "cancelled" when the worker reports (waitForJob).
   */
  cancelJob(jobId: number): Promise<Job> {
    return this.lock.run(jobId, async () => {
      const job = await this.store.get(jobId);
      if (isFinished(job.status)) throw new JobTransitionError(`job ${jobId} is already ${job.status}`);
      const live = await this.redis.live(job);
      if (live.token !== "") {
        await this.redis.requestCancel(job);
        return job;
      }
      const next = await this.storeVersion(job, {
        status: JobStatus.Error,
        error: "cancelled",
        finishedAt: Date.now(),
      });
      await this.redis.remove(job, { queued: true, signal: false });
      return next;
    });
  }

  /** A failed job runs again, from a fresh count of attempts (its history keeps the failed runs). */
  retryJob(jobId: number): Promise<Job> {
    return this.lock.run(jobId, async () => {
      const job = await this.store.get(jobId);
      if (job.status !== JobStatus.Error) {
        throw new JobTransitionError(`job ${jobId} is ${job.status}: only a job in error can be retried`);
      }
      const now = Date.now();
      const next = await this.storeVersion(job, {
        status: JobStatus.New,
        attempts: 0,
        error: null,
        result: null,
        startedAt: null,
        finishedAt: null,
        runAt: now,
        workerId: null,
        progress: 0,
        logs: [],
        logsDropped: 0,
      });
      await this.redis.enqueue(next, now);
      return next;
    });
  }

  /** Resolves with the job once it is done or error (at once if it already is). */
  waitForJob(jobId: number, options: { timeoutMs?: number } = {}): Promise<Job> {
    if (this.closing) return Promise.reject(closedError());
    return new Promise<Job>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (error: unknown, job?: Job) => {
        const waiting = this.waits.get(jobId);
        waiting?.delete(finish);
        if (waiting?.size === 0) this.waits.delete(jobId);
        clearTimeout(timer);
        if (job) resolve(job);
        else reject(error);
      };
      const waiting = this.waits.get(jobId) ?? new Set();
      this.waits.set(jobId, waiting.add(finish));
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(
          () => finish(new JobWaitTimeoutError(jobId, options.timeoutMs as number)),
          options.timeoutMs,
        );
        timer.unref();
      }
      this.store.get(jobId).then(
        (job) => isFinished(job.status) && finish(undefined, job),
        (error) => finish(error),
      );
    });
  }

  /** Runs `topic`'s jobs in this process (in the pool of `workerCount` slots). */
  registerHandler(topic: string, handler: JobHandler): void {
    if (!this.worker)
      throw new JobTransitionError("this JobManager runs no in-process worker (workerCount 0)");
    this.worker.registerHandler(topic, handler);
  }

  /** The in-process worker's id and load, for status pages. */
  get workerStatus(): { workerId: string; topics: string[]; active: number } | undefined {
    return (
      this.worker && {
        workerId: this.worker.workerId,
        topics: this.worker.topics,
        active: this.worker.active,
      }
    );
  }

  /** Stops the worker (its running jobs are given back), the loops, the connections and the store. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    await this.worker?.stop();
    await this.loops.stop();
    await this.loops.drain().catch(() => undefined); // the worker's last reports
    await Promise.all([this.connections.commands, this.connections.watcher].map(closeRedis));
    for (const waiting of [...this.waits.values()]) for (const finish of [...waiting]) finish(closedError());
    if (this.ownsStore) await this.store.close();
  }

  // ---- internals ----

  /** A version made by the API, with Redis brought in line: the job leaves Redis when it finishes. */
  private change(jobId: number, changes: (now: number) => JobChanges): Promise<Job> {
    return this.lock.run(jobId, async () => {
      const job = await this.store.get(jobId);
      const now = Date.now();
      const next = await this.storeVersion(job, changes(now));
      if (isFinished(next.status)) {
        if (!isFinished(job.status)) await this.redis.remove(job, { queued: true, signal: true });
      } else if (next.status === JobStatus.Active) {
        await this.redis.markActive(next);
      } else if (isFinished(job.status)) {
        await this.redis.enqueue(next, now); // it had left Redis: write the whole hash again
      } else if (job.status === JobStatus.Active) {
        await this.redis.requeue(next, now, next.attempts, now);
        await this.redis.signal(jobId); // a worker still running it has lost its claim
      }
      return next;
    });
  }

  private async storeVersion(job: Job, changes: JobChanges): Promise<Job> {
    const next = await this.store.update(job.jobId, () => changes);
    this.emit("job", { job: next, previous: job.status });
    return next;
  }

  private log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) {
    this.options.log?.(level, message, fields);
  }
}

const closedError = () => new JobManagerUnavailableError("the JobManager was closed");
