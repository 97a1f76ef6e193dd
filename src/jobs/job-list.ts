/**
 * listJobs' query: filters, page size and cursor. Pages run newest first by jobId (ids grow with
 * creation), and the cursor is the last jobId handed out, so a page never repeats or skips a job
 * when newer jobs are created between pages; `nextCursor` is null once no further job matches.
 *
 * Cost: the store answers from its listing index (job-index.ts): per jobId the status, topic and
 * createdAt in typed arrays, per status a bitset and per topic a list of ids. A page walks the ids
 * below the cursor in the smallest of these and reads only the records it returns, so a page over
 * 1M jobs costs at most one pass over the arrays (a few ms) plus its records (~17 µs each), and
 * unfinished jobs (`status: ["new", "active"]`) are enumerated in O(ids/32 + matches). `scanLimit`
 * is still validated but no longer bounds anything; `scanned` counts the records read.
 */
import { JobInvalidError } from "../errors.js";
import { isJobStatus, type JobStatus } from "./job.js";
import type { JobRecord } from "./job-record.js";

export interface JobListQuery {
  topic?: string;
  status?: JobStatus | readonly JobStatus[];
  /** Created at or after (epoch ms or Date). */
  since?: number | Date;
  /** Created before (epoch ms or Date). */
  until?: number | Date;
  /** Jobs per page, 1 … 1000, default 50. */
  limit?: number;
  /** nextCursor of the previous page. */
  cursor?: string;
  /** Only jobs whose params, result or error contain this text (case-insensitive; see job-search.ts). */
  text?: string;
  /** Validated for compatibility; the index answers every page whole, so it bounds nothing. */
  scanLimit?: number;
}

export interface ResolvedListQuery {
  topic: string | undefined;
  statuses: ReadonlySet<JobStatus> | undefined;
  since: number;
  until: number;
  limit: number;
  /** Scan ids below this one. */
  before: number | undefined;
  /** The search text, or undefined for no text filter. */
  text: string | undefined;
  scanLimit: number;
}

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 1000;
export const SCAN_LIMIT_DEFAULT = 10_000;
export const SEARCH_TEXT_LENGTH_MAX = 200;

export function resolveListQuery(query: JobListQuery = {}): ResolvedListQuery {
  const limit = query.limit ?? LIST_LIMIT_DEFAULT;
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= LIST_LIMIT_MAX)) {
    throw new JobInvalidError(`limit must be an integer from 1 to ${LIST_LIMIT_MAX} (got ${String(limit)})`);
  }
  const scanLimit = query.scanLimit ?? SCAN_LIMIT_DEFAULT;
  if (!(Number.isInteger(scanLimit) && scanLimit >= 1)) {
    throw new JobInvalidError(`scanLimit must be a positive integer (got ${String(scanLimit)})`);
  }
  return {
    topic: query.topic,
    statuses: resolveStatuses(query.status),
    since: toTime("since", query.since, Number.NEGATIVE_INFINITY),
    until: toTime("until", query.until, Number.POSITIVE_INFINITY),
    limit,
    before: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    text: resolveText(query.text),
    scanLimit,
  };
}

function resolveText(text: string | undefined): string | undefined {
  if (text === undefined || text === "") return undefined;
  if (typeof text !== "string" || text.length > SEARCH_TEXT_LENGTH_MAX) {
    throw new JobInvalidError(`text must be a string of at most ${SEARCH_TEXT_LENGTH_MAX} characters`);
  }
  return text.toLowerCase();
}

export function matchesQuery(record: JobRecord, q: ResolvedListQuery): boolean {
  if (q.topic !== undefined && record.topic !== q.topic) return false;
  if (q.statuses !== undefined && !q.statuses.has(record.status)) return false;
  return record.createdAt >= q.since && record.createdAt < q.until;
}

/** Opaque to callers; today the last jobId of the page. */
export const encodeCursor = (jobId: number) => String(jobId);

function decodeCursor(cursor: string): number {
  if (typeof cursor !== "string" || !/^[1-9]\d{0,15}$/.test(cursor)) {
    throw new JobInvalidError(`invalid cursor ${JSON.stringify(cursor)}: pass a nextCursor from listJobs`);
  }
  return Number(cursor);
}

function resolveStatuses(status: JobListQuery["status"]): ReadonlySet<JobStatus> | undefined {
  if (status === undefined) return undefined;
  const list = typeof status === "string" ? [status] : status;
  for (const s of list) {
    if (!isJobStatus(s))
      throw new JobInvalidError(`status must be new, active, done or error (got ${String(s)})`);
  }
  return new Set(list);
}

function toTime(name: string, value: number | Date | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new JobInvalidError(`${name} must be a Date or epoch milliseconds (got ${String(value)})`);
  }
  return ms;
}
