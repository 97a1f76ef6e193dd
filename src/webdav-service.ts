/** The factory's WebDAV service: adapts WebDAVServer (src/webdav, a leaf module) to the Service interface. */
import type { Config } from "./config.js";
import { describeError } from "./errors.js";
import type { ServiceContext, ServiceDefinition } from "./factory.js";
import type { Service, ServiceState, ServiceStatus } from "./service.js";
import { WebDAVServer } from "./webdav/server.js";

export class WebDAVService implements Service {
  readonly name = "webdav";
  private readonly server: WebDAVServer;
  private readonly settings: Config["webdav"];
  private state: ServiceState = "stopped";
  private startedAt?: number;
  private error?: string;

  constructor(config: Config, context: ServiceContext) {
    this.settings = config.webdav;
    const { https, idleTimeout, ...rest } = config.webdav;
    this.server = new WebDAVServer({
      ...rest,
      idleTimeoutMs: idleTimeout,
      https: {
        enabled: https.enabled,
        ...(https.certFile ? { certFile: https.certFile } : {}),
        ...(https.keyFile ? { keyFile: https.keyFile } : {}),
      },
      logger: context.logger,
    });
  }

  async start(): Promise<void> {
    this.state = "starting";
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

  async stop(): Promise<void> {
    this.state = "stopping";
    await this.server.stop();
    this.state = "stopped";
  }

  status(): ServiceStatus {
    const running = this.state === "running";
    return {
      name: this.name,
      state: this.state,
      ...(running ? { address: `${this.settings.host}:${this.server.port}` } : {}),
      ...(this.startedAt !== undefined ? { startedAt: this.startedAt } : {}),
      ...(this.error ? { error: this.error } : {}),
      details: {
        ...(running ? { url: this.server.url } : {}),
        root: this.settings.root,
        users: this.settings.users.length,
        https: this.settings.https.enabled,
      },
    };
  }
}

export const webdavServiceDefinition: ServiceDefinition = {
  name: "webdav",
  enabledBy: "enableWebDAV",
  dependsOn: [],
  create: (config, context) => new WebDAVService(config, context),
};
