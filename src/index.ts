/** The public API of the heroagent package. */

// Configuration
export {
  type Config,
  type ConfigField,
  configFields,
  configSchema,
  defaultConfig,
  type LoadConfigOptions,
  loadConfig,
  type ServiceSwitch,
  validateConfig,
} from "./config.js";
// Errors
export {
  ConfigError,
  FactoryStateError,
  HeroAgentError,
  JobCorruptError,
  JobInvalidError,
  JobManagerUnavailableError,
  JobNotFoundError,
  JobParamsTooLargeError,
  JobResultTooLargeError,
  JobTransitionError,
  JobWaitTimeoutError,
  ServiceNotEnabledError,
  ServiceRegistryError,
  ServiceStartError,
  ServiceStopError,
  type ServiceStopFailure,
} from "./errors.js";
// Server factory
export {
  productServices,
  ServerFactory,
  type ServerFactoryOptions,
  type ServiceContext,
  type ServiceDefinition,
} from "./factory.js";
// Jobs (the whole job system is heroagent/jobs)
export {
  type CreateJobOptions,
  type Job,
  type JobContext,
  type JobEvent,
  type JobHandler,
  type JobListQuery,
  JobManager,
  type JobManagerOptions,
  JobStatus,
  JobWorker,
  type RunningJob,
} from "./jobs/index.js";
export { JobsService, jobsRedisTarget, jobsServiceDefinition } from "./jobs-service.js";
// Logging
export { createLogger, type Logger, type LogLevel, redactSecrets } from "./logger.js";
// Redis (the whole server is heroagent/redis)
export { RedisService, redisServiceDefinition } from "./redis-service.js";
// Services
export {
  isJobManagerProvider,
  type JobManagerProvider,
  type Service,
  type ServiceState,
  type ServiceStatus,
} from "./service.js";
// WebDAV (the whole library is heroagent/webdav)
export { WebDAVService, webdavServiceDefinition } from "./webdav-service.js";
