/**
 * ServerFactory: builds the enabled services from the config, starts them in dependency order,
 * stops them in reverse, and reports their status.
 */
import { type Config, SERVICE_SWITCHES, type ServiceSwitch, validateConfig } from "./config.js";
import {
  describeError,
  FactoryStateError,
  ServiceDependencyError,
  ServiceNotEnabledError,
  ServiceStartError,
  ServiceStopError,
  type ServiceStopFailure,
} from "./errors.js";
import type { JobManager } from "./jobs/job-manager.js";
import { jobsServiceDefinition } from "./jobs-service.js";
import { LogBuffer } from "./log-buffer.js";
import { createLogger, type Logger } from "./logger.js";
import { redisServiceDefinition } from "./redis-service.js";
import { isJobManagerProvider, type Service, type ServiceStatus } from "./service.js";
import { orderServices, serviceNameOf } from "./service-order.js";
import { uiServiceDefinition } from "./ui-service.js";
import { webdavServiceDefinition } from "./webdav-service.js";

export interface ServiceContext {
  /** A child logger bound to the service's name. */
  logger: Logger;
  /** The factory running the service, for services that report on or control the others (the UI). */
  factory: ServerFactory;
}

export interface ServiceDefinition {
  name: string;
  /** The config switch that turns this service on. */
  enabledBy: ServiceSwitch;
  /** Services that must be running before this one starts (ignored when they are disabled). */
  dependsOn: readonly string[];
  /**
   * Services started before this one when enabled, that it can do without: unlike dependsOn, they
   * may be stopped while this one runs (the UI reports a stopped service rather than needing it).
   */
  startsAfter?: readonly string[];
  /** Builds the service without doing I/O; resources are acquired in start(). */
  create(config: Config, context: ServiceContext): Service;
}

/** The services this build provides. */
export const productServices: readonly ServiceDefinition[] = [
  redisServiceDefinition,
  jobsServiceDefinition,
  webdavServiceDefinition,
  uiServiceDefinition,
];

export interface ServerFactoryOptions {
  /** Replaces productServices (tests inject their own). */
  services?: readonly ServiceDefinition[];
  /** Defaults to a stdout JSON logger at config.logLevel that also writes to `logs`. */
  logger?: Logger;
  /** The recent lines of `logger` (pass the buffer the logger writes to; see createLogger). */
  logs?: LogBuffer;
}

interface Slot {
  name: string;
  enabledBy: ServiceSwitch;
  dependsOn: readonly string[];
  /** Absent when the service is enabled but this build has no implementation. */
  service?: Service;
  startError?: string;
}

export class ServerFactory {
  readonly config: Config;
  private readonly logger: Logger;
  /** The recent log lines, for the UI. */
  readonly logs: LogBuffer;
  /** Enabled services in start order, including unavailable ones. */
  private readonly slots: Slot[];
  private running: Slot[] = [];
  private startPromise?: Promise<void>;
  private stopPromise?: Promise<void>;
  /** stopService/startService calls, one at a time. */
  private serviceChanges: Promise<unknown> = Promise.resolve();

  constructor(config: Config, options: ServerFactoryOptions = {}) {
    this.config = validateConfig(config);
    this.logs = options.logs ?? new LogBuffer();
    this.logger = options.logger ?? createLogger(this.config.logLevel, undefined, this.logs);
    this.slots = this.buildSlots(options.services ?? productServices);
  }

  /** Starts every available service in dependency order; on a failure, stops those already started. */
  start(): Promise<void> {
    if (this.stopPromise) {
      return Promise.reject(
        new FactoryStateError("ServerFactory was stopped; create a new one to start again"),
      );
    }
    if (this.startPromise) {
      return Promise.reject(new FactoryStateError("ServerFactory.start() was already called"));
    }
    this.startPromise = this.startAll();
    return this.startPromise;
  }

  /**
   * Stops the running services in reverse start order. Idempotent: every call returns the same
   * promise. Waits for a start in progress first.
   */
  stop(): Promise<void> {
    this.stopPromise ??= this.stopAfterStart();
    return this.stopPromise;
  }

  status(): ServiceStatus[] {
    return this.slots.map((slot) => {
      if (!slot.service) {
        return { name: slot.name, state: "unavailable", error: "not available in this build" };
      }
      const status = slot.service.status();
      return slot.startError ? { ...status, state: "failed", error: slot.startError } : status;
    });
  }

  /** The service named `name` when it is enabled and in this build, else undefined. */
  getService(name: string): Service | undefined {
    return this.slots.find((slot) => slot.name === name)?.service;
  }

  /**
   * Stops one running service of a started factory (a no-op when it is not running). Refused with
   * ServiceDependencyError while a running service depends on it.
   */
  stopService(name: string): Promise<void> {
    return this.changeService(name, async (slot) => {
      if (!this.running.includes(slot)) return;
      const dependents = this.running.filter((other) => other.dependsOn.includes(name));
      if (dependents.length > 0) {
        const names = dependents.map((other) => other.name).join(", ");
        throw new ServiceDependencyError(
          `cannot stop "${name}": ${names} depends on it (stop ${names} first)`,
        );
      }
      this.running = this.running.filter((other) => other !== slot);
      await slot.service?.stop();
      this.logger.info({ service: name }, "service stopped");
    });
  }

