/** The factory's UI service: adapts UIServer (src/ui) to the Service interface. */
import type { Config } from "./config.js";
import type { ServiceContext, ServiceDefinition } from "./factory.js";
import { ListenerService, type ServiceStatus } from "./service.js";
import { UIServer } from "./ui/server.js";

export class UIService extends ListenerService<UIServer> {
  readonly name = "ui";
  private readonly settings: Config["ui"];

  constructor(config: Config, context: ServiceContext) {
    super(new UIServer(config, context.factory, context.logger));
    this.settings = config.ui;
  }

  status(): ServiceStatus {
    const running = this.state === "running";
    return this.statusWith(`${this.settings.host}:${this.server.port}`, {
      ...(running ? { url: this.server.url } : {}),
      readOnly: this.settings.readOnly,
      passwordSet: this.settings.password !== "",
    });
  }
}

/**
 * Starts after the services it shows, but needs none of them: with any of them disabled or stopped
 * the UI still runs and reports it.
 */
export const uiServiceDefinition: ServiceDefinition = {
  name: "ui",
  enabledBy: "enableUI",
  dependsOn: [],
  startsAfter: ["redis", "jobs", "webdav"],
  create: (config, context) => new UIService(config, context),
};
