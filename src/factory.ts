/**
 * ServerFactory: builds the enabled services from the config, starts them in dependency order,
 * stops them in reverse, and reports their status.
 */
import { type Config, SERVICE_SWITCHES, type ServiceSwitch, validateConfig } from "./config.js";
import {
  describeError,
  FactoryStateError,
  ServiceNotEnabledError,
  ServiceStartError,
  ServiceStopError,
  type ServiceStopFailure,
} from "./errors.js";
import type { JobManager } from "./jobs/job-manager.js";
import { jobsServiceDefinition } from "./jobs-service.js";
import { createLogger, type Logger } from "./logger.js";
import { redisServiceDefinition } from "./redis-service.js";
import { isJobManagerProvider, type Service, type ServiceStatus } from "./service.js";
import { orderServices, serviceNameOf } from "./service-order.js";
import { webdavServiceDefinition } from "./webdav-service.js";

export interface ServiceContext {
  /** A child logger bound to the service's name. */
  logger: Logger;
}

export interface ServiceDefinition {
  name: string;
  /** The config switch that turns this service on. */
  enabledBy: ServiceSwitch;
  /** Services that must be running before this one starts (ignored when they are disabled). */
  dependsOn: readonly string[];
  /** Builds the service without doing I/O; resources are acquired in start(). */
  create(config: Config, context: ServiceContext): Service;
}

/**
 * The services this build provides. The UI comes with a later issue; until then enabling it is
 * reported "unavailable".
 */
export const productServices: readonly ServiceDefinition[] = [
  redisServiceDefinition,
  jobsServiceDefinition,
  webdavServiceDefinition,
];

export interface ServerFactoryOptions {
  /** Replaces productServices (tests inject their own). */
  services?: readonly ServiceDefinition[];
  /** Defaults to a stdout JSON logger at config.logLevel. */
  logger?: Logger;
}

interface Slot {
  name: string;
  enabledBy: ServiceSwitch;
  /** Absent when the service is enabled but this build has no implementation. */
  service?: Service;
  startError?: string;
}

export class ServerFactory {
  readonly config: Config;
  private readonly logger: Logger;
  /** Enabled services in start order, including unavailable ones. */
  private readonly slots: Slot[];
  private running: Slot[] = [];
  private startPromise?: Promise<void>;
  private stopPromise?: Promise<void>;

  constructor(config: Config, options: ServerFactoryOptions = {}) {
    this.config = validateConfig(config);
    this.logger = options.logger ?? createLogger(this.config.logLevel);
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
    const ordered = orderServices(
      definitions,
      (definition) => this.config[definition.enabledBy],
      unimplemented.map(serviceNameOf),
    );
    const missing = unimplemented.filter((flag) => this.config[flag]);
    const slots: Slot[] = ordered.map((definition) => ({
      name: definition.name,
      enabledBy: definition.enabledBy,
      service: definition.create(this.config, { logger: this.logger.child({ service: definition.name }) }),
    }));
    return [...slots, ...missing.map((flag) => ({ name: serviceNameOf(flag), enabledBy: flag }))];
  }

  private async startAll(): Promise<void> {
    for (const slot of this.slots) {
      if (!slot.service) {
        this.logger.warn({ service: slot.name }, "service not available in this build");
        continue;
      }
      try {
        await slot.service.start();
      } catch (error) {
        slot.startError = describeError(error);
        this.logger.error({ service: slot.name, error: slot.startError }, "service failed to start");
        const failures = await this.stopRunning();
        for (const failure of failures) {
          this.logger.error(
            { service: failure.service, error: describeError(failure.error) },
            "rollback stop failed",
          );
        }
        throw new ServiceStartError(slot.name, error);
      }
      this.running.push(slot);
      this.logger.info({ service: slot.name, address: slot.service.status().address }, "service started");
    }
  }

  private async stopAfterStart(): Promise<void> {
    // A failed start already stopped what it started and reported the error to start()'s caller.
    await this.startPromise?.catch(() => undefined);
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
