/**
 * JobWorker: a pool of `concurrency` slots running handlers for the topics it has handlers for.
 * The same class runs inside heroagent (the jobs service) and in `heroagent worker` on another
 * machine: it needs Redis only, never OurDB.
 *
 * Pickup: one fetch loop takes jobs while slots are free; when every lane is empty it blocks on
 * the topics' notify lists (BLPOP, at most `pollInterval`), so a new job is picked up at once and
 * an idle worker wakes only once per poll interval.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { describeError } from "../errors.js";
import type { RunningJob } from "./job-hash.js";
import { isResultTooLarge, RESULT_TOO_LARGE, TOPIC_PATTERN } from "./limits.js";
import { closeRedis, connectRedis, type RedisTarget } from "./redis-client.js";
import { CANCEL_CHANNEL, notifyKey } from "./redis-keys.js";
import { JobAbort, RunAbort } from "./run-abort.js";
import { type ClaimedJob, type WorkerInfo, WorkerQueue } from "./worker-queue.js";

export { JobAbort };

export interface JobContext {
  /** Aborted on timeout, cancel, or when the worker stops; `signal.reason` is a JobAbort. */
  signal: AbortSignal;
  /** Reports progress, 0 … 100. */
  progress(percent: number): void;
  /** Appends a line to the job's logs (bounded: the newest lines are kept). */
  log(line: string): void;
  workerId: string;
}

/** Returns the job's result: a string as is, undefined/null as no result, anything else as JSON. */
export type JobHandler = (job: RunningJob, ctx: JobContext) => Promise<unknown> | unknown;

export interface JobWorkerOptions {
  redis: RedisTarget;
  /** Letters, digits, '_', '.', '-'; default `<host>-<pid>-<random>`. */
  workerId?: string;
  concurrency: number;
  /** Milliseconds: the longest a worker blocks before looking at the queues again. */
  pollInterval: number;
  /** Milliseconds: a worker silent for this long is presumed dead and its jobs are recovered. */
  leaseTimeout: number;
  log?: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
}

type Report = Parameters<WorkerQueue["report"]>[0];

interface Run extends ClaimedJob {
  aborter: RunAbort;
  /** Log lines pushed so far: a report saying 0 spares the JobManager reading the logs list. */
  logs: number;
}

export const WORKER_ID_PATTERN = TOPIC_PATTERN;

/**
 * Every queued job comes with a wake-up token, so an idle worker is woken the moment there is work;
 * its own polls are only a safety net. They start at pollInterval and back off to this while the
 * queues stay empty (each poll is a Redis round trip: ten a second would cost an idle server ~1 %
 * CPU), and are back at pollInterval as soon as a job comes.
 */
const IDLE_POLL_MAX_MS = 5000;

export class JobWorker {
  readonly workerId: string;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly runs = new Map<number, Run>();
  /** Jobs whose handler ended and whose report is still on its way. */
  private readonly reporting = new Set<number>();
  private readonly settled = new Set<Promise<void>>();
  /** Set when a fetch or a report failed: the processing lists may hold jobs nobody runs. */
  private lostTrack = false;
  /** When the fetch loop next looks for such jobs anyway (a safety net, once a lease period). */
  private nextRecovery = 0;
  private commands?: Redis;
  private blocking?: Redis;
  private subscriber?: Redis;
  private queue?: WorkerQueue;
  private loop?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;
  private wake?: () => void;
  private nextTopic = 0;
  private readonly startedAt = Date.now();

  constructor(private readonly options: JobWorkerOptions) {
    this.workerId =
      options.workerId ??
      `${os.hostname().replace(/[^A-Za-z0-9_.-]/g, "-")}-${process.pid}-${randomBytes(3).toString("hex")}`;
    if (!WORKER_ID_PATTERN.test(this.workerId)) {
      throw new Error(
        `workerId must be letters, digits, '_', '.', '-' (got ${JSON.stringify(this.workerId)})`,
      );
    }
  }

  /** Handles `topic` from now on (replacing an earlier handler); jobs of other topics are left alone. */
  registerHandler(topic: string, handler: JobHandler): void {
    if (!TOPIC_PATTERN.test(topic)) throw new Error(`invalid topic ${JSON.stringify(topic)}`);
    this.handlers.set(topic, handler);
    this.wake?.();
    if (this.queue) void this.renewLease();
  }

