/**
 * HeroAgent's configuration: one zod object per section, defaults in the schema, and a loader that
 * layers a file, HEROAGENT_* environment variables and CLI flags over the defaults.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import {
  type ConfigField,
  closestName,
  coerceFromString,
  describeAllowed,
  ENV_PREFIX,
  listConfigFields,
  unwrapDefaults,
} from "./config-fields.js";
import { ConfigError, describeError } from "./errors.js";
import { LOG_LEVELS } from "./logger.js";
import { isPasswordHash } from "./webdav/password-hash.js";

export type { ConfigField } from "./config-fields.js";

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
  redisUrl: z.string().default("").meta({
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

const FIELDS = listConfigFields(configSchema);
const FIELDS_BY_KEY = new Map(FIELDS.map((field) => [field.key, field]));
const FIELDS_BY_ENV = new Map(FIELDS.map((field) => [field.envVar, field]));

/** HEROAGENT_* variables that are not configuration (test tooling), so they are not typos. */
const NON_CONFIG_ENV_VARS = new Set(["HEROAGENT_REQUIRE_TOOLS"]);

/** Every leaf setting with its env var, flag and description, in schema order. */
export function configFields(): readonly ConfigField[] {
  return FIELDS;
}

export function defaultConfig(): Config {
  return configSchema.parse({});
}

export interface LoadConfigOptions {
  /** A .yaml, .yml or .json file. */
  file?: string;
  /** Usually process.env; only HEROAGENT_* variables are read. Omitted = no environment. */
  env?: Record<string, string | undefined>;
  /** Keyed by dotted field key ("redis.tcpPort"); strings are coerced like environment values. */
  flags?: Record<string, string | number | boolean | undefined>;
}

/** Where each value came from, by dotted path, so an error can name the source. */
type Sources = Map<string, string>;

/** The raw values merged so far, before validation, and where each came from. */
interface Layered {
  value: Record<string, unknown>;
  sources: Sources;
}

/** Defaults < file < environment < flags. Throws ConfigError with a one-line message. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const layered: Layered = { value: {}, sources: new Map() };
  if (options.file !== undefined) {
    mergeObject(layered, readConfigFile(options.file), [], options.file);
  }
  const problems = [...applyEnv(layered, options.env ?? {}), ...applyFlags(layered, options.flags ?? {})];
  return parseOrThrow(layered.value, layered.sources, problems);
}

/** Validates a config object built in code (e.g. defaultConfig() edited by a library user). */
export function validateConfig(value: unknown): Config {
  return parseOrThrow(value, new Map([["", "the config object"]]), []);
}

function applyEnv(layered: Layered, env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || NON_CONFIG_ENV_VARS.has(name)) continue;
    const field = FIELDS_BY_ENV.get(name);
    if (field) setField(layered, field, coerceFromString(field, value), name);
    else problems.push(unknownName("environment variable", name, [...FIELDS_BY_ENV.keys()]));
  }
  return problems;
}

function applyFlags(layered: Layered, flags: NonNullable<LoadConfigOptions["flags"]>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const field = FIELDS_BY_KEY.get(key);
    if (!field) {
      problems.push(unknownName("flag key", key, [...FIELDS_BY_KEY.keys()]));
      continue;
    }
    setField(layered, field, typeof value === "string" ? coerceFromString(field, value) : value, field.flag);
  }
  return problems;
}

function parseOrThrow(value: unknown, sources: Sources, problems: string[]): Config {
  const result = configSchema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...describeIssue(issue, value, sources));
  }
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(`invalid config: ${problems.join("; ")}`);
  }
  return result.data;
}

