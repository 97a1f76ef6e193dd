/**
 * createJob's options: validated once, with messages that name the option and the value, and
 * resolved to the concrete values stored in the job record.
 */
import { JobInvalidError, JobParamsTooLargeError } from "../errors.js";
import { TOPIC_PATTERN, utf8Bytes, VALUE_BYTES_MAX } from "./limits.js";

export interface Backoff {
  type: "exponential" | "fixed";
  /** Milliseconds before the first retry (exponential: doubled for each further one). */
  delay: number;
  /** Upper bound of one wait, in milliseconds. */
  maxDelay: number;
  /** Spread retries over [delay/2, delay] so failed jobs do not retry in lockstep. */
  jitter: boolean;
}

export interface CreateJobOptions {
  /** Seconds the handler may run; default from the configuration. */
  timeout?: number;
  /** Runs in total, the first included (1 = no retry). */
  maxAttempts?: number;
  backoff?: Partial<Backoff>;
  /** Milliseconds from now before the job may run; exclusive with runAt. */
  delay?: number;
  /** Epoch milliseconds or a Date before which the job does not run; exclusive with delay. */
  runAt?: number | Date;
  /** Integer in [-1000, 1000]; higher runs first within a topic. Default 0. */
  priority?: number;
}

export interface ResolvedJobOptions {
  timeout: number;
  maxAttempts: number;
  backoff: Backoff;
  runAt: number;
  priority: number;
}

export interface JobDefaults {
  timeout: number;
  maxAttempts: number;
  backoff: Backoff;
}

/** More than one attempt by default: a worker killed mid-job must not cost the job its only run. */
export const DEFAULT_JOB_DEFAULTS: JobDefaults = {
  timeout: 60,
  maxAttempts: 3,
  backoff: { type: "exponential", delay: 1000, maxDelay: 3_600_000, jitter: true },
};

/** setTimeout overflows past 2^31-1 ms, so no timer we arm may be longer. */
const TIMER_MS_MAX = 2 ** 31 - 1;
export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
const ATTEMPTS_MAX = 1000;
const OPTION_KEYS = new Set(["timeout", "maxAttempts", "backoff", "delay", "runAt", "priority"]);
const BACKOFF_KEYS = new Set(["type", "delay", "maxDelay", "jitter"]);

export function validateTopic(topic: unknown): string {
  if (typeof topic !== "string" || !TOPIC_PATTERN.test(topic)) {
    throw new JobInvalidError(
      `topic must be 1-128 characters of letters, digits, '_', '.', '-' starting with a letter or digit (got ${show(topic)})`,
    );
  }
  return topic;
}

export function validateParams(params: unknown): string {
  if (typeof params !== "string") throw new JobInvalidError(`params must be a string (got ${typeof params})`);
  const bytes = utf8Bytes(params);
  if (bytes > VALUE_BYTES_MAX) throw new JobParamsTooLargeError(bytes, VALUE_BYTES_MAX);
  return params;
}

export function resolveJobOptions(
  options: CreateJobOptions = {},
  defaults: JobDefaults = DEFAULT_JOB_DEFAULTS,
  now = Date.now(),
): ResolvedJobOptions {
  if (typeof options !== "object" || options === null) throw new JobInvalidError("options must be an object");
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new JobInvalidError(`unknown createJob option "${key}"`);
  }
  const timeout = options.timeout ?? defaults.timeout;
  if (!(typeof timeout === "number" && timeout > 0 && timeout * 1000 <= TIMER_MS_MAX)) {
    throw new JobInvalidError(
      `timeout must be a number of seconds in (0, ${TIMER_MS_MAX / 1000}] (got ${show(timeout)})`,
    );
  }
  const maxAttempts = options.maxAttempts ?? defaults.maxAttempts;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= ATTEMPTS_MAX)) {
    throw new JobInvalidError(
      `maxAttempts must be an integer from 1 to ${ATTEMPTS_MAX} (got ${show(maxAttempts)})`,
    );
  }
  const priority = options.priority ?? 0;
  if (!(Number.isInteger(priority) && priority >= PRIORITY_MIN && priority <= PRIORITY_MAX)) {
    throw new JobInvalidError(
      `priority must be an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX} (got ${show(priority)})`,
    );
  }
  return {
    timeout,
    maxAttempts,
    backoff: resolveBackoff(options.backoff, defaults.backoff),
    runAt: resolveRunAt(options, now),
    priority,
  };
}

/** The latest time a Date can hold: a later runAt could never be shown or reached. */
export const RUN_AT_MAX = 8_640_000_000_000_000;

function resolveRunAt(options: CreateJobOptions, now: number): number {
  if (options.delay !== undefined && options.runAt !== undefined) {
    throw new JobInvalidError("give either delay or runAt, not both");
  }
  if (options.delay !== undefined) {
    const delay = options.delay;
    if (!(typeof delay === "number" && Number.isFinite(delay) && delay >= 0 && now + delay <= RUN_AT_MAX)) {
      throw new JobInvalidError(
        `delay must be milliseconds from 0 to ${RUN_AT_MAX - now} (the year 275760) (got ${show(delay)})`,
      );
    }
    return now + Math.ceil(delay);
  }
  if (options.runAt !== undefined) {
    const at = options.runAt instanceof Date ? options.runAt.getTime() : options.runAt;
    if (!(typeof at === "number" && Number.isFinite(at) && at >= 0 && at <= RUN_AT_MAX)) {
      throw new JobInvalidError(
        `runAt must be a Date or epoch milliseconds up to ${RUN_AT_MAX} (got ${show(options.runAt)})`,
      );
    }
    return Math.ceil(at);
  }
  return now;
}

function resolveBackoff(given: Partial<Backoff> | undefined, fallback: Backoff): Backoff {
  if (given === undefined) return { ...fallback };
  if (typeof given !== "object" || given === null) throw new JobInvalidError("backoff must be an object");
  for (const key of Object.keys(given)) {
    if (!BACKOFF_KEYS.has(key)) throw new JobInvalidError(`unknown backoff option "${key}"`);
  }
  const backoff = { ...fallback, ...given };
  if (backoff.type !== "exponential" && backoff.type !== "fixed") {
    throw new JobInvalidError(`backoff.type must be "exponential" or "fixed" (got ${show(backoff.type)})`);
  }
  for (const key of ["delay", "maxDelay"] as const) {
    const ms = backoff[key];
    if (!(typeof ms === "number" && Number.isFinite(ms) && ms >= 0 && ms <= TIMER_MS_MAX)) {
      throw new JobInvalidError(
        `backoff.${key} must be milliseconds from 0 to ${TIMER_MS_MAX} (got ${show(ms)})`,
      );
    }
  }
  if (typeof backoff.jitter !== "boolean") throw new JobInvalidError("backoff.jitter must be a boolean");
  return backoff;
}

/** Milliseconds to wait before run number `attempt + 1`, after `attempt` (≥ 1) failed runs. */
export function backoffDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const base = backoff.type === "fixed" ? backoff.delay : backoff.delay * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(base, backoff.maxDelay);
  return Math.round(backoff.jitter ? capped / 2 + (random() * capped) / 2 : capped);
}

const show = (value: unknown) => {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value instanceof Date ? `Date(${value.getTime()})` : String(value);
};
