/** `heroagent worker`: run the built-in job handlers against a heroagent's Redis, on any machine. */
import { Command, Option } from "commander";
import { builtinHandlers } from "../jobs/handlers/index.js";
import { describeTarget } from "../jobs/redis-client.js";
import { JobWorker } from "../jobs/worker.js";
import { createLogger, LOG_LEVELS, type LogLevel } from "../logger.js";
import {
  addRedisOptions,
  integerArg,
  oneLineErrors,
  type RedisFlags,
  redisTargetFrom,
} from "./redis-flags.js";
import { stopOnSignals } from "./stop-on-signals.js";

interface WorkerFlags extends RedisFlags {
  topics?: string;
  concurrency: number;
  workerId?: string;
  pollInterval: number;
  leaseTimeout: number;
  enableShell?: boolean;
  logLevel: LogLevel;
}

export function workerCommand(): Command {
  const command = new Command("worker")
    .description("run jobs of the built-in topics (echo, sleep, shell) from a heroagent's Redis")
    .option("--topics <list>", "comma-separated topics to run (default: every built-in topic)")
    .option("--concurrency <n>", "jobs run at the same time", integerArg(1, 10_000), 5)
    .option("--worker-id <id>", "letters, digits, '_', '.', '-' (default: <host>-<pid>-<random>)")
    .option("--poll-interval <ms>", "longest wait on empty queues before looking again", integerArg(1), 100)
    .option(
      "--lease-timeout <ms>",
      "a worker silent this long is presumed dead (as the manager's jobs.leaseTimeout)",
      integerArg(1000),
      30_000,
    )
    .option("--enable-shell", 'offer the "shell" topic, which runs host commands')
    .addOption(new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default("info"));
  addRedisOptions(command, "redis://127.0.0.1:6379");
  oneLineErrors(command);
  command.action((flags: WorkerFlags) => runWorker(flags));
  return command;
}

async function runWorker(flags: WorkerFlags): Promise<void> {
  const redis = redisTargetFrom(flags, () => "redis://127.0.0.1:6379");
  const handlers = builtinHandlers({ enableShell: flags.enableShell === true });
  const topics = flags.topics === undefined ? [...handlers.keys()] : parseTopics(flags.topics);
  const unknown = topics.filter((topic) => !handlers.has(topic));
  if (unknown.length > 0) {
    const shell = flags.enableShell ? "" : " (shell with --enable-shell)";
    throw new Error(
      `no built-in handler for topic ${unknown.map((t) => JSON.stringify(t)).join(", ")}: available ${[...handlers.keys()].join(", ")}${shell}`,
    );
  }
  const logger = createLogger(flags.logLevel);
  const worker = new JobWorker({
    redis,
    workerId: flags.workerId,
    concurrency: flags.concurrency,
    pollInterval: flags.pollInterval,
    leaseTimeout: flags.leaseTimeout,
    log: (level, message, fields) => logger[level](fields ?? {}, message),
  });
  for (const topic of topics)
    worker.registerHandler(topic, handlers.get(topic) as NonNullable<ReturnType<typeof handlers.get>>);
  let started = false;
  // Not started yet (Redis unreachable): nothing was taken, so there is nothing to give back.
  stopOnSignals(() => (started ? worker.stop() : Promise.resolve()), logger, {
    message: "worker stopped",
    fields: { workerId: worker.workerId },
  });
  await worker.start();
  started = true;
  logger.info(
    {
      workerId: worker.workerId,
      topics,
      concurrency: flags.concurrency,
      redis: describeTarget(redis),
      leaseTimeout: flags.leaseTimeout,
    },
    "worker started",
  );
}

function parseTopics(list: string): string[] {
  const topics = [...new Set(list.split(",").map((topic) => topic.trim()))].filter((topic) => topic !== "");
  if (topics.length === 0) throw new Error("--topics names no topic");
  return topics;
}
