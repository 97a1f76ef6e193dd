/** The factory's WebDAV service: adapts WebDAVServer (src/webdav, a leaf module) to the Service interface. */
import type { Config } from "./config.js";
import type { ServiceContext, ServiceDefinition } from "./factory.js";
import { ListenerService, type ServiceStatus } from "./service.js";
import { WebDAVServer } from "./webdav/server.js";

export class WebDAVService extends ListenerService<WebDAVServer> {
  readonly name = "webdav";
  private readonly settings: Config["webdav"];

  constructor(config: Config, context: ServiceContext) {
    const { https, idleTimeout, ...rest } = config.webdav;
    super(
      new WebDAVServer({
        ...rest,
        idleTimeoutMs: idleTimeout,
        https: {
          enabled: https.enabled,
          ...(https.certFile ? { certFile: https.certFile } : {}),
          ...(https.keyFile ? { keyFile: https.keyFile } : {}),
        },
        logger: context.logger,
      }),
    );
    this.settings = config.webdav;
  }

  status(): ServiceStatus {
    const running = this.state === "running";
    return this.statusWith(`${this.settings.host}:${this.server.port}`, {
      ...(running ? { url: this.server.url } : {}),
      root: this.settings.root,
      users: this.settings.users.length,
      https: this.settings.https.enabled,
    });
  }
}

export const webdavServiceDefinition: ServiceDefinition = {
  name: "webdav",
  enabledBy: "enableWebDAV",
  dependsOn: [],
  create: (config, context) => new WebDAVService(config, context),
};
