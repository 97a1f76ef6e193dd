/**
 * Prometheus metrics (prom-client, in a registry of this UI's own): services up, jobs by topic and
 * status, the job duration histogram (fed by the JobManager's "job" events), queue depth per topic
 * (LLEN of its ready lanes), the embedded Redis server's commands, the WebDAV server's requests and
 * the process's memory. Counters mirror the services' own tallies at each scrape.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { isFinished } from "../jobs/job.js";
import type { JobEvent } from "../jobs/job-manager.js";
import { lanesInOrder, prioritiesKey } from "../jobs/redis-keys.js";
import { RedisService } from "../redis-service.js";
import { WebDAVService } from "../webdav-service.js";
import type { UIContext } from "./context.js";
import type { JobFeed } from "./job-feed.js";
import { serviceList } from "./routes/services.js";

export class Metrics {
  readonly registry = new Registry();
  private readonly durations: Histogram<"topic" | "status">;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ui: UIContext,
    feed: JobFeed,
  ) {
    const registers = [this.registry];
    this.durations = new Histogram({
      name: "heroagent_job_duration_seconds",
      help: "Run time of finished jobs (finishedAt - startedAt), by topic and final status",
      labelNames: ["topic", "status"],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800],
      registers,
    });
    new Gauge({
      name: "heroagent_service_up",
      help: "1 when the service is running, 0 when it is enabled but not running",
      labelNames: ["service"],
      registers,
      collect() {
        this.reset();
        for (const service of serviceList(ui)) {
          if (service.enabled) this.set({ service: service.name }, service.state === "running" ? 1 : 0);
        }
      },
    });
    const counts = new Gauge({
      name: "heroagent_jobs",
      help: "Stored jobs",
      labelNames: ["topic", "status"],
      registers,
    });
    const depth = new Gauge({
      name: "heroagent_queue_depth",
      help: "Jobs waiting in a topic's ready lanes",
      labelNames: ["topic"],
      registers,
    });
    new Gauge({
      name: "heroagent_process_resident_memory_bytes",
      help: "Resident set size of the heroagent process",
      registers,
      collect() {
        this.set(process.memoryUsage().rss);
      },
    });
    const services = ui.factory;
    const commandStats = () => {
      const redis = services.getService("redis");
      return redis instanceof RedisService ? [...redis.commandStats()] : [];
    };
    new Counter({
      name: "heroagent_redis_commands_total",
      help: "Commands the embedded Redis server ran, by command (since it started)",
      labelNames: ["command"],
      registers,
      collect() {
        this.reset();
        for (const [command, stat] of commandStats()) this.inc({ command }, stat.calls);
      },
    });
    new Counter({
      name: "heroagent_redis_command_errors_total",
      help: "Commands the embedded Redis server answered with an error, by command",
      labelNames: ["command"],
      registers,
      collect() {
        this.reset();
        for (const [command, stat] of commandStats()) if (stat.failed > 0) this.inc({ command }, stat.failed);
      },
    });
    new Counter({
      name: "heroagent_webdav_requests_total",
      help: "Requests the WebDAV server answered, by method and status (since the process started)",
      labelNames: ["method", "status"],
      registers,
      collect() {
        this.reset();
        const webdav = services.getService("webdav");
        if (!(webdav instanceof WebDAVService)) return;
        for (const { method, status, count } of webdav.requestCounts()) {
          this.inc({ method, status: String(status) }, count);
        }
      },
    });
    // One collector for the two job gauges: both need the job counts.
    this.collectJobs = async () => {
      counts.reset();
      depth.reset();
      const manager = feed.current();
      if (!manager) return; // jobs disabled or stopped: no job series
      const byTopic = manager.countJobs();
      for (const [topic, statuses] of Object.entries(byTopic)) {
        for (const [status, count] of Object.entries(statuses)) counts.set({ topic, status }, count);
      }
      await this.collectDepth(depth, Object.keys(byTopic));
    };
    this.unsubscribe = feed.subscribe(({ job }: JobEvent) => {
      if (!isFinished(job.status) || job.startedAt === null || job.finishedAt === null) return;
      const seconds = Math.max(0, job.finishedAt - job.startedAt) / 1000;
      this.durations.observe({ topic: job.topic, status: job.status }, seconds);
    });
  }

  private readonly collectJobs: () => Promise<void>;

  /** The exposition text. */
  async text(): Promise<string> {
    await this.collectJobs();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  stop(): void {
    this.unsubscribe();
  }

  private async collectDepth(depth: Gauge<"topic">, topics: string[]): Promise<void> {
    let redis: Awaited<ReturnType<UIContext["queueRedis"]>>;
    try {
      redis = await this.ui.queueRedis();
    } catch {
      return;
    }
    for (const topic of topics) {
      try {
        const priorities = (await redis.zrange(prioritiesKey(topic), "0", "-1")).map(Number);
        const lengths = await Promise.all(lanesInOrder(topic, priorities).map((lane) => redis.llen(lane)));
        depth.set(
          { topic },
          lengths.reduce((sum, n) => sum + n, 0),
        );
      } catch {
        return; // Redis down: no depth series this scrape
      }
    }
  }
}
