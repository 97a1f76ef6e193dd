/**
 * Live updates over Server-Sent Events: `GET /api/events` streams every job state change as it is
 * stored (`event: job`), the progress handlers report (`event: progress`) and, once a second, the
 * services' states and the job counts (`event: stats`), so pages update without polling.
 */
import type { JobEvent } from "../../jobs/job-manager.js";
import type { UIContext } from "../context.js";
import type { EventStreams } from "../event-streams.js";
import type { JobFeed } from "../job-feed.js";
import { serviceList } from "./services.js";

const STATS_EVERY_MS = 1000;

export function eventRoutes(ui: UIContext, streams: EventStreams, feed: JobFeed): void {
  // One count per tick for all open streams: a count walks the listing index (ms at 1M jobs).
  let latest: { at: number; stats: object } | undefined;
  const currentStats = () => {
    const now = Date.now();
    if (!latest || now - latest.at >= STATS_EVERY_MS / 2) {
      const services = serviceList(ui).map(({ name, state }) => ({ name, state }));
      latest = { at: now, stats: { time: now, services, jobs: feed.current()?.countJobs() ?? {} } };
    }
    return latest.stats;
  };
  ui.routes.add(
    {
      method: "GET",
      url: "/api/events",
      tag: "events",
      summary:
        "Server-Sent Events: job state changes as they happen (job), handler progress (progress) " +
        "and stats every second (stats)",
      produces: "text/event-stream",
    },
    (_input, request, reply) =>
      streams.serve(request, reply, (send) => {
        const stats = () => send("stats", currentStats());
        const unsubscribe = feed.subscribe(({ job, previous }: JobEvent) =>
          send("job", {
            jobId: job.jobId,
            topic: job.topic,
            status: job.status,
            previous,
            version: job.version,
            attempts: job.attempts,
            progress: job.progress,
            updatedAt: job.updatedAt,
          }),
        );
        const unsubscribeProgress = feed.subscribeProgress((event) => send("progress", event));
        stats();
        const timer = setInterval(stats, STATS_EVERY_MS);
        return () => {
          clearInterval(timer);
          unsubscribe();
          unsubscribeProgress();
        };
      }),
  );
}
