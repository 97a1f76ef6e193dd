/**
 * The OurDB side of the job system and the only writer of job records. A job is one id of the
 * `jobs` OurDB (its auto-increment id is the jobId) and every change appends a version to it, so
 * the history is the id's version chain. Values too big to sit inline live in the `chunks` OurDB
 * (see value-chunks.ts); job ids therefore stay dense. Listing is answered by an in-memory index
 * kept current by create and update and persisted in `index/` (job-index-keeper.ts).
 *
 * Folder layout: `<path>/jobs/` and `<path>/chunks/`, two ordinary OurDB folders, and `<path>/index/`
 * (the listing index's snapshot and journal).
 */
import path from "node:path";
import { JobInvalidError, JobNotFoundError } from "../errors.js";
import { OurDB, OurDBError, type SyncMode } from "../ourdb/index.js";
import { isFinished, type Job, JobStatus } from "./job.js";
import { applyChanges, type JobChanges } from "./job-changes.js";
import { type IndexedJob, IndexKeeper, type IndexLog, type IndexOpenReport } from "./job-index-keeper.js";
import {
  encodeCursor,
  type JobListQuery,
  matchesQuery,
  type ResolvedListQuery,
  resolveListQuery,
} from "./job-list.js";
import {
  type CreateJobOptions,
  DEFAULT_JOB_DEFAULTS,
  type JobDefaults,
  resolveJobOptions,
  validateParams,
  validateTopic,
} from "./job-options.js";
import { decodeRecord, encodeRecord, type JobRecord, RECORD_FORMAT, type ValueRef } from "./job-record.js";
import { SearchLog } from "./job-search.js";
import { KeyedLock } from "./keyed-lock.js";
import { CHUNK_BYTES, ValueChunks } from "./value-chunks.js";

export interface JobStoreOptions {
  /** The store folder; holds the `jobs` and `chunks` OurDB folders. */
  path: string;
  /** OurDB's acknowledgement mode for both databases (default "batch"). */
  sync?: SyncMode;
  /** Open for reading only (a CLI looking at a running server's store). */
  readOnly?: boolean;
  /** Defaults of createJob's options (the configuration's). */
  defaults?: JobDefaults;
  /** Messages about the listing index (a rebuild is a "warn"); default: warnings via process.emitWarning. */
  log?: IndexLog;
}

export interface JobPage {
  jobs: Job[];
  /** Pass as `cursor` for the next page; null when the scan reached the oldest job. */
  nextCursor: string | null;
  /** Job records read for this page: the jobs returned, plus any whose record no longer matched. */
  scanned: number;
}

/** Every job record fits well below this (see INLINE_JSON_MAX and the log bounds). */
const JOB_RECORD_MAX = 65_535;

/** Newest records kept for the next change of unfinished jobs; past it the oldest go. */
const NEWEST_MAX = 10_000;

export class JobStore {
  private readonly lock = new KeyedLock<number>();
  /**
   * The newest record of recently written unfinished jobs: their next change (active,
   * done) is due soon and need not read and decode it back. This store is OurDB's only writer.
   */
  private readonly newest = new Map<number, Readonly<JobRecord>>();

  private constructor(
    private readonly jobs: OurDB,
    private readonly chunkDb: OurDB,
    private readonly chunks: ValueChunks,
    private readonly defaults: JobDefaults,
    private readonly keeper: IndexKeeper,
    private readonly search: SearchLog,
  ) {}

