/** The factory's WebDAV service: adapts WebDAVServer (src/webdav, a leaf module) to the Service interface. */
import type { Config } from "./config.js";
import type { ServiceContext, ServiceDefinition } from "./factory.js";
import { type FileSystemProvider, ListenerService, type ServiceStatus } from "./service.js";
import { type FileSystem, LocalFileSystem } from "./webdav/index.js";
import { WebDAVServer } from "./webdav/server.js";

export class WebDAVService extends ListenerService<WebDAVServer> implements FileSystemProvider {
  readonly name = "webdav";
  private readonly settings: Config["webdav"];
  /** Built here rather than by the server, so the UI's file API shares it (and its path rules). */
  private readonly fileSystem: FileSystem;

  constructor(config: Config, context: ServiceContext) {
    const { https, idleTimeout, root, ...rest } = config.webdav;
    const fileSystem = new LocalFileSystem(root);
    super(
      new WebDAVServer({
        ...rest,
        fileSystem,
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
    this.fileSystem = fileSystem;
  }

  /** The served FileSystem; usable only while the service runs (the UI checks its state). */
  getFileSystem(): FileSystem {
    return this.fileSystem;
  }

  /** Requests answered, by method and status (for the UI's metrics). */
  requestCounts(): Array<{ method: string; status: number; count: number }> {
    return this.server.requestCounts();
  }

  status(): ServiceStatus {
    const running = this.state === "running";
    return this.statusWith(`${this.settings.host}:${this.server.port}`, {
      ...(running ? { url: this.server.url } : {}),
      root: this.settings.root,
      users: this.settings.users.length,
      https: this.settings.https.enabled,
      requests: this.server.requestCounts().reduce((sum, { count }) => sum + count, 0),
    });
  }
}

export const webdavServiceDefinition: ServiceDefinition = {
  name: "webdav",
  enabledBy: "enableWebDAV",
  dependsOn: [],
  create: (config, context) => new WebDAVService(config, context),
};
