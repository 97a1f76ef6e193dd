/**
 * The job events of whichever JobManager is running: the jobs service can be stopped and started
 * through the API (a new JobManager each time), so the feed looks for the current one every second
 * and moves its subscribers over. Live events, metrics and the timeline all read from one feed.
 */
import type { JobEvent, JobManager, JobManagerEvents } from "../jobs/job-manager.js";

export type ProgressEvent = JobManagerEvents["progress"][0];

const LOOK_EVERY_MS = 1000;

export class JobFeed {
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private readonly progressListeners = new Set<(event: ProgressEvent) => void>();
  private manager?: JobManager;
  private timer?: NodeJS.Timeout;
  private readonly relay = (event: JobEvent) => {
    for (const listener of this.listeners) listener(event);
  };
  private readonly relayProgress = (event: ProgressEvent) => {
    for (const listener of this.progressListeners) listener(event);
  };

  /** `running()` returns the running JobManager or throws when there is none. */
  constructor(private readonly running: () => JobManager) {}

  /** The running JobManager, or undefined (jobs disabled or stopped). */
  current(): JobManager | undefined {
    this.look();
    return this.manager;
  }

  /** Every stored version of a job. */
  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Progress a handler reports (not a stored version: the job's record is written when it ends). */
  subscribeProgress(listener: (event: ProgressEvent) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  start(): void {
    this.look();
    this.timer ??= setInterval(() => this.look(), LOOK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.manager?.off("job", this.relay);
    this.manager?.off("progress", this.relayProgress);
    this.manager = undefined;
  }

  private look(): void {
    let now: JobManager | undefined;
    try {
      now = this.running();
    } catch {
      now = undefined;
    }
    if (now === this.manager) return;
    this.manager?.off("job", this.relay);
    this.manager?.off("progress", this.relayProgress);
    now?.on("job", this.relay);
    now?.on("progress", this.relayProgress);
    this.manager = now;
  }
}
