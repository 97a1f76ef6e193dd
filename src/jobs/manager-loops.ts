/**
 * The JobManager's background work: apply the worker events of the `heroevents` stream (blocking
 * XREAD, then XDEL once stored), promote delayed jobs when they are due, and reap the workers whose
 * lease expired. Both loops sleep while there is nothing to do: an idle server wakes a few times a
 * minute.
 */
import type { Redis } from "ioredis";
import { describeError } from "../errors.js";
import type { WorkerEvent } from "./job-events.js";
import type { JobManagerOptions } from "./job-manager.js";
import type { RedisJobManager } from "./redis-job-manager.js";
import { WakeableSleep } from "./wakeable-sleep.js";

const EVENT_BATCH = 500;
/** XREAD returns as soon as an event arrives; the block only bounds an idle wait. */
const EVENT_BLOCK_MS = 2000;

type LoopOptions = Pick<JobManagerOptions, "pollInterval" | "leaseTimeout" | "log">;

export class ManagerLoops {
  private closing = false;
  private lastEventId = "0";
  private readonly timer = new WakeableSleep();
  private running: Promise<void>[] = [];

  constructor(
    private readonly redis: RedisJobManager,
    /** `events` blocks in XREAD, so it is a connection of its own. */
    private readonly connections: { commands: Redis; events: Redis },
    private readonly apply: (event: WorkerEvent) => Promise<void>,
    private readonly options: LoopOptions,
  ) {}

  /** Applies every event the stream holds now, without blocking (at start, and at close). */
  async drain(): Promise<void> {
    while ((await this.applyEvents(0)) > 0) {}
  }

  start(): void {
    this.running = [this.eventLoop(), this.maintenanceLoop()];
  }

  async stop(): Promise<void> {
    this.closing = true;
    this.timer.wakeBy(0);
    this.connections.events.disconnect(); // ends a blocked XREAD
    await Promise.all(this.running);
  }

  /** Wakes the maintenance loop if `runAt` is sooner than it planned to look. */
  scheduled(runAt: number): void {
    if (runAt > Date.now()) this.timer.wakeBy(runAt);
  }

  private async eventLoop(): Promise<void> {
    while (!this.closing) {
      try {
        await this.applyEvents(EVENT_BLOCK_MS);
      } catch (error) {
        if (this.closing) return;
        this.log("error", "applying worker events failed; retrying", { error: describeError(error) });
        await sleep(this.options.pollInterval);
      }
    }
  }

  /**
   * Applies one batch of events (jobs in parallel, each job's events in stream order) and deletes
   * them from the stream once stored. Returns how many were read.
   */
  private async applyEvents(blockMs: number): Promise<number> {
    const entries = await this.redis.readEvents(
      blockMs > 0 ? this.connections.events : this.connections.commands,
      this.lastEventId,
      EVENT_BATCH,
      blockMs,
    );
    if (entries.length === 0) return 0;
    await Promise.all(
      entries.map(({ event, id }) =>
        event
          ? this.apply(event).catch((error) =>
              this.log("error", "a worker event could not be applied", {
                id,
                ...event,
                error: describeError(error),
              }),
            )
          : this.log("warn", "malformed worker event skipped", { id }),
      ),
    );
    await this.redis.deleteEvents(entries.map((entry) => entry.id));
    this.lastEventId = entries[entries.length - 1]?.id ?? this.lastEventId;
    return entries.length;
  }

  /**
   * Promotes delayed jobs when they are due and reaps dead workers every leaseTimeout/3, sleeping
   * in between; a job delayed by this manager (createJob, a retry's backoff) wakes it early.
   */
  private async maintenanceLoop(): Promise<void> {
    const reapEvery = Math.max(100, Math.floor(this.options.leaseTimeout / 3));
    let nextReap = 0;
    while (!this.closing) {
      let nextDue: number | undefined;
      try {
        await this.redis.promoteDue();
        nextDue = await this.redis.nextDueAt();
        if (Date.now() >= nextReap) {
          nextReap = Date.now() + reapEvery;
          for (const workerId of await this.redis.deadWorkers()) {
            const lost = await this.redis.reapWorker(workerId);
            this.log("warn", "worker lease expired; its jobs were recovered", { workerId, jobs: lost });
          }
        }
      } catch (error) {
        if (this.closing) return;
        this.log("error", "job maintenance failed; retrying", { error: describeError(error) });
        nextDue = Date.now() + this.options.pollInterval;
      }
      const wake = Math.min(nextReap, nextDue ?? Number.POSITIVE_INFINITY);
      await this.timer.sleep(Math.min(reapEvery, Math.max(0, wake - Date.now())));
    }
  }

  private log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) {
    this.options.log?.(level, message, fields);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