  get topics(): string[] {
    return [...this.handlers.keys()];
  }

  /** Jobs running now. */
  get active(): number {
    return this.runs.size;
  }

  async start(): Promise<void> {
    const { redis } = this.options;
    const onError = (message: string) => this.log("warn", message);
    this.commands = connectRedis(redis, "worker", onError);
    this.blocking = connectRedis(redis, "worker-fetch", onError);
    this.subscriber = connectRedis(redis, "worker-cancel", onError);
    this.queue = new WorkerQueue(this.commands, this.workerId);
    await this.renewLease();
    this.subscriber.on("message", (_channel: string, message: string) => this.onCancelMessage(message));
    await this.subscriber.subscribe(CANCEL_CHANNEL);
    const every = Math.max(100, Math.floor(this.options.leaseTimeout / 3));
    this.heartbeat = setInterval(() => void this.checkIn(), every);
    this.heartbeat.unref();
    this.loop = this.fetchLoop();
  }

  /**
   * Stops taking jobs, aborts the running ones and gives them back (a "released" event: the run
   * does not count), then leaves. Jobs it could not report stay in its processing list for the reaper.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.heartbeat);
    this.wake?.();
    this.blocking?.disconnect();
    await this.loop;
    for (const run of this.runs.values()) run.aborter.abort(new JobAbort("stopped"));
    await Promise.all(this.settled);
    try {
      if (this.runs.size === 0) await this.queue?.deregister();
    } catch (error) {
      this.log("warn", "could not deregister the worker", { error: describeError(error) });
    }
    await Promise.all([this.commands, this.subscriber].map((c) => c && closeRedis(c)));
  }

  private async fetchLoop(): Promise<void> {
    const queue = this.queue as WorkerQueue;
    let poll = this.options.pollInterval;
    while (!this.stopping) {
      const topics = this.topics;
      if (this.runs.size >= this.options.concurrency || topics.length === 0) {
        await this.waitForWake();
        continue;
      }
      try {
        if (this.lostTrack || Date.now() >= this.nextRecovery) await this.recoverOrphans(queue, topics);
        const free = this.options.concurrency - this.runs.size;
        const claimed = await queue.fetch(topics, this.nextTopic++, free);
        for (const job of claimed) this.startRun(job);
        if (claimed.length > 0) {
          poll = this.options.pollInterval;
          continue;
        }
        if (this.stopping) break;
        // Blocks until a job is queued (its token arrives) or the poll passes.
        const token = await this.blocking?.blpop(topics.map(notifyKey), poll / 1000);
        poll =
          token == null
            ? Math.min(poll * 2, Math.max(IDLE_POLL_MAX_MS, this.options.pollInterval))
            : this.options.pollInterval;
      } catch (error) {
        this.lostTrack = true; // moves may have happened whose claims never did
        if (this.stopping) break;
        this.log("warn", "fetching jobs failed; retrying", { error: describeError(error) });
        await sleep(this.options.pollInterval);
      }
    }
  }

  /** Between fetches (nothing is being moved or claimed): see WorkerQueue.recoverOrphans. */
  private async recoverOrphans(queue: WorkerQueue, topics: readonly string[]): Promise<void> {
    const held = new Set([...this.runs.keys(), ...this.reporting]);
    const recovered = await queue.recoverOrphans(topics, held);
    if (recovered > 0) this.log("warn", "recovered jobs this worker had lost track of", { recovered });
    this.lostTrack = false;
    this.nextRecovery = Date.now() + this.options.leaseTimeout;
  }