  static async open(options: JobStoreOptions): Promise<JobStore> {
    const common = { sync: options.sync ?? "batch", readOnly: options.readOnly ?? false };
    const jobs = await OurDB.open({
      path: path.join(options.path, "jobs"),
      recordSizeMax: JOB_RECORD_MAX,
      ...common,
    });
    try {
      const chunkDb = await OurDB.open({
        path: path.join(options.path, "chunks"),
        recordSizeMax: CHUNK_BYTES,
        ...common,
      });
      try {
        const keeper = await IndexKeeper.open({
          dir: path.join(options.path, "index"),
          readOnly: common.readOnly,
          dbNextId: jobs.stats().nextId ?? 1,
          readJob: (id) => readIndexed(jobs, id),
          log: options.log ?? warnOnly,
        });
        const defaults = options.defaults ?? DEFAULT_JOB_DEFAULTS;
        const search = SearchLog.open(path.join(options.path, "search"), common.readOnly);
        const store = new JobStore(jobs, chunkDb, new ValueChunks(chunkDb), defaults, keeper, search);
        await store.catchUpSearch();
        return store;
      } catch (error) {
        await chunkDb.close();
        throw error;
      }
    } catch (error) {
      await jobs.close();
      throw error;
    }
  }

  /** Validates and stores a new job (version 1, status new); its params chunks are written first. */
  async create(topic: string, params: string, options?: CreateJobOptions, now = Date.now()): Promise<Job> {
    validateTopic(topic);
    validateParams(params);
    const resolved = resolveJobOptions(options, this.defaults, now);
    const job: Omit<Job, "jobId"> = {
      version: 1,
      topic,
      params,
      status: JobStatus.New,
      result: null,
      error: null,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      updatedAt: now,
      ...resolved,
      attempts: 0,
      workerId: null,
      progress: 0,
      logs: [],
      logsDropped: 0,
    };
    const refs = { params: await this.chunks.write(params), result: null, error: null };
    const record = toRecord(job, refs);
    const jobId = await this.jobs.set({ data: encodeRecord(record) });
    this.keeper.created(jobId, topic, now);
    this.remember(jobId, record);
    this.search.add(jobId, params);
    return { jobId, ...job };
  }

  async get(jobId: number): Promise<Job> {
    return this.toJob(jobId, await this.readRecord(jobId));
  }

  /** Every stored version of the job, newest first. */
  async history(jobId: number): Promise<Job[]> {
    checkJobId(jobId);
    const versions = await this.notFoundAsJob(jobId, () => this.jobs.getHistory(jobId));
    return Promise.all(versions.map((bytes) => this.toJob(jobId, decodeRecord(jobId, bytes))));
  }

  /**
   * Appends a version made by `mutate` from the newest one. Changes to one job are serialized in
   * this process, so `mutate` always sees the version it replaces.
   */
  async update(jobId: number, mutate: (job: Job) => JobChanges, now?: number): Promise<Job> {
    const { after } = await this.change(jobId, mutate, now);
    return after as Job;
  }

  /**
   * Like update, for callers that decide from the newest version whether to write at all: `decide`
   * returns the changes, or undefined to leave the job as it is (`after` is then undefined).
   * One read of the record serves both the decision and the new version.
   */
  change(
    jobId: number,
    decide: (job: Job) => JobChanges | undefined,
    now?: number,
  ): Promise<{ before: Job; after: Job | undefined }> {
    return this.lock.run(jobId, async () => {
      const record = this.newest.get(jobId) ?? (await this.readRecord(jobId));
      const current = await this.toJob(jobId, record);
      const changes = decide(current);
      if (changes === undefined) return { before: current, after: undefined };
      const next = applyChanges(current, changes, now ?? Date.now());
      const refs = {
        params: record.params,
        result: await this.reuseOrWrite(record.result, current.result, next.result),
        error: await this.reuseOrWrite(record.error, current.error, next.error),
      };
      // The index journal's intent goes first: see job-index-keeper.ts for why.
      const statusChange = next.status !== current.status;
      if (statusChange) await this.keeper.willChange(jobId);
      const nextRecord = toRecord(next, refs);
      this.newest.delete(jobId); // if the write fails, the next change reads what OurDB holds
      await this.jobs.set({ id: jobId, data: encodeRecord(nextRecord) });
      if (statusChange) this.keeper.changed(jobId, next.status);
      if (!isFinished(next.status)) this.remember(jobId, nextRecord);
      if (next.result !== null && next.result !== current.result) this.search.add(jobId, next.result);
      if (next.error !== null && next.error !== current.error) this.search.add(jobId, next.error);
      return { before: current, after: next };
    });
  }

