/**
 * JobClient: the JobManager's API for a process that does not own the job store (the `heroagent
 * job` CLI, scripts, other services). Each call is a request on the `herorequests` stream, answered
 * by the running heroagent's JobRequestServer on `heroreplies:<id>` (see job-requests.ts).
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import {
  HeroAgentError,
  JobManagerUnavailableError,
  JobParamsTooLargeError,
  JobWaitTimeoutError,
} from "../errors.js";
import type { Job, JobStatus } from "./job.js";
import type { JobListQuery } from "./job-list.js";
import type { CreateJobOptions } from "./job-options.js";
import type { JobReply, JobRequestOp } from "./job-requests.js";
import type { JobPage } from "./job-store.js";
import { utf8Bytes, VALUE_BYTES_MAX } from "./limits.js";
import { closeRedis, connectRedis, describeTarget, type RedisTarget } from "./redis-client.js";
import { REQUESTS_KEY, replyKey } from "./redis-keys.js";

export interface JobClientOptions {
  /** Milliseconds a call waits for its answer (a wait: for its answer beyond its own timeout). Default 5000. */
  timeoutMs?: number;
  /** Milliseconds one `wait` request asks the server to hold; longer waits are asked again. Default 10,000. */
  waitChunkMs?: number;
}

export { JobManagerUnavailableError };

const IDLE_CONNECTIONS_MAX = 4;

/** The request stream is trimmed to about this length, so it stays bounded while no server reads it. */
const REQUESTS_MAX = 10_000;

export class JobClient {
  private readonly idle: Redis[] = [];
  private readonly open = new Set<Redis>();
  private lastError?: string;
  private closed = false;
  /** Rejects when the client is closed, so calls in flight end then (not at their timeout). */
  private readonly closedSignal: Promise<never>;
  private signalClosed!: (error: Error) => void;
  private readonly timeoutMs: number;
  private readonly waitChunkMs: number;

  private constructor(
    private readonly target: RedisTarget,
    private readonly commands: Redis,
    options: JobClientOptions,
  ) {
    this.closedSignal = new Promise<never>((_, reject) => {
      this.signalClosed = reject;
    });
    this.closedSignal.catch(() => {}); // observed by the calls that race it
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.waitChunkMs = options.waitChunkMs ?? 10_000;
  }

