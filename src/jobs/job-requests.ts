/**
 * Job requests over Redis: how a process without the job store (the `heroagent job` CLI, a client
 * in another language) reaches the running JobManager, which alone may write OurDB. Requests go
 * into the `herorequests` stream; the JobRequestServer runs them on the JobManager and pushes one
 * JSON reply onto `heroreplies:<id>`, which the client BLPOPs (see job-client.ts and
 * docs/jobs-protocol.md).
 *
 * Entry fields: `id` (the client's request id, REQUEST_ID_PATTERN), `op`, `args` (a JSON object)
 * and optionally `timeoutMs` (how long the client waits: an older request, by its stream id's time
 * against Redis' TIME, is dropped unanswered). Reply: `{"ok":true,"value":…}` or
 * `{"ok":false,"error":{"code":"HEROAGENT_ERR_…","message":"…"}}`.
 */
import type { Redis } from "ioredis";
import { describeError, HeroAgentError, JobInvalidError } from "../errors.js";
import { isJobStatus, type Job } from "./job.js";
import type { JobListQuery } from "./job-list.js";
import type { JobManager, JobManagerOptions } from "./job-manager.js";
import type { CreateJobOptions } from "./job-options.js";
import { VALUE_BYTES_MAX } from "./limits.js";
import { closeRedis, connectRedis, type RedisTarget, readStream } from "./redis-client.js";
import { REPLY_TTL_SECONDS, REQUEST_ID_PATTERN, REQUESTS_KEY, replyKey } from "./redis-keys.js";

/** The operations a request may name, with the JobManager method each one runs. */
export const JOB_REQUEST_OPS = [
  "create",
  "get",
  "list",
  "history",
  "cancel",
  "retry",
  "wait",
  "update",
  "complete",
  "fail",
] as const;
export type JobRequestOp = (typeof JOB_REQUEST_OPS)[number];

export type JobReply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * Largest `args` accepted, in bytes. Params and results are at most 1 MiB, but JSON escaping may
 * make one up to six times longer (`\u0001`), so the bound leaves room for that and nothing more.
 */
export const REQUEST_ARGS_BYTES_MAX = 6 * VALUE_BYTES_MAX + 64 * 1024;

/** The longest one `wait` request is held; a client wanting longer asks again (JobClient does). */
export const WAIT_MAX_MS = 60_000;

/** Code of an error that is not a HeroAgentError (a bug or an unexpected failure). */
export const INTERNAL_ERROR_CODE = "HEROAGENT_ERR_INTERNAL";

const READ_BATCH = 100;
/** XREAD returns as soon as a request arrives; the block only bounds an idle wait (close disconnects). */
const READ_BLOCK_MS = 2000;

export interface JobRequestServerOptions {
  /** Milliseconds the reader blocks on an empty stream before looking again. */
  pollInterval: number;
  log?: JobManagerOptions["log"];
  /** Default WAIT_MAX_MS. */
  waitMaxMs?: number;
}

type Args = Record<string, unknown>;

export class JobRequestServer {
  private lastId = "0";
  private closing = false;
  private loop?: Promise<void>;
  private closed?: Promise<void>;
  /** Requests being run, other than waits (quick: close lets them answer). */
  private readonly running = new Set<Promise<void>>();
  /** Pending waits: dropped unanswered on close (their entries stay for the next server). */
  private readonly waits = new Set<() => void>();

  private constructor(
    private readonly manager: JobManager,
    private readonly commands: Redis,
    private readonly reader: Redis,
    private readonly options: JobRequestServerOptions,
  ) {}

  /** Connects and starts answering; the JobManager must be open (and stays the caller's). */
  static async start(
    manager: JobManager,
    redis: RedisTarget,
    options: JobRequestServerOptions,
  ): Promise<JobRequestServer> {
    const onError = (message: string) => options.log?.("warn", message);
    const server = new JobRequestServer(
      manager,
      connectRedis(redis, "jobs-requests", onError),
      connectRedis(redis, "jobs-requests-read", onError),
      options,
    );
    try {
      await server.commands.ping();
    } catch (error) {
      await server.close();
      throw error;
    }
    server.loop = server.readLoop();
    return server;
  }