  /**
   * Starts one stopped service of a started factory (a no-op when it is running). Refused with
   * ServiceDependencyError while a service it depends on is not running.
   */
  startService(name: string): Promise<void> {
    return this.changeService(name, async (slot) => {
      if (this.running.includes(slot)) return;
      const missing = slot.dependsOn.filter((dependency) => {
        const other = this.slots.find((candidate) => candidate.name === dependency);
        return other !== undefined && !this.running.includes(other);
      });
      if (missing.length > 0) {
        const names = missing.join(", ");
        throw new ServiceDependencyError(
          `cannot start "${name}": it needs ${names} running (start ${names} first)`,
        );
      }
      await this.startSlot(slot);
    });
  }

  /** The jobs service's job manager. Throws ServiceNotEnabledError if jobs is off or not in this build. */
  getJobManager(): JobManager {
    if (!this.config.enableJobs) {
      throw new ServiceNotEnabledError(
        "jobs",
        "enableJobs is false (set HEROAGENT_ENABLE_JOBS=true or --enable-jobs)",
      );
    }
    const provider = this.slots.find((slot) => slot.enabledBy === "enableJobs" && slot.service)?.service;
    if (!provider || !isJobManagerProvider(provider)) {
      throw new ServiceNotEnabledError("jobs", "the job system is not available in this build");
    }
    return provider.getJobManager();
  }

  private buildSlots(definitions: readonly ServiceDefinition[]): Slot[] {
    const implemented = new Set(definitions.map((definition) => definition.enabledBy));
    const unimplemented = SERVICE_SWITCHES.filter((flag) => !implemented.has(flag));
    // Ordering counts startsAfter like dependsOn; only dependsOn binds at stopService/startService.
    const ordered = orderServices(
      definitions.map((definition) => ({
        definition,
        name: definition.name,
        enabledBy: definition.enabledBy,
        dependsOn: [...definition.dependsOn, ...(definition.startsAfter ?? [])],
      })),
      ({ definition }) => this.config[definition.enabledBy],
      unimplemented.map(serviceNameOf),
    );
    const missing = unimplemented.filter((flag) => this.config[flag]);
    const slots: Slot[] = ordered.map(({ definition }) => ({
      name: definition.name,
      enabledBy: definition.enabledBy,
      dependsOn: definition.dependsOn,
      service: definition.create(this.config, {
        logger: this.logger.child({ service: definition.name }),
        factory: this,
      }),
    }));
    return [
      ...slots,
      ...missing.map((flag) => ({ name: serviceNameOf(flag), enabledBy: flag, dependsOn: [] })),
    ];
  }

  private async startAll(): Promise<void> {
    for (const slot of this.slots) {
      if (!slot.service) {
        this.logger.warn({ service: slot.name }, "service not available in this build");
        continue;
      }
      try {
        await this.startSlot(slot);
      } catch (error) {
        const failures = await this.stopRunning();
        for (const failure of failures) {
          this.logger.error(
            { service: failure.service, error: describeError(failure.error) },
            "rollback stop failed",
          );
        }
        throw error;
      }
    }
  }

  /** Starts one slot's service and records it running; a failure is logged and thrown as ServiceStartError. */
  private async startSlot(slot: Slot): Promise<void> {
    const service = slot.service as Service;
    slot.startError = undefined;
    try {
      await service.start();
    } catch (error) {
      slot.startError = describeError(error);
      this.logger.error({ service: slot.name, error: slot.startError }, "service failed to start");
      throw new ServiceStartError(slot.name, error);
    }
    this.running.push(slot);
    this.logger.info({ service: slot.name, address: service.status().address }, "service started");
  }

  /** Runs `change` on the named service's slot once earlier changes are done, on a started factory. */
  private changeService(name: string, change: (slot: Slot) => Promise<void>): Promise<void> {
    const run = async () => {
      const slot = this.slots.find((candidate) => candidate.name === name);
      if (!slot?.service) {
        throw new ServiceNotEnabledError(
          name,
          slot ? "not available in this build" : "no such service is enabled",
        );
      }
      if (!this.startPromise || this.stopPromise) {
        throw new FactoryStateError(
          "services can be started or stopped one by one only while the factory runs",
        );
      }
      await this.startPromise;
      await change(slot);
    };
    const result = this.serviceChanges.then(run, run);
    this.serviceChanges = result.catch(() => undefined);
    return result;
  }

  private async stopAfterStart(): Promise<void> {
    // A failed start already stopped what it started and reported the error to start()'s caller.
    await this.startPromise?.catch(() => undefined);
    await this.serviceChanges;
    const failures = await this.stopRunning();
    if (failures.length > 0) throw new ServiceStopError(failures);
  }

  /** Stops running services in reverse order, continuing past failures, and returns them. */
  private async stopRunning(): Promise<ServiceStopFailure[]> {
    const failures: ServiceStopFailure[] = [];
    const toStop = this.running.reverse();
    this.running = [];
    for (const slot of toStop) {
      try {
        await slot.service?.stop();
        this.logger.info({ service: slot.name }, "service stopped");
      } catch (error) {
        failures.push({ service: slot.name, error });
        this.logger.error({ service: slot.name, error: describeError(error) }, "service failed to stop");
      }
    }
    return failures;
  }
}
