/**
 * The configuration's schema: one strict zod object per section (unknown keys are typos), every
 * field with its default and a description (docs/configuration.md lists them, checked by a test).
 * Loading and layering live in config.ts.
 */
import { z } from "zod";
import { LOG_LEVELS } from "./logger.js";
import { isPasswordHash } from "./webdav/password-hash.js";

const port = z.number().int().min(0).max(65535);

// A section is a strict object (unknown keys are typos) whose fields all have defaults; later issues
// add a section here and list it in configSchema with `.prefault({})`.
const redisSection = z.strictObject({
  tcpPort: port.default(6379).meta({ description: "TCP port of the embedded Redis server" }),
  unixSocketPath: z
    .string()
    .default("/tmp/redis.sock")
    .meta({ description: "Unix socket path of the embedded Redis server" }),
  host: z
    .string()
    .min(1)
    .default("127.0.0.1")
    .meta({ description: "address the Redis TCP listener binds to" }),
  password: z
    .string()
    .default("")
    .meta({ description: "requirepass: clients must AUTH with this password first (empty = none)" }),
  databases: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(16)
    .meta({ description: "number of Redis databases (SELECT 0 to databases-1)" }),
  maxBulkLength: z
    .number()
    .int()
    .min(1024 * 1024)
    .max(512 * 1024 * 1024)
    .default(512 * 1024 * 1024)
    .meta({ description: "proto-max-bulk-len: the longest string a Redis client may send, in bytes" }),
  appendonly: z
    .boolean()
    .default(false)
    .meta({ description: "log Redis writes to an append-only file, replayed at start" }),
  appendfsync: z
    .enum(["always", "everysec"])
    .default("everysec")
    .meta({ description: "fsync the append-only file before each reply (always) or once a second" }),
  aofPath: z
    .string()
    .min(1)
    .default("./data/redis/appendonly.aof")
    .meta({ description: "the Redis append-only file" }),
});

const jobsSection = z.strictObject({
  ourdbPath: z
    .string()
    .min(1)
    .default("./data/jobsdb")
    .meta({ description: "directory of the OurDB database holding every job's history" }),
  workerCount: z
    .number()
    .int()
    .min(0)
    .default(5)
    .meta({ description: "jobs run at once in this process (0: only remote workers run jobs)" }),
  queuePollInterval: z.number().int().min(1).default(100).meta({
    description:
      "milliseconds a worker waits on empty queues before looking again (new jobs wake it at once; idle, it backs off to 5 s)",
  }),
  redisUrl: z
    .string()
    .refine((url) => url === "" || /^rediss?:\/\/[^/]/.test(url), {
      message:
        'a redis:// or rediss:// URL (e.g. "redis://:password@host:6379/0"), or "" for the embedded server',
    })
    .default("")
    .meta({
      description: 'Redis the job queues live in, e.g. "redis://host:6379" ("" = the embedded Redis server)',
    }),
  defaultTimeout: z
    .number()
    .positive()
    .max(2_147_483)
    .default(60)
    .meta({ description: "seconds a job's handler may run when createJob gives no timeout" }),
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(3)
    .meta({ description: "runs a job gets in total (the first included) when createJob gives none" }),
  leaseTimeout: z.number().int().min(1000).default(30_000).meta({
    description: "milliseconds after which the jobs of a silent (dead) worker go back to the queue",
  }),
  enableShell: z
    .boolean()
    .default(false)
    .meta({ description: 'register the built-in "shell" topic, which runs host commands (off: unsafe)' }),
});

const webdavUser = z.strictObject({
  username: z.string().min(1),
  passwordHash: z.string().refine(isPasswordHash, {
    message:
      'a hash: "scrypt:N:r:p:salt:hash" (make one with hashPassword from heroagent/webdav) or bcrypt "$2a$", "$2b$" or "$2y$" (htpasswd -nbBC 10 user pass)',
  }),
  readOnly: z.boolean().default(false),
});

const webdavSection = z.strictObject({
  host: z.string().min(1).default("127.0.0.1").meta({ description: "address the WebDAV listener binds to" }),
  port: port.default(9999).meta({ description: "TCP port of the WebDAV server" }),
  root: z
    .string()
    .min(1)
    .default("./data/webdav")
    .meta({ description: "directory served over WebDAV (created if missing)" }),
  basePath: z
    .string()
    .default("")
    .meta({ description: 'URL prefix the WebDAV server answers under, e.g. "/dav" ("" is the root)' }),
  users: z.array(webdavUser).default([]).meta({
    description: "users allowed in with HTTP Basic: {username, passwordHash, readOnly}; none means open",
  }),
  allowInfinityDepth: z
    .boolean()
    .default(true)
    .meta({ description: "answer PROPFIND with Depth: infinity (false refuses it with 403)" }),
  idleTimeout: z
    .number()
    .int()
    .min(1000)
    .default(120_000)
    .meta({ description: "milliseconds without traffic after which a WebDAV connection is closed" }),
  https: z
    .strictObject({
      enabled: z.boolean().default(false).meta({ description: "serve WebDAV over HTTPS" }),
      certFile: z.string().default("").meta({
        description: "PEM certificate file; with keyFile empty too, a self-signed one is generated",
      }),
      keyFile: z.string().default("").meta({ description: "PEM private key file of certFile" }),
    })
    .prefault({}),
});

const uiSection = z.strictObject({
  host: z
    .string()
    .min(1)
    .default("127.0.0.1")
    .meta({ description: "address the web UI and REST API bind to" }),
  port: port.default(9001).meta({ description: "TCP port of the web UI and REST API" }),
  password: z.string().default("").meta({
    description: "login password of the UI and API (empty = a random token printed once at start)",
  }),
  readOnly: z
    .boolean()
    .default(false)
    .meta({ description: "refuse every change through the UI and API (login and logout still work)" }),
  maxUploadSize: z
    .number()
    .int()
    .min(0)
    .default(1024 * 1024 * 1024)
    .meta({ description: "largest file in bytes the API accepts in one upload (0 = no limit)" }),
});

const serviceSwitch = (service: string, externalName?: string) =>
  z
    .boolean()
    .default(true)
    .meta({ description: `run the ${service}`, ...(externalName ? { externalName } : {}) });

export const configSchema = z.strictObject({
  logLevel: z.enum(LOG_LEVELS).default("info").meta({ description: "minimum level of log lines" }),
  enableRedis: serviceSwitch("embedded Redis server"),
  enableWebDAV: serviceSwitch("WebDAV server", "enable-webdav"),
  enableUI: serviceSwitch("web UI server"),
  enableJobs: serviceSwitch("job system"),
  redis: redisSection.prefault({}),
  jobs: jobsSection.prefault({}),
  webdav: webdavSection.prefault({}),
  ui: uiSection.prefault({}),
});

export type Config = z.output<typeof configSchema>;

/** The config keys that switch a service on or off (enableRedis, enableWebDAV, …). */
export type ServiceSwitch = Extract<keyof Config, `enable${string}`>;

export const SERVICE_SWITCHES = Object.keys(configSchema.shape).filter((key) =>
  key.startsWith("enable"),
) as ServiceSwitch[];