  /**
   * A page of jobs, newest first, answered by the listing index: only the records of the jobs
   * returned are read (each is checked against the query once more: a status may change between
   * the index lookup and the read). `scanLimit` no longer applies. `nextCursor` is null when no
   * further job matches.
   */
  async list(query?: JobListQuery): Promise<JobPage> {
    const q = resolveListQuery(query);
    if (q.text !== undefined) return this.searchPage(q, q.text);
    const jobs: Job[] = [];
    let scanned = 0;
    let below = q.before ?? Number.POSITIVE_INFINITY;
    let more = true;
    while (more && jobs.length < q.limit) {
      const wanted = q.limit - jobs.length;
      // One more than wanted: tells whether a next page exists without reading it.
      const ids = this.keeper.index.candidates(q, below, wanted + 1);
      more = ids.length > wanted;
      for (const id of ids.slice(0, wanted)) {
        below = id;
        const bytes = await this.readIfPresent(id);
        if (bytes === undefined) continue;
        scanned++;
        const record = decodeRecord(id, bytes);
        if (matchesQuery(record, q)) jobs.push(await this.toJob(id, record));
      }
    }
    return { jobs, nextCursor: more ? encodeCursor(below) : null, scanned };
  }

  /**
   * A page of jobs whose params, result or error contain `text`, newest first: the search log
   * names candidates, the listing index filters them, and each record read is checked once more.
   */
  private async searchPage(q: ResolvedListQuery, text: string): Promise<JobPage> {
    const index = this.keeper.index;
    const hits = await this.search.find(text, index.end);
    const jobs: Job[] = [];
    let scanned = 0;
    let below = q.before ?? index.end;
    for (let id = hits.below(below); id > 0 && jobs.length < q.limit; id = hits.below(id)) {
      below = id;
      if (!index.matches(id, q)) continue;
      const bytes = await this.readIfPresent(id);
      if (bytes === undefined) continue;
      scanned++;
      const record = decodeRecord(id, bytes);
      if (!matchesQuery(record, q)) continue;
      const job = await this.toJob(id, record);
      if (containsText(job, text)) jobs.push(job);
    }
    const more = hits.below(below) > 0;
    return { jobs, nextCursor: more ? encodeCursor(below) : null, scanned };
  }

  /** Adds to the search log the jobs written after its last frame (a crash, or a store made before it). */
  private async catchUpSearch(): Promise<void> {
    const end = this.keeper.index.end;
    for (let id = this.search.lastId + 1; id < end; id++) {
      const bytes = await this.readIfPresent(id);
      if (bytes === undefined) continue;
      const job = await this.toJob(id, decodeRecord(id, bytes));
      for (const value of [job.params, job.result, job.error]) if (value) this.search.add(id, value);
    }
    this.search.flush();
  }

  /** How the listing index was loaded at open (from its files, replayed, or rebuilt). */
  get indexReport(): IndexOpenReport {
    return this.keeper.report;
  }

  /** Jobs per topic and status, from the listing index (no record is read). */
  counts(): Record<string, Record<JobStatus, number>> {
    return this.keeper.index.countsByTopic();
  }

  /** How many jobs the store holds (every version of a job counts once). */
  get size(): number {
    return this.jobs.size;
  }

  /** Closes both databases, then writes the index snapshot (not if a database failed to close). */
  async close(): Promise<void> {
    await Promise.all([this.jobs.close(), this.chunkDb.close()]);
    this.search.close();
    this.keeper.close();
  }

  /** Keeps the record (its arrays are its own: see toRecord), dropping the oldest past NEWEST_MAX. */
  private remember(jobId: number, record: JobRecord): void {
    this.newest.delete(jobId);
    this.newest.set(jobId, record);
    if (this.newest.size > NEWEST_MAX) this.newest.delete(this.newest.keys().next().value as number);
  }

  private async readRecord(jobId: number): Promise<JobRecord> {
    checkJobId(jobId);
    return decodeRecord(jobId, await this.notFoundAsJob(jobId, () => this.jobs.get(jobId)));
  }

