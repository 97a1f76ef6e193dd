/**
 * The job events of whichever JobManager is running: the jobs service can be stopped and started
 * through the API (a new JobManager each time), so the feed looks for the current one every second
 * and moves its subscribers over. Live events, metrics and the timeline all read from one feed.
 */
import type { JobEvent, JobManager } from "../jobs/job-manager.js";

const LOOK_EVERY_MS = 1000;

export class JobFeed {
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private manager?: JobManager;
  private timer?: NodeJS.Timeout;
  private readonly relay = (event: JobEvent) => {
    for (const listener of this.listeners) listener(event);
  };

  /** `running()` returns the running JobManager or throws when there is none. */
  constructor(private readonly running: () => JobManager) {}

  /** The running JobManager, or undefined (jobs disabled or stopped). */
  current(): JobManager | undefined {
    this.look();
    return this.manager;
  }

  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    now?.on("job", this.relay);
    this.manager = now;
  }
}
