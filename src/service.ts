/**
 * The contract every HeroAgent service (redis, webdav, ui, jobs) implements, so the ServerFactory
 * can start, stop and report on them without knowing what they are.
 */
import { describeError } from "./errors.js";
import type { JobManager } from "./jobs/job-manager.js";
import type { FileSystem } from "./webdav/index.js";

export const SERVICE_STATES = [
  "stopped",
  "starting",
  "running",
  "stopping",
  "failed",
  "unavailable",
] as const;

/**
 * `unavailable` is set by the factory, never by a service: the service is enabled in the config
 * but this build has no implementation of it.
 */
export type ServiceState = (typeof SERVICE_STATES)[number];

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  /** Where clients reach it, e.g. "127.0.0.1:6379" or "unix:/tmp/redis.sock". */
  address?: string;
  /** Epoch milliseconds of the last successful start. */
  startedAt?: number;
  /** One-line reason when state is "failed" or "unavailable". */
  error?: string;
  details?: Record<string, unknown>;
}

export interface Service {
  readonly name: string;
  /**
   * Acquires the service's resources (listeners, files). If it rejects, the service must already
   * have released whatever it acquired: the factory does not call stop() on a failed start.
   */
  start(): Promise<void>;
  /** Releases every resource (listeners closed, socket files removed, stores flushed). */
  stop(): Promise<void>;
  status(): ServiceStatus;
}

/** Implemented by the jobs service so the factory can hand out its job manager. */
export interface JobManagerProvider {
  getJobManager(): JobManager;
}

export function isJobManagerProvider(service: Service): service is Service & JobManagerProvider {
  return typeof (service as Partial<JobManagerProvider>).getJobManager === "function";
}

/** Implemented by the WebDAV service so the UI's file API serves the same FileSystem. */
export interface FileSystemProvider {
  getFileSystem(): FileSystem;
}

export function isFileSystemProvider(service: Service): service is Service & FileSystemProvider {
  return typeof (service as Partial<FileSystemProvider>).getFileSystem === "function";
}

/** What a ListenerService runs: anything with start and stop (RedisServer, WebDAVServer, …). */
export interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Service around one server object: keeps its state, start time and last start error, so each
 * service only says how it is built and what its status shows.
 */
export abstract class ListenerService<S extends Startable> implements Service {
  abstract readonly name: string;
  protected state: ServiceState = "stopped";
  protected startedAt: number | undefined;
  protected error: string | undefined;

  constructor(readonly server: S) {}

  /** Starts the server; a failure leaves state "failed" with its reason, and rejects. */
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

  async stop(): Promise<void> {
    this.state = "stopping";
    await this.server.stop();
    this.state = "stopped";
  }

  abstract status(): ServiceStatus;

  /** The fields every status has, plus `address` and `details` when running. */
  protected statusWith(address: string | undefined, details: Record<string, unknown>): ServiceStatus {
    return {
      name: this.name,
      state: this.state,
      ...(address !== undefined && this.state === "running" ? { address } : {}),
      ...(this.startedAt !== undefined ? { startedAt: this.startedAt } : {}),
      ...(this.error ? { error: this.error } : {}),
      details,
    };
  }
}