  /** Connects to the Redis the job manager reads its requests from (failing after timeoutMs). */
  static async connect(target: RedisTarget, options: JobClientOptions = {}): Promise<JobClient> {
    let client: JobClient | undefined;
    const commands = connectRedis(target, "job-client", (message) => client?.noteError(message));
    client = new JobClient(target, commands, options);
    commands.on("error", (error: Error) => client?.noteError(error.message));
    commands.on("ready", () => client?.noteError(undefined));
    try {
      await client.withDeadline(commands.ping(), client.timeoutMs, () =>
        client?.unavailable(`cannot reach Redis at ${describeTarget(target)}`),
      );
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** Closes the connections; calls still waiting for an answer fail at once. */
  async close(): Promise<void> {
    this.closed = true;
    this.signalClosed(closedError());
    // Reply connections hold no state, and one may sit in a BLPOP a QUIT would queue behind.
    for (const connection of this.open) connection.disconnect();
    this.idle.length = 0;
    this.open.clear();
    await closeRedis(this.commands);
  }

  // ---- the JobManager's API ----

  createJob(topic: string, params: string, options?: CreateJobOptions): Promise<Job> {
    if (typeof params === "string" && utf8Bytes(params) > VALUE_BYTES_MAX) {
      return Promise.reject(new JobParamsTooLargeError(utf8Bytes(params), VALUE_BYTES_MAX));
    }
    const runAt = options?.runAt instanceof Date ? options.runAt.getTime() : options?.runAt;
    const sent = options && { ...options, ...(runAt === undefined ? {} : { runAt }) };
    return this.call("create", { topic, params, options: sent }) as Promise<Job>;
  }

  getJob(jobId: number): Promise<Job> {
    return this.call("get", { jobId }) as Promise<Job>;
  }

  listJobs(query?: JobListQuery): Promise<JobPage> {
    const time = (value: number | Date | undefined) => (value instanceof Date ? value.getTime() : value);
    const sent = query && { ...query, since: time(query.since), until: time(query.until) };
    return this.call("list", { query: sent }) as Promise<JobPage>;
  }

  getJobHistory(jobId: number): Promise<Job[]> {
    return this.call("history", { jobId }) as Promise<Job[]>;
  }

  cancelJob(jobId: number): Promise<Job> {
    return this.call("cancel", { jobId }) as Promise<Job>;
  }

  retryJob(jobId: number): Promise<Job> {
    return this.call("retry", { jobId }) as Promise<Job>;
  }

  updateJobStatus(jobId: number, status: JobStatus): Promise<Job> {
    return this.call("update", { jobId, status }) as Promise<Job>;
  }

  completeJob(jobId: number, result: string): Promise<Job> {
    return this.call("complete", { jobId, result }) as Promise<Job>;
  }

  failJob(jobId: number, error: string): Promise<Job> {
    return this.call("fail", { jobId, error }) as Promise<Job>;
  }

  /**
   * Resolves with the job once it is done or error. Asked in pieces of waitChunkMs, so a server
   * that goes away is noticed (JobManagerUnavailableError) instead of waiting forever.
   */
  async waitForJob(jobId: number, options: { timeoutMs?: number } = {}): Promise<Job> {
    const { timeoutMs } = options;
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    for (;;) {
      const piece = Math.max(0, Math.min(this.waitChunkMs, deadline - Date.now()));
      try {
        return (await this.call("wait", { jobId, timeoutMs: piece }, piece + this.timeoutMs)) as Job;
      } catch (error) {
        if (!(error instanceof HeroAgentError && error.code === "HEROAGENT_ERR_JOB_WAIT_TIMEOUT"))
          throw error;
        if (Date.now() >= deadline) throw new JobWaitTimeoutError(jobId, timeoutMs as number);
      }
    }
  }

  // ---- the request protocol ----

  /** XADD the request, BLPOP its reply on a connection of its own. */
  private async call(op: JobRequestOp, args: Record<string, unknown>, timeoutMs = this.timeoutMs) {
    if (this.closed) throw closedError();
    const id = randomUUID();
    const blocking = this.takeConnection();
    let clean = false;
    try {
      const reply = await this.withDeadline(
        (async () => {
          await this.commands.xadd(
            REQUESTS_KEY,
            "MAXLEN",
            "~",
            REQUESTS_MAX,
            "*",
            "id",
            id,
            "op",
            op,
            "args",
            JSON.stringify(args),
            "timeoutMs",
            String(timeoutMs),
          );
          const popped = await blocking.blpop(replyKey(id), Math.max(0.01, timeoutMs / 1000));
          clean = true;
          return popped;
        })(),
        timeoutMs + 1000,
        () => this.noAnswer(timeoutMs),
      );
      if (reply === null) throw this.noAnswer(timeoutMs);
      return decodeReply(reply[1]);
    } finally {
      this.giveBack(blocking, clean);
    }
  }

  private takeConnection(): Redis {
    const connection =
      this.idle.pop() ?? connectRedis(this.target, "job-client-reply", (message) => this.noteError(message));
    this.open.add(connection);
    return connection;
  }

  /** A connection still blocked (the call gave up on it) is closed, not reused. */
  private giveBack(connection: Redis, clean: boolean): void {
    if (clean && !this.closed && this.idle.length < IDLE_CONNECTIONS_MAX) {
      this.idle.push(connection);
      return;
    }
    this.open.delete(connection);
    connection.disconnect();
  }

  private async withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    });
    try {
      return await Promise.race([work, expired, this.closedSignal]);
    } finally {
      clearTimeout(timer);
    }
  }

  private noAnswer(timeoutMs: number): Error {
    const redis = `Redis ${describeTarget(this.target)}${this.lastError ? `: ${this.lastError}` : ""}`;
    return this.unavailable(
      `no job manager answered within ${timeoutMs} ms: is heroagent running with enableJobs? (${redis})`,
    );
  }

  private unavailable(message: string): Error {
    return new JobManagerUnavailableError(
      this.lastError && !message.includes(this.lastError) ? `${message}: ${this.lastError}` : message,
    );
  }

  private noteError(message: string | undefined): void {
    this.lastError = message;
  }
}

const closedError = () => new HeroAgentError("HEROAGENT_ERR_JOB_CLIENT_CLOSED", "the job client is closed");

function decodeReply(text: string): unknown {
  let reply: JobReply;
  try {
    reply = JSON.parse(text) as JobReply;
  } catch {
    throw new HeroAgentError("HEROAGENT_ERR_INTERNAL", "the job manager sent a reply that is not JSON");
  }
  if (reply.ok) return reply.value;
  throw new HeroAgentError(reply.error?.code ?? "HEROAGENT_ERR_INTERNAL", reply.error?.message ?? "failed");
}