  /** Until a slot frees, a handler is registered or the worker stops. */
  private waitForWake(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  /**
   * Runs the job; its slot frees as soon as the handler is done, and the report goes out beside
   * the next fetch (in the same transaction when they meet in one turn). stop() waits for reports.
   */
  private startRun(claimed: ClaimedJob): void {
    const run: Run = { ...claimed, aborter: new RunAbort(), logs: 0 };
    this.runs.set(claimed.job.jobId, run);
    const jobId = claimed.job.jobId;
    const settled = this.execute(run)
      .then((outcome) => {
        this.reporting.add(jobId);
        this.runs.delete(jobId);
        this.wake?.();
        return outcome && this.report(outcome);
      })
      .finally(() => {
        this.reporting.delete(jobId);
        this.settled.delete(settled);
      });
    this.settled.add(settled);
  }

  /** Runs the handler under the job's timeout; the report to send, or undefined if the job was taken from us. */
  private async execute(run: Run): Promise<Report | undefined> {
    const { job, token, aborter } = run;
    const base = (this.queue as WorkerQueue).base(job, token, 0);
    const at = () => ({ ...base, time: Date.now(), logs: run.logs });
    const handler = this.handlers.get(job.topic);
    const timer = setTimeout(() => aborter.abort(new JobAbort("timeout")), job.timeout * 1000);
    try {
      if (!handler) throw new Error(`no handler for topic ${job.topic}`);
      const value = await aborter.race(Promise.resolve().then(() => handler(job, this.context(run))));
      const result = toResult(value);
      if (result !== null && isResultTooLarge(result)) {
        return { type: "failed", ...at(), error: RESULT_TOO_LARGE, final: true };
      }
      return { type: "done", ...at(), result };
    } catch (error) {
      const why = aborter.reason?.reason;
      if (why === undefined) {
        return { type: "failed", ...at(), error: describeError(error) || "failed", final: false };
      }
      if (why === "lost") return undefined; // someone else owns it now
      if (why === "stopped") return { type: "released", ...at(), reason: "worker stopped" };
      return { type: "failed", ...at(), error: why, final: why === "cancelled" };
    } finally {
      clearTimeout(timer);
    }
  }

  private context(run: Run): JobContext {
    const queue = this.queue as WorkerQueue;
    return {
      get signal() {
        return run.aborter.signal;
      },
      workerId: this.workerId,
      progress: (percent) => {
        const value = Math.min(100, Math.max(0, Number(percent) || 0));
        queue.progress(run.job, run.token, value).catch((error) => this.logFailure("progress", error));
      },
      log: (line) => {
        run.logs++;
        queue.log(run.job, String(line)).catch((error) => this.logFailure("log", error));
      },
    };
  }

  /** A report must reach Redis: retried until it does or the lease would have expired anyway. */
  private async report(event: Report): Promise<void> {
    const deadline = Date.now() + this.options.leaseTimeout;
    for (;;) {
      try {
        await (this.queue as WorkerQueue).report(event);
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          this.lostTrack = true; // the job stays in the processing list: recovered before the next fetch
          this.log("error", "could not report a job; it will be recovered", {
            jobId: event.jobId,
            error: describeError(error),
          });
          return;
        }
        await sleep(Math.min(1000, this.options.pollInterval));
      }
    }
  }

  private async checkIn(): Promise<void> {
    try {
      await this.renewLease();
      const runs = [...this.runs.values()];
      const states = await (this.queue as WorkerQueue).ownership(runs);
      for (const [i, run] of runs.entries()) this.abortUnlessOurs(run, states[i]);
    } catch (error) {
      this.log("warn", "renewing the worker lease failed", { error: describeError(error) });
    }
  }

  private async onCancelMessage(message: string): Promise<void> {
    const run = this.runs.get(Number(message));
    if (!run) return;
    try {
      const [state] = await (this.queue as WorkerQueue).ownership([run]);
      this.abortUnlessOurs(run, state);
    } catch (error) {
      this.logFailure("cancel check", error);
    }
  }

  private abortUnlessOurs(run: Run, state: "ours" | "cancelled" | "lost" | undefined): void {
    if (state === "cancelled") run.aborter.abort(new JobAbort("cancelled"));
    else if (state === "lost") run.aborter.abort(new JobAbort("lost"));
  }

  private renewLease(): Promise<void> {
    const info: WorkerInfo = {
      workerId: this.workerId,
      topics: this.topics,
      concurrency: this.options.concurrency,
      host: os.hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
    };
    return (this.queue as WorkerQueue).renewLease(info, this.options.leaseTimeout);
  }

  private logFailure(what: string, error: unknown): void {
    this.log("warn", `job ${what} update failed`, { error: describeError(error) });
  }

  private log(level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(level, message, { workerId: this.workerId, ...fields });
  }
}

function toResult(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? String(value);
}
