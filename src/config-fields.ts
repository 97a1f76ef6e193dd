/**
 * Reads a zod config schema as a flat list of fields, so environment variables, CLI flags, error
 * messages and docs are all derived from the one schema instead of being listed by hand.
 */
import { z } from "zod";

export type ConfigFieldKind = "boolean" | "integer" | "number" | "string" | "enum" | "list";

export interface ConfigField {
  /** Dotted path in the config object, e.g. "redis.tcpPort". */
  key: string;
  path: readonly string[];
  /** e.g. HEROAGENT_REDIS_TCP_PORT */
  envVar: string;
  /** e.g. --redis-tcp-port (booleans also accept --no-…) */
  flag: string;
  kind: ConfigFieldKind;
  defaultValue: unknown;
  description: string;
  /** The leaf schema without its default, e.g. z.number().int().min(0). */
  schema: z.ZodType;
}

/**
 * Field metadata, set with `.meta({...})` on a field schema. `externalName` overrides the
 * kebab-case name derived from the key where camelCase splitting reads badly (enableWebDAV would
 * otherwise become enable-web-dav).
 */
export interface ConfigFieldMeta {
  description?: string;
  externalName?: string;
}

export const ENV_PREFIX = "HEROAGENT_";

export function listConfigFields(schema: z.ZodObject): ConfigField[] {
  return collect(schema, schema.parse({}), [], []);
}

function collect(schema: z.ZodObject, defaults: unknown, path: string[], words: string[]): ConfigField[] {
  const fields: ConfigField[] = [];
  for (const [key, fieldSchema] of Object.entries(schema.shape)) {
    const meta = (fieldSchema.meta() ?? {}) as ConfigFieldMeta;
    const fieldPath = [...path, key];
    const fieldWords = [...words, ...(meta.externalName?.split("-") ?? camelCaseWords(key))];
    const inner = unwrapDefaults(fieldSchema);
    const defaultValue = (defaults as Record<string, unknown> | undefined)?.[key];
    if (inner instanceof z.ZodObject) {
      fields.push(...collect(inner, defaultValue, fieldPath, fieldWords));
      continue;
    }
    fields.push({
      key: fieldPath.join("."),
      path: fieldPath,
      envVar: ENV_PREFIX + fieldWords.join("_").toUpperCase(),
      flag: `--${fieldWords.join("-").toLowerCase()}`,
      kind: kindOf(inner, fieldPath.join(".")),
      defaultValue,
      description: meta.description ?? "",
      schema: inner,
    });
  }
  return fields;
}

/** "unixSocketPath" → ["unix", "Socket", "Path"]; "enableUI" → ["enable", "UI"]. */
function camelCaseWords(key: string): string[] {
  return key.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/);
}

export function unwrapDefaults(schema: z.ZodType): z.ZodType {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) {
    inner = inner.unwrap() as z.ZodType;
  }
  return inner;
}

function kindOf(schema: z.ZodType, key: string): ConfigFieldKind {
  if (schema instanceof z.ZodBoolean) return "boolean";
  if (schema instanceof z.ZodNumber) return schema.isInt ? "integer" : "number";
  if (schema instanceof z.ZodString) return "string";
  if (schema instanceof z.ZodEnum) return "enum";
  // Lists (e.g. webdav.users) are written as JSON in environment variables and flags.
  if (schema instanceof z.ZodArray) return "list";
  // A developer added a field type the env/flag coercion does not know: fail loudly at load time.
  throw new TypeError(`config field ${key}: unsupported schema type ${schema._zod.def.type}`);
}

const TRUE_WORDS = new Set(["true", "1", "yes"]);
const FALSE_WORDS = new Set(["false", "0", "no"]);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * Turns an environment/flag string into the field's type. A string that does not convert is
 * returned unchanged so validation reports it as the user wrote it.
 */
export function coerceFromString(field: ConfigField, raw: string): unknown {
  const text = raw.trim();
  if (field.kind === "boolean") {
    if (TRUE_WORDS.has(text.toLowerCase())) return true;
    if (FALSE_WORDS.has(text.toLowerCase())) return false;
    return raw;
  }
  if (field.kind === "integer" || field.kind === "number") return DECIMAL.test(text) ? Number(text) : raw;
  if (field.kind === "list") {
    try {
      return JSON.parse(text);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** What a field accepts, phrased to follow "must be": "an integer from 0 to 65535". */
export function describeAllowed(field: ConfigField, fromText: boolean): string {
  const { schema } = field;
  if (field.kind === "boolean") {
    return fromText ? "a boolean: true, false, yes, no, 1 or 0" : "a boolean: true or false";
  }
  if (schema instanceof z.ZodNumber) return describeNumber(schema);
  if (field.kind === "list") return fromText ? "a JSON list" : "a list";
  if (schema instanceof z.ZodEnum) return `one of ${schema.options.map((o) => JSON.stringify(o)).join(", ")}`;
  if (schema instanceof z.ZodString) return (schema.minLength ?? 0) > 0 ? "a non-empty string" : "a string";
  return "valid";
}

function describeNumber(schema: z.ZodNumber): string {
  const noun = schema.isInt ? "an integer" : "a number";
  // zod records int() as the safe-integer range; that is no bound a user needs to read about.
  const min = bounded(schema.minValue);
  const max = bounded(schema.maxValue);
  if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
  if (min !== undefined) return `${noun} >= ${min}`;
  if (max !== undefined) return `${noun} <= ${max}`;
  return noun;
}

function bounded(value: number | null): number | undefined {
  if (value === null || !Number.isFinite(value) || Math.abs(value) >= Number.MAX_SAFE_INTEGER) {
    return undefined;
  }
  return value;
}

/**
 * The candidate a mistyped name most likely meant: one that contains all of its words (REDIS_PORT →
 * REDIS_TCP_PORT), else the nearest by edit distance if that is close enough to be a typo.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const words = nameWords(name);
  const containing = candidates.filter((candidate) => {
    const candidateWords = nameWords(candidate);
    return words.every((word) => candidateWords.includes(word));
  });
  if (containing.length > 0) return containing.reduce((a, b) => (b.length < a.length ? b : a));
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function nameWords(name: string): string[] {
  return name
    .split(/[_.-]|(?<=[a-z0-9])(?=[A-Z])/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
