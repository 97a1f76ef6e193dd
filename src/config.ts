/**
 * HeroAgent's configuration: a loader that layers a file, HEROAGENT_* environment variables and CLI
 * flags over the defaults of the schema (config-schema.ts), with one-line errors naming the source.
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
import { type Config, configSchema } from "./config-schema.js";
import { ConfigError, describeError } from "./errors.js";

export type { ConfigField } from "./config-fields.js";

export { type Config, configSchema, SERVICE_SWITCHES, type ServiceSwitch } from "./config-schema.js";

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
  // A refinement's own words; its value is not echoed (a URL or hash may hold a secret).
  if (issue.code === "custom") return [`${key} must be ${issue.message} (from ${source})`];
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
