import { type DestinationStream, type Logger, pino } from "pino";
import type { LogBuffer } from "./log-buffer.js";

export type { Logger };

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const REDACTED = "[redacted]";
const SECRET_KEY = /password|secret|token/i;
const SECRET_NAMES = ["password", "secret", "token"];

// pino's own redaction is a safety net for secrets logged directly (it needs fixed paths, so it
// covers the exact names a few levels deep); config objects go through redactSecrets() first.
const SECRET_PATHS = SECRET_NAMES.flatMap((name) => [name, `*.${name}`, `*.*.${name}`, `*.*.*.${name}`]);

/**
 * A JSON logger writing to `destination` (e.g. a test capture) or else to stdout, and to `recent`
 * (the UI's Logs page) when given. Stdout writes are synchronous: with pino's async default, lines
 * written just before a signal-driven exit came out reordered or were lost.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream, recent?: LogBuffer): Logger {
  const options = { name: "heroagent", level, redact: { paths: SECRET_PATHS, censor: REDACTED } };
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  if (!recent || level === "silent") return pino(options, out);
  const streams = [
    { level, stream: out },
    { level, stream: recent },
  ];
  return pino(options, pino.multistream(streams));
}

/**
 * A deep copy of `value` where every key whose name contains password, secret or token has its
 * value replaced, so a config can be printed or logged whole.
 */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item)) as T;
  if (value === null || typeof value !== "object") return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_KEY.test(key) && item !== undefined ? REDACTED : redactSecrets(item);
  }
  return copy as T;
}
