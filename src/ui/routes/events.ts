/**
 * Live updates over Server-Sent Events: `GET /api/events` streams every job state change as it is
 * stored (`event: job`) and, once a second, the services' states and the job counts
 * (`event: stats`), so pages update without polling. A restarted jobs service is picked up at the
 * next tick. stop() ends every open stream (an open stream would hold the server's close).
 */
import type { ServerResponse } from "node:http";
import type { JobEvent, JobManager } from "../../jobs/job-manager.js";
import type { UIContext } from "../context.js";
import { serviceList } from "./services.js";

const STATS_EVERY_MS = 1000;

export class LiveEvents {
  private readonly streams = new Set<() => void>();

  constructor(private readonly ui: UIContext) {
    ui.routes.add(
      {
        method: "GET",
        url: "/api/events",
        tag: "events",
        summary: "Server-Sent Events: job state changes as they happen (job) and stats every second (stats)",
        produces: "text/event-stream",
      },
      (_input, request, reply) => {
        reply.hijack();
        this.open(reply.raw, () => request.raw.destroyed);
      },
    );
  }

  /** Ends every open stream. */
  stop(): void {
    for (const end of [...this.streams]) end();
  }

  private open(res: ServerResponse, gone: () => boolean): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const send = (event: string, data: unknown) => {
      if (!gone()) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const onJob = ({ job, previous }: JobEvent) =>
      send("job", {
        jobId: job.jobId,
        topic: job.topic,
        status: job.status,
        previous,
        version: job.version,
        attempts: job.attempts,
        progress: job.progress,
        updatedAt: job.updatedAt,
      });
    let manager: JobManager | undefined;
    const follow = () => {
      let current: JobManager | undefined;
      try {
        current = this.ui.jobs();
      } catch {
        current = undefined; // jobs disabled or stopped: no job events until it runs again
      }
      if (current === manager) return;
      manager?.off("job", onJob);
      current?.on("job", onJob);
      manager = current;
    };
    const stats = () => {
      follow();
      send("stats", {
        time: Date.now(),
        services: serviceList(this.ui).map(({ name, state }) => ({ name, state })),
        jobs: manager?.countJobs() ?? {},
      });
    };
    const timer = setInterval(stats, STATS_EVERY_MS);
    const end = () => {
      clearInterval(timer);
      manager?.off("job", onJob);
      this.streams.delete(end);
      if (!res.writableEnded) res.end();
    };
    this.streams.add(end);
    res.on("close", end);
    res.write(": heroagent live events\n\n");
    stats();
  }
}