function readConfigFile(file: string): Record<string, unknown> {
  const extension = extname(file).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(extension)) {
    throw new ConfigError(
      `config file ${file}: unsupported extension "${extension}" (use .yaml, .yml or .json)`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${describeError(error)}`, { cause: error });
  }
  const format = extension === ".json" ? "JSON" : "YAML";
  let parsed: unknown;
  try {
    parsed = format === "JSON" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    // The YAML parser appends a multi-line excerpt of the file; its first line names the position.
    const reason = describeError(error instanceof Error ? error.message.split("\n")[0] : error);
    throw new ConfigError(`config file ${file} is not valid ${format}: ${reason}`, { cause: error });
  }
  if (parsed === null || parsed === undefined) return {}; // an empty file configures nothing
  if (!isPlainObject(parsed)) {
    throw new ConfigError(
      `config file ${file} must contain a mapping of settings (got ${showValue(parsed)})`,
    );
  }
  return parsed;
}

function mergeObject(layered: Layered, layer: Record<string, unknown>, path: string[], source: string): void {
  let target = layered.value;
  for (const segment of path) target = target[segment] as Record<string, unknown>;
  for (const [key, value] of Object.entries(layer)) {
    if (isPlainObject(value) && isPlainObject(target[key])) {
      mergeObject(layered, value, [...path, key], source);
    } else {
      target[key] = value;
      recordSource(layered.sources, [...path, key].join("."), source);
    }
  }
}

function setField(layered: Layered, field: ConfigField, value: unknown, source: string): void {
  let node = layered.value;
  for (const segment of field.path.slice(0, -1)) {
    const child = node[segment];
    node[segment] = isPlainObject(child) ? child : {};
    node = node[segment] as Record<string, unknown>;
  }
  node[field.path[field.path.length - 1] as string] = value;
  recordSource(layered.sources, field.key, source);
}

function recordSource(sources: Sources, key: string, source: string): void {
  for (const known of sources.keys()) if (known.startsWith(`${key}.`)) sources.delete(known);
  sources.set(key, source);
}

/** The source of a value, or of the nearest enclosing value set as a whole (a file's section). */
function sourceOf(sources: Sources, key: string): string {
  for (let path = key; ; path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "") {
    const source = sources.get(path);
    if (source !== undefined) return source;
    if (path === "") return "the config";
  }
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, sources: Sources): string[] {
  const key = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const known = Object.keys(sectionShape(issue.path) ?? {});
    return issue.keys.map((name) => {
      const fullKey = key ? `${key}.${name}` : name;
      const hint = closestName(name, known);
      const suggestion = hint ? ` (did you mean "${key ? `${key}.${hint}` : hint}"?)` : "";
      return `unknown key "${fullKey}" in ${sourceOf(sources, fullKey)}${suggestion}`;
    });
  }
  const source = sourceOf(sources, key);
  const field = FIELDS_BY_KEY.get(key);
  const fromText = source.startsWith(ENV_PREFIX) || source.startsWith("--");
  const section = sectionShape(issue.path);
  const allowed = field
    ? describeAllowed(field, fromText)
    : section
      ? `a mapping with keys ${Object.keys(section).join(", ")}`
      : issue.message;
  return [
    `${key || "the config"} must be ${allowed} (got ${showValue(valueAt(input, issue.path))} from ${source})`,
  ];
}

/** The shape of the (sub)section at `path`, or undefined if `path` is a leaf or unknown. */
function sectionShape(path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let schema: z.ZodType = configSchema;
  for (const segment of path) {
    if (!(schema instanceof z.ZodObject)) return undefined;
    const child = schema.shape[String(segment)] as z.ZodType | undefined;
    if (!child) return undefined;
    schema = unwrapDefaults(child);
  }
  return schema instanceof z.ZodObject ? schema.shape : undefined;
}

function unknownName(what: string, name: string, known: readonly string[]): string {
  const hint = closestName(name, known);
  return `unknown ${what} ${name}${hint ? ` (did you mean ${hint}?)` : ""}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) value = isPlainObject(value) ? value[String(segment)] : undefined;
  return value;
}

function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (isPlainObject(value)) return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
