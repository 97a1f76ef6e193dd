/**
 * The contract every HeroAgent service (redis, webdav, ui, jobs) implements, so the ServerFactory
 * can start, stop and report on them without knowing what they are.
 */

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

/**
 * Implemented by the jobs service so the factory can hand out its job manager. The manager is typed
 * `unknown` until the JobManager class exists.
 */
export interface JobManagerProvider {
  getJobManager(): unknown;
}

export function isJobManagerProvider(service: Service): service is Service & JobManagerProvider {
  return typeof (service as Partial<JobManagerProvider>).getJobManager === "function";
}
