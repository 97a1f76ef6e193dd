/** The factory's Redis service: adapts RedisServer (src/redis, a leaf module) to the Service interface. */
import type { Config } from "./config.js";
import { describeError } from "./errors.js";
import type { ServiceContext, ServiceDefinition } from "./factory.js";
import { RedisServer } from "./redis/index.js";
import type { Service, ServiceState, ServiceStatus } from "./service.js";

export class RedisService implements Service {
  readonly name = "redis";
  readonly server: RedisServer;
  private readonly settings: Config["redis"];
  private state: ServiceState = "stopped";
  private startedAt?: number;
  private error?: string;

  constructor(config: Config, context: ServiceContext) {
    const redis = config.redis;
    this.settings = redis;
    const logger = context.logger;
    this.server = new RedisServer(
      {
        host: redis.host,
        port: redis.tcpPort,
        unixSocketPath: redis.unixSocketPath,
        password: redis.password,
        databases: redis.databases,
        maxBulkLength: redis.maxBulkLength,
        appendonly: redis.appendonly,
        appendfsync: redis.appendfsync,
        aofPath: redis.aofPath,
      },
      {
        onInternalError: (error, command) =>
          logger.error({ command, error: describeError(error) }, "internal error in a Redis command"),
        log: (level, message, fields) => logger[level](fields ?? {}, message),
      },
    );
  }

  /** Replays the AOF (when on) and opens the listeners; rejects, having released both, if either fails. */
  async start(): Promise<void> {
    this.state = "starting";
    this.error = undefined;
    try {
      await this.server.start();
    } catch (error) {
      this.state = "failed";
      this.error = describeError(error);
      throw error;
    }
    this.state = "running";
    this.startedAt = Date.now();
  }

  /** Disconnects the clients, closes the listeners, removes the socket file and closes the AOF. */
  async stop(): Promise<void> {
    this.state = "stopping";
    await this.server.stop();
    this.state = "stopped";
  }

  status(): ServiceStatus {
    const running = this.state === "running";
    const { tcp, unix } = this.server.addresses;
    const addresses = running ? [tcp, unix && `unix:${unix}`].filter((a): a is string => Boolean(a)) : [];
    return {
      name: this.name,
      state: this.state,
      ...(addresses[0] ? { address: addresses[0] } : {}),
      ...(this.startedAt !== undefined ? { startedAt: this.startedAt } : {}),
      ...(this.error ? { error: this.error } : {}),
      details: {
        addresses,
        databases: this.settings.databases,
        requiresAuth: this.settings.password !== "",
        appendonly: this.settings.appendonly,
        ...(this.settings.appendonly
          ? { aofPath: this.settings.aofPath, appendfsync: this.settings.appendfsync }
          : {}),
        ...(running ? { clients: this.server.state.clients.size } : {}),
      },
    };
  }
}

export const redisServiceDefinition: ServiceDefinition = {
  name: "redis",
  enabledBy: "enableRedis",
  dependsOn: [],
  create: (config, context) => new RedisService(config, context),
};