  /** Stops reading, lets the running requests answer, drops pending waits, closes the connections. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.reader.disconnect(); // ends a blocked XREAD
    await this.loop;
    for (const drop of [...this.waits]) drop();
    await Promise.all(this.running);
    await closeRedis(this.commands);
  }

  private async readLoop(): Promise<void> {
    while (!this.closing) {
      try {
        const entries = await readStream(this.reader, REQUESTS_KEY, this.lastId, READ_BATCH, READ_BLOCK_MS);
        if (entries.length === 0) continue;
        this.lastId = entries[entries.length - 1]?.[0] ?? this.lastId;
        const now = await this.redisTime();
        for (const [entryId, fields] of entries) this.track(entryId, fields, now);
      } catch (error) {
        if (this.closing) return;
        this.log("error", "reading job requests failed; retrying", { error: describeError(error) });
        await sleep(this.options.pollInterval);
      }
    }
  }

  /** Redis' clock (stream ids are in it), so a request's age does not depend on this host's clock. */
  private async redisTime(): Promise<number> {
    const [seconds, micros] = await this.commands.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  private track(entryId: string, flat: readonly string[], now: number): void {
    const done = this.handle(entryId, flat, now).catch((error) =>
      this.log("error", "a job request could not be answered", { entryId, error: describeError(error) }),
    );
    const running = done.finally(() => this.running.delete(running));
    this.running.add(running);
  }

  private async handle(entryId: string, flat: readonly string[], now: number): Promise<void> {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
    const { id, op, args } = fields;
    if (id === undefined || !REQUEST_ID_PATTERN.test(id)) {
      this.log("warn", "malformed job request dropped (no usable id)", { entryId });
      await this.commands.xdel(REQUESTS_KEY, entryId);
      return;
    }
    const patience = Number(fields.timeoutMs);
    const age = now - Number(entryId.split("-")[0]);
    if (fields.timeoutMs !== undefined && Number.isFinite(patience) && age > patience) {
      this.log("debug", "job request dropped: its client stopped waiting", { id, op, ageMs: age });
      await this.commands.xdel(REQUESTS_KEY, entryId);
      return;
    }
    let reply: JobReply;
    try {
      const value = await this.run(op, parseArgs(args));
      if (value === DROPPED) return; // closing: no answer, the entry stays for the next server
      reply = { ok: true, value };
    } catch (error) {
      reply = { ok: false, error: errorReply(error) };
    }
    await this.commands
      .multi()
      .lpush(replyKey(id), JSON.stringify(reply))
      .expire(replyKey(id), REPLY_TTL_SECONDS)
      .xdel(REQUESTS_KEY, entryId)
      .exec();
  }

  private run(op: string | undefined, args: Args): Promise<unknown> {
    const m = this.manager;
    switch (op as JobRequestOp) {
      case "create":
        return m.createJob(
          stringArg(args, "topic"),
          stringArg(args, "params"),
          objectArg(args, "options") as CreateJobOptions | undefined,
        );
      case "get":
        return m.getJob(jobIdArg(args));
      case "list":
        return m.listJobs(objectArg(args, "query") as JobListQuery | undefined);
      case "history":
        return m.getJobHistory(jobIdArg(args));
      case "cancel":
        return m.cancelJob(jobIdArg(args));
      case "retry":
        return m.retryJob(jobIdArg(args));
      case "wait":
        return this.wait(jobIdArg(args), waitArg(args, this.options.waitMaxMs ?? WAIT_MAX_MS));
      case "update": {
        const jobId = jobIdArg(args);
        const status = args.status;
        if (!isJobStatus(status)) throw new JobInvalidError(`status must be new, active, done or error`);
        return m.updateJobStatus(jobId, status);
      }
      case "complete":
        return m.completeJob(jobIdArg(args), stringArg(args, "result"));
      case "fail":
        return m.failJob(jobIdArg(args), stringArg(args, "error"));
      default:
        throw new JobInvalidError(
          `unknown job request op ${JSON.stringify(op ?? null)} (one of ${JOB_REQUEST_OPS.join(", ")})`,
        );
    }
  }

  /** JobManager.waitForJob, given up unanswered when this server closes (the entry stays). */
  private wait(jobId: number, timeoutMs: number): Promise<Job | typeof DROPPED> {
    let drop!: () => void;
    const dropped = new Promise<typeof DROPPED>((resolve) => {
      drop = () => resolve(DROPPED);
    });
    this.waits.add(drop);
    return Promise.race([this.manager.waitForJob(jobId, { timeoutMs }), dropped]).finally(() =>
      this.waits.delete(drop),
    );
  }

  private log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) {
    this.options.log?.(level, message, fields);
  }
}

const DROPPED = Symbol("dropped");

function parseArgs(text: string | undefined): Args {
  if (text === undefined || text === "") return {};
  if (Buffer.byteLength(text) > REQUEST_ARGS_BYTES_MAX) {
    throw new JobInvalidError(
      `request args of ${Buffer.byteLength(text)} bytes exceed the limit of ${REQUEST_ARGS_BYTES_MAX} bytes`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JobInvalidError("request args are not valid JSON");
  }
  if (!isPlainObject(value)) throw new JobInvalidError("request args must be a JSON object");
  return value;
}

function isPlainObject(value: unknown): value is Args {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jobIdArg(args: Args): number {
  const { jobId } = args;
  if (typeof jobId === "number" && Number.isSafeInteger(jobId) && jobId > 0) return jobId;
  throw new JobInvalidError(`jobId must be a positive integer (got ${JSON.stringify(jobId ?? null)})`);
}

function stringArg(args: Args, name: string): string {
  const value = args[name];
  if (typeof value === "string") return value;
  throw new JobInvalidError(`${name} must be a string (got ${typeof value})`);
}

function objectArg(args: Args, name: string): Args | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (isPlainObject(value)) return value;
  throw new JobInvalidError(`${name} must be an object`);
}

function waitArg(args: Args, max: number): number {
  const value = args.timeoutMs;
  if (value === undefined || value === null) return max;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return Math.min(value, max);
  throw new JobInvalidError(`timeoutMs must be a non-negative number of milliseconds`);
}

function errorReply(error: unknown): { code: string; message: string } {
  if (error instanceof HeroAgentError) return { code: error.code, message: describeError(error) };
  return { code: INTERNAL_ERROR_CODE, message: describeError(error) || "internal error" };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