  private async readIfPresent(id: number): Promise<Uint8Array | undefined> {
    try {
      return await this.jobs.get(id);
    } catch (error) {
      if (error instanceof OurDBError && error.code === "OURDB_ERR_NOT_FOUND") return undefined;
      throw error;
    }
  }

  /** The job of a record, with its own arrays (a record may be the one kept in `newest`). */
  private async toJob(jobId: number, record: Readonly<JobRecord>): Promise<Job> {
    const { params, result, error } = record;
    return {
      jobId,
      version: record.version,
      topic: record.topic,
      params: await this.chunks.read(jobId, params),
      status: record.status,
      result: result === null ? null : await this.chunks.read(jobId, result),
      error: error === null ? null : await this.chunks.read(jobId, error),
      ...sharedFields(record),
    };
  }

  /** An unchanged value keeps its reference: a 1 MiB result is not copied by later versions. */
  private async reuseOrWrite(ref: ValueRef | null, before: string | null, after: string | null) {
    if (after === null) return null;
    if (ref !== null && before === after) return ref;
    return this.chunks.write(after);
  }

  private async notFoundAsJob<T>(jobId: number, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof OurDBError && error.code === "OURDB_ERR_NOT_FOUND")
        throw new JobNotFoundError(jobId);
      throw error;
    }
  }
}

const warnOnly: IndexLog = (level, message) => {
  if (level === "warn") process.emitWarning(message, { code: "HEROAGENT_JOB_INDEX" });
};

/** The listing fields of a job's newest record, for the index; undefined when there is no such id. */
async function readIndexed(jobs: OurDB, id: number): Promise<IndexedJob | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await jobs.get(id);
  } catch (error) {
    if (error instanceof OurDBError && error.code === "OURDB_ERR_NOT_FOUND") return undefined;
    throw error;
  }
  const { topic, status, createdAt } = decodeRecord(id, bytes);
  return { topic, status, createdAt };
}

/** OurDB's largest id with the default recordNrMax; anything above cannot be a job. */
const JOB_ID_MAX = 16_777_214;

function checkJobId(jobId: number): void {
  if (!(Number.isInteger(jobId) && jobId >= 1)) {
    throw new JobInvalidError(`jobId must be a positive integer (got ${String(jobId)})`);
  }
  if (jobId > JOB_ID_MAX) throw new JobNotFoundError(jobId);
}

/** The record of a job version, with its values' references and arrays of its own. */
function toRecord(
  job: Omit<Job, "jobId">,
  refs: { params: ValueRef; result: ValueRef | null; error: ValueRef | null },
): JobRecord {
  return {
    format: RECORD_FORMAT,
    version: job.version,
    topic: job.topic,
    params: refs.params,
    status: job.status,
    result: refs.result,
    error: refs.error,
    ...sharedFields(job),
  };
}

type SharedFields = Omit<Job, "jobId" | "version" | "topic" | "params" | "status" | "result" | "error">;

/**
 * The fields a Job and its record have alike, named one by one (V8 builds this fixed shape several
 * times faster than a rest-and-spread copy, on a path taken for every version), with copies of
 * the arrays so that neither shares them with the other.
 */
function sharedFields(from: SharedFields): SharedFields {
  return {
    createdAt: from.createdAt,
    startedAt: from.startedAt,
    finishedAt: from.finishedAt,
    updatedAt: from.updatedAt,
    timeout: from.timeout,
    attempts: from.attempts,
    maxAttempts: from.maxAttempts,
    backoff: { ...from.backoff },
    runAt: from.runAt,
    priority: from.priority,
    workerId: from.workerId,
    progress: from.progress,
    logs: from.logs.slice(),
    logsDropped: from.logsDropped,
  };
}

/** Whether the job's params, result or error contain `text` (already lowercased). */
function containsText(job: Job, text: string): boolean {
  return [job.params, job.result, job.error].some((value) => value?.toLowerCase().includes(text));
}
