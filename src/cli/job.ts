/**
 * `heroagent job …`: create, inspect and manage jobs of a running heroagent. The commands never open
 * the job store (the server owns it); they send requests over Redis (see src/jobs/job-requests.ts).
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { isJobStatus, JOB_STATUSES, type Job, type JobStatus } from "../jobs/job.js";
import { JobClient } from "../jobs/job-client.js";
import type { CreateJobOptions } from "../jobs/job-options.js";
import { formatJob, formatTable, formatVersion } from "./job-format.js";
import type { Output } from "./ourdb.js";
import {
  addRedisOptions,
  integerArg,
  localJobsRedis,
  oneLineErrors,
  type RedisFlags,
  redisTargetFrom,
} from "./redis-flags.js";

interface CommonFlags extends RedisFlags {
  json?: boolean;
  requestTimeout: number;
}

export interface Input {
  [Symbol.asyncIterator](): AsyncIterator<string | Buffer>;
}

const jobIdArg = integerArg(1);

export function jobCommand(out: Output = process.stdout, input: Input = process.stdin): Command {
  const job = new Command("job").description("create and manage the jobs of a running heroagent");
  oneLineErrors(job);
  const sub = (name: string, description: string) => {
    const command = job.command(name).description(description);
    addRedisOptions(
      command,
      "the local heroagent: /tmp/redis.sock if it exists, else redis://127.0.0.1:6379",
    );
    command
      .option("--json", "print jobs as JSON, one per line")
      .addOption(
        new Option("--request-timeout <ms>", "how long to wait for the job manager to answer")
          .argParser(integerArg(1))
          .default(5000),
      );
    oneLineErrors(command);
    return command;
  };
  const printJob = (flags: CommonFlags, value: Job) =>
    out.write(flags.json ? `${JSON.stringify(value)}\n` : formatJob(value));

  sub("create", "create a job; params is a string, or - to read it from stdin")
    .argument("<topic>", "the job's topic, e.g. echo or sleep")
    .argument("[params]", "the job's params", "")
    .option("--timeout <s>", "seconds the handler may run", positiveNumber)
    .option("--max-attempts <n>", "runs in total, the first included", integerArg(1))
    .option("--delay <ms>", "milliseconds before the job may run", integerArg(0))
    .option("--priority <p>", "-1000 … 1000, higher first", integerArg(-1000, 1000))
    .option("--wait [ms]", "wait until the job is done or error (at most ms)", integerArg(0))
    .action(
      async (
        topic: string,
        params: string,
        flags: CommonFlags & {
          timeout?: number;
          maxAttempts?: number;
          delay?: number;
          priority?: number;
          wait?: number | true;
        },
      ) => {
        const text = params === "-" ? await readAll(input) : params;
        const options: CreateJobOptions = {};
        if (flags.timeout !== undefined) options.timeout = flags.timeout;
        if (flags.maxAttempts !== undefined) options.maxAttempts = flags.maxAttempts;
        if (flags.delay !== undefined) options.delay = flags.delay;
        if (flags.priority !== undefined) options.priority = flags.priority;
        await withClient(flags, async (client) => {
          let created = await client.createJob(topic, text, options);
          if (flags.wait !== undefined) {
            const timeoutMs = flags.wait === true ? undefined : flags.wait;
            created = await client.waitForJob(created.jobId, { timeoutMs });
          }
          printJob(flags, created);
        });
      },
    );

  sub("get", "show a job (its newest version)")
    .argument("<id>", "job id", jobIdArg)
    .action((id: number, flags: CommonFlags) =>
      withClient(flags, async (client) => printJob(flags, await client.getJob(id))),
    );

  sub("list", "list jobs, newest first")
    .option("--topic <topic>", "only this topic")
    .option("--status <list>", `only these statuses, comma-separated (${JOB_STATUSES.join(", ")})`, statuses)
    .option("--since <time>", "created at or after: ISO date or epoch ms", timeArg)
    .option("--until <time>", "created before: ISO date or epoch ms", timeArg)
    .option("--limit <n>", "jobs per page, 1 … 1000", integerArg(1, 1000), 50)
    .option("--cursor <cursor>", "continue after the previous page")
    .option("--search <text>", "only jobs whose params, result or error contain this text (any case)")
    .action(
      (
        flags: CommonFlags & {
          search?: string;
          topic?: string;
          status?: JobStatus[];
          since?: number;
          until?: number;
          limit: number;
          cursor?: string;
        },
      ) =>
        withClient(flags, async (client) => {
          const page = await client.listJobs({
            topic: flags.topic,
            status: flags.status,
            since: flags.since,
            until: flags.until,
            limit: flags.limit,
            cursor: flags.cursor,
            text: flags.search,
          });
          if (flags.json) {
            for (const entry of page.jobs) out.write(`${JSON.stringify(entry)}\n`);
            if (page.nextCursor) process.stderr.write(`next page: --cursor ${page.nextCursor}\n`);
            return;
          }
          out.write(page.jobs.length > 0 ? formatTable(page.jobs) : "no jobs\n");
          if (page.nextCursor) out.write(`next page: --cursor ${page.nextCursor}\n`);
        }),
    );

  sub("history", "show every version of a job, newest first")
    .argument("<id>", "job id", jobIdArg)
    .action((id: number, flags: CommonFlags) =>
      withClient(flags, async (client) => {
        for (const version of await client.getJobHistory(id)) {
          out.write(flags.json ? `${JSON.stringify(version)}\n` : formatVersion(version));
        }
      }),
    );

  sub("cancel", "cancel a job (a running one is stopped and ends in error)")
    .argument("<id>", "job id", jobIdArg)
    .action((id: number, flags: CommonFlags) =>
      withClient(flags, async (client) => printJob(flags, await client.cancelJob(id))),
    );

  sub("retry", "run a job in error again")
    .argument("<id>", "job id", jobIdArg)
    .action((id: number, flags: CommonFlags) =>
      withClient(flags, async (client) => printJob(flags, await client.retryJob(id))),
    );

  sub("wait", "wait until a job is done or error, then show it")
    .argument("<id>", "job id", jobIdArg)
    .option("--timeout <ms>", "give up after this many milliseconds (exit 1)", integerArg(0))
    .action((id: number, flags: CommonFlags & { timeout?: number }) =>
      withClient(flags, async (client) =>
        printJob(flags, await client.waitForJob(id, { timeoutMs: flags.timeout })),
      ),
    );

  return job;
}

async function withClient(flags: CommonFlags, use: (client: JobClient) => Promise<unknown>): Promise<void> {
  const target = redisTargetFrom(flags, localJobsRedis);
  const client = await JobClient.connect(target, { timeoutMs: flags.requestTimeout });
  try {
    await use(client);
  } finally {
    await client.close();
  }
}

async function readAll(input: Input): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError("must be a positive number");
  return n;
}

function statuses(value: string): JobStatus[] {
  const list = value.split(",").map((s) => s.trim());
  const bad = list.find((s) => !isJobStatus(s));
  if (bad !== undefined)
    throw new InvalidArgumentError(`${JSON.stringify(bad)} is not one of ${JOB_STATUSES.join(", ")}`);
  return list as JobStatus[];
}

function timeArg(value: string): number {
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError("must be an ISO date or epoch milliseconds");
  return ms;
}
