/**
 * The factory's jobs service: opens the JobManager (OurDB store + Redis queues) with the built-in
 * handlers and the in-process worker pool. Its Redis is `jobs.redisUrl`, or else the embedded
 * server, over local connections (no socket on the hot path; the same commands as over one).
 */
import type { Config } from "./config.js";
import { ConfigError, FactoryStateError } from "./errors.js";
import type { ServerFactory, ServiceContext, ServiceDefinition } from "./factory.js";
import { builtinHandlers } from "./jobs/handlers/index.js";
import { JobManager } from "./jobs/job-manager.js";
import { JobRequestServer } from "./jobs/job-requests.js";
import { describeTarget, type RedisTarget } from "./jobs/redis-client.js";
import type { Logger } from "./logger.js";
import { RedisService } from "./redis-service.js";
import { type JobManagerProvider, ListenerService, type ServiceStatus, type Startable } from "./service.js";

/** The JobManager as something the factory can start and stop. */
class JobSystem implements Startable {
  manager?: JobManager;
  private requests?: JobRequestServer;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly factory: ServerFactory,
  ) {}

  /** jobs.redisUrl, or the embedded server of this process. */
  get redisTarget(): RedisTarget {
    const embedded = this.factory.getService("redis");
    if (this.config.jobs.redisUrl === "" && embedded instanceof RedisService)
      return { local: embedded.server };
    return jobsRedisTarget(this.config);
  }

  async start(): Promise<void> {
    const { jobs } = this.config;
    const redis = this.redisTarget;
    this.manager = await JobManager.open({
      store: jobs.ourdbPath,
      redis,
      defaults: {
        timeout: jobs.defaultTimeout,
        maxAttempts: jobs.maxAttempts,
        backoff: { type: "exponential", delay: 1000, maxDelay: 3_600_000, jitter: true },
      },
      workerCount: jobs.workerCount,
      pollInterval: jobs.queuePollInterval,
      leaseTimeout: jobs.leaseTimeout,
      log: (level, message, fields) => this.logger[level](fields ?? {}, message),
    });
    try {
      this.requests = await JobRequestServer.start(this.manager, redis, {
        pollInterval: jobs.queuePollInterval,
        log: (level, message, fields) => this.logger[level](fields ?? {}, message),
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
    if (jobs.workerCount > 0) {
      for (const [topic, handler] of builtinHandlers({ enableShell: jobs.enableShell })) {
        this.manager.registerHandler(topic, handler);
      }
    }
    this.logger.info(
      {
        redis: describeTarget(redis),
        ourdbPath: jobs.ourdbPath,
        workers: jobs.workerCount,
        shell: jobs.enableShell,
      },
      "job system ready",
    );
  }

  async stop(): Promise<void> {
    await this.requests?.close();
    this.requests = undefined;
    await this.manager?.close();
    this.manager = undefined;
  }
}

export class JobsService extends ListenerService<JobSystem> implements JobManagerProvider {
  readonly name = "jobs";

  constructor(
    private readonly config: Config,
    context: ServiceContext,
  ) {
    super(new JobSystem(config, context.logger, context.factory));
  }

  getJobManager(): JobManager {
    const manager = this.server.manager;
    if (!manager) throw new FactoryStateError("the job system is not running: start the ServerFactory first");
    return manager;
  }

  status(): ServiceStatus {
    const worker = this.server.manager?.workerStatus;
    let address: string | undefined;
    try {
      address = describeTarget(this.server.redisTarget);
    } catch {
      address = undefined; // the start fails with the reason
    }
    return this.statusWith(address, {
      ourdbPath: this.config.jobs.ourdbPath,
      workerCount: this.config.jobs.workerCount,
      ...(worker ? { workerId: worker.workerId, topics: worker.topics, activeJobs: worker.active } : {}),
    });
  }
}

/**
 * How a process without the embedded server reaches the job system's Redis (the CLI, a remote
 * worker): jobs.redisUrl, or the embedded server's Unix socket if it has one, else its TCP port.
 */
export function jobsRedisTarget(config: Config): RedisTarget {
  if (config.jobs.redisUrl !== "") return config.jobs.redisUrl;
  if (!config.enableRedis) {
    throw new ConfigError("the job system needs Redis: enable the embedded server or set jobs.redisUrl");
  }
  return embeddedRedisTarget(config);
}

/** How a client in this process reaches the embedded Redis server (Unix socket first, then TCP). */
export function embeddedRedisTarget(config: Config): RedisTarget {
  const { unixSocketPath, tcpPort, host, password } = config.redis;
  const auth = password === "" ? {} : { password };
  if (unixSocketPath !== "") return { path: unixSocketPath, ...auth };
  if (tcpPort === 0)
    throw new ConfigError("the job system cannot reach the embedded Redis on port 0: set jobs.redisUrl");
  const anyAddress = host === "0.0.0.0" || host === "::";
  return { host: anyAddress ? "127.0.0.1" : host, port: tcpPort, ...auth };
}

export const jobsServiceDefinition: ServiceDefinition = {
  name: "jobs",
  enabledBy: "enableJobs",
  dependsOn: ["redis"],
  create: (config, context) => new JobsService(config, context),
};
