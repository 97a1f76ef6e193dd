/** Shared pieces of `heroagent worker` and `heroagent job …`: the Redis flags and number parsers. */
import { existsSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../config.js";
import type { RedisTarget } from "../jobs/redis-client.js";

export interface RedisFlags {
  redis?: string;
  redisSocket?: string;
}

/** `--redis URL` and `--redis-socket PATH` (one or the other). */
export function addRedisOptions(command: Command, defaultHelp: string): Command {
  return command
    .addOption(
      new Option("--redis <url>", `Redis URL, redis://[:password@]host:port[/db] (default: ${defaultHelp})`)
        .argParser(redisUrl)
        .conflicts("redisSocket"),
    )
    .addOption(
      new Option(
        "--redis-socket <path>",
        "Redis Unix socket instead of --redis (its password, if any, from HEROAGENT_REDIS_PASSWORD)",
      ),
    );
}

/** The target the flags name, or `fallback()` when they name none. */
export function redisTargetFrom(flags: RedisFlags, fallback: () => RedisTarget): RedisTarget {
  if (flags.redisSocket !== undefined) {
    const password = process.env.HEROAGENT_REDIS_PASSWORD;
    return { path: flags.redisSocket, ...(password ? { password } : {}) };
  }
  if (flags.redis !== undefined) return flags.redis;
  return fallback();
}

/**
 * The Redis a local `heroagent start` with the default configuration (and this environment's
 * HEROAGENT_* variables) runs its jobs on: jobs.redisUrl, else the embedded server's Unix socket if
 * it exists, else its TCP port.
 */
export function localJobsRedis(): RedisTarget {
  const config = loadConfig({ env: process.env });
  if (config.jobs.redisUrl !== "") return config.jobs.redisUrl;
  const { unixSocketPath, host, tcpPort, password } = config.redis;
  const auth = password === "" ? {} : { password };
  if (unixSocketPath !== "" && existsSync(unixSocketPath)) return { path: unixSocketPath, ...auth };
  const anyAddress = host === "0.0.0.0" || host === "::";
  return { host: anyAddress ? "127.0.0.1" : host, port: tcpPort, ...auth };
}

function redisUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("must be a redis:// or rediss:// URL");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new InvalidArgumentError("must be a redis:// or rediss:// URL");
  }
  return value;
}

/** An integer parser for commander with a lower bound (and an optional upper one). */
export function integerArg(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`must be an integer ${range}`);
    }
    return n;
  };
}

/** Errors from commander (bad flags) as one line in the style of the rest of the CLI. */
export function oneLineErrors(command: Command): Command {
  return command.configureOutput({
    outputError: (text, write) => write(`heroagent: ${text.replace(/^error: /, "").trimEnd()}\n`),
  });
}
