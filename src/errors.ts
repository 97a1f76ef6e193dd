/**
 * The error catalogue of the spine (config, factory, services) and of the job system. Every error
 * carries a stable `code` so callers and tests can branch on it without matching message text.
 */

export class HeroAgentError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The configuration could not be read or is invalid. The message is one line meant for humans. */
export class ConfigError extends HeroAgentError {
  constructor(message: string, options?: ErrorOptions) {
    super("HEROAGENT_ERR_CONFIG", message, options);
  }
}

/** A service definition list the factory cannot order: duplicate name, unknown dependency, cycle. */
export class ServiceRegistryError extends HeroAgentError {
  constructor(message: string) {
    super("HEROAGENT_ERR_SERVICE_REGISTRY", message);
  }
}

/** `start()` called on a factory that was already started or stopped. */
export class FactoryStateError extends HeroAgentError {
  constructor(message: string) {
    super("HEROAGENT_ERR_FACTORY_STATE", message);
  }
}

export class ServiceStartError extends HeroAgentError {
  readonly service: string;

  constructor(service: string, cause: unknown) {
    super("HEROAGENT_ERR_SERVICE_START", `service "${service}" failed to start: ${describeError(cause)}`, {
      cause,
    });
    this.service = service;
  }
}

export interface ServiceStopFailure {
  service: string;
  error: unknown;
}

/** One or more services failed to stop; the others were still stopped. */
export class ServiceStopError extends HeroAgentError {
  readonly failures: readonly ServiceStopFailure[];

  constructor(failures: readonly ServiceStopFailure[]) {
    const list = failures.map((f) => `"${f.service}" (${describeError(f.error)})`).join(", ");
    super("HEROAGENT_ERR_SERVICE_STOP", `failed to stop ${failures.length} service(s): ${list}`);
    this.failures = failures;
  }
}

/** A caller asked for something from a service that is disabled or not part of this build. */
export class ServiceNotEnabledError extends HeroAgentError {
  readonly service: string;

  constructor(service: string, reason: string) {
    super("HEROAGENT_ERR_SERVICE_NOT_ENABLED", `service "${service}" is not available: ${reason}`);
    this.service = service;
  }
}

/** stopService/startService refused: a running service needs this one, or it needs one not running. */
export class ServiceDependencyError extends HeroAgentError {
  constructor(message: string) {
    super("HEROAGENT_ERR_SERVICE_DEPENDENCY", message);
  }
}

/** A job's topic, params or createJob/listJobs options are not acceptable. */
export class JobInvalidError extends HeroAgentError {
  constructor(message: string) {
    super("HEROAGENT_ERR_JOB_INVALID", message);
  }
}

/** createJob refuses params over the 1 MiB limit rather than cutting them. */
export class JobParamsTooLargeError extends HeroAgentError {
  constructor(bytes: number, limit: number) {
    super(
      "HEROAGENT_ERR_JOB_PARAMS_TOO_LARGE",
      `job params of ${bytes} bytes exceed the limit of ${limit} bytes`,
    );
  }
}

/** The store refuses a result over the limit; the caller fails the job with "result too large". */
export class JobResultTooLargeError extends HeroAgentError {
  constructor(bytes: number, limit: number) {
    super(
      "HEROAGENT_ERR_JOB_RESULT_TOO_LARGE",
      `job result of ${bytes} bytes exceeds the limit of ${limit} bytes`,
    );
  }
}

export class JobNotFoundError extends HeroAgentError {
  readonly jobId: number;

  constructor(jobId: number) {
    super("HEROAGENT_ERR_JOB_NOT_FOUND", `job ${jobId} not found`);
    this.jobId = jobId;
  }
}

/** A status change the job state machine does not allow (e.g. done → active). */
export class JobTransitionError extends HeroAgentError {
  constructor(message: string) {
    super("HEROAGENT_ERR_JOB_TRANSITION", message);
  }
}

/** waitForJob's timeout passed before the job finished (the job itself is untouched). */
export class JobWaitTimeoutError extends HeroAgentError {
  readonly jobId: number;

  constructor(jobId: number, timeoutMs: number) {
    super("HEROAGENT_ERR_JOB_WAIT_TIMEOUT", `job ${jobId} did not finish within ${timeoutMs} ms`);
    this.jobId = jobId;
  }
}

/**
 * No job manager answers: Redis is unreachable, no heroagent with enableJobs reads the requests, or
 * the JobManager was closed while a caller waited.
 */
export class JobManagerUnavailableError extends HeroAgentError {
  constructor(message: string) {
    super("HEROAGENT_ERR_JOB_MANAGER_UNAVAILABLE", message);
  }
}

/** A stored job record or one of its chunks cannot be read back as written. */
export class JobCorruptError extends HeroAgentError {
  constructor(message: string, options?: ErrorOptions) {
    super("HEROAGENT_ERR_JOB_CORRUPT", message, options);
  }
}

/**
 * A request to the UI's REST API that cannot be served as asked; `status` is the HTTP status.
 * Codes: HEROAGENT_ERR_VALIDATION (400), _UNAUTHORIZED (401), _FORBIDDEN, _CSRF, _READ_ONLY (403),
 * _NOT_FOUND (404), _CONFLICT (409), _PAYLOAD_TOO_LARGE (413), _RATE_LIMITED (429),
 * _INTERNAL (500), _SERVICE_NOT_RUNNING (503).
 */
export class UIRequestError extends HeroAgentError {
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** A one-line description of anything thrown, for logs and CLI output (never a stack trace). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.replace(/\s*\n\s*/g, " ").trim();
}
