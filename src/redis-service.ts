/** The factory's Redis service: adapts RedisServer (src/redis, a leaf module) to the Service interface. */
import type { Config } from "./config.js";
import { describeError } from "./errors.js";
import type { ServiceContext, ServiceDefinition } from "./factory.js";
import { RedisServer } from "./redis/index.js";
import { ListenerService, type ServiceStatus } from "./service.js";

/** Starting replays the AOF (when on) and opens the listeners; stopping also removes the socket file. */
export class RedisService extends ListenerService<RedisServer> {
  readonly name = "redis";
  private readonly settings: Config["redis"];

  constructor(config: Config, context: ServiceContext) {
    const redis = config.redis;
    const logger = context.logger;
    super(
      new RedisServer(
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
      ),
    );
    this.settings = redis;
  }

  /** Calls, failures and time per command since the server started (INFO commandstats). */
  commandStats(): ReadonlyMap<string, { calls: number; usec: number; failed: number }> {
    return this.server.state.stats.commands;
  }

  status(): ServiceStatus {
    const running = this.state === "running";
    const { tcp, unix } = this.server.addresses;
    const addresses = running ? [tcp, unix && `unix:${unix}`].filter((a): a is string => Boolean(a)) : [];
    return this.statusWith(addresses[0], {
      addresses,
      databases: this.settings.databases,
      requiresAuth: this.settings.password !== "",
      appendonly: this.settings.appendonly,
      ...(this.settings.appendonly
        ? { aofPath: this.settings.aofPath, appendfsync: this.settings.appendfsync }
        : {}),
      ...(running
        ? {
            clients: this.server.state.clients.size,
            commandsProcessed: this.server.state.stats.commandsProcessed,
            connectionsReceived: this.server.state.stats.connectionsReceived,
          }
        : {}),
    });
  }
}

export const redisServiceDefinition: ServiceDefinition = {
  name: "redis",
  enabledBy: "enableRedis",
  dependsOn: [],
  create: (config, context) => new RedisService(config, context),
};
