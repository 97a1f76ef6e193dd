/**
 * The job record format, one JSON document per OurDB version of a job:
 *
 *   { "format": 1, "version": 3, "topic": "email", "status": "done",
 *     "params": { "inline": "…" }, "result": { "chunks": [12, 13], "bytes": 70000 }, "error": null,
 *     "createdAt": …, …the other Job fields… }
 *
 * A value (params, result, error) is either inline or a list of chunk ids in the chunk database
 * with its UTF-8 length. Chunks are immutable, so every version keeps reading back its own values,
 * and a version that does not change a value reuses the previous version's reference.
 * `format` changes whenever a reader of the old format would misread a record.
 */
import { JobCorruptError } from "../errors.js";
import { isJobStatus, type Job } from "./job.js";

export const RECORD_FORMAT = 1;

export type ValueRef = { inline: string } | { chunks: number[]; bytes: number };

export type JobRecord = Omit<Job, "jobId" | "params" | "result" | "error"> & {
  format: typeof RECORD_FORMAT;
  params: ValueRef;
  result: ValueRef | null;
  error: ValueRef | null;
};

export function encodeRecord(record: JobRecord): Uint8Array {
  return Buffer.from(JSON.stringify(record), "utf8");
}

export function decodeRecord(jobId: number, bytes: Uint8Array): JobRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (error) {
    throw new JobCorruptError(`job ${jobId}: record is not JSON`, { cause: error });
  }
  const problem = recordProblem(parsed);
  if (problem) throw new JobCorruptError(`job ${jobId}: ${problem}`);
  return parsed as JobRecord;
}

/** What makes `value` unreadable as a record, or null. Checks what readers rely on, not every field. */
function recordProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return "record is not an object";
  const r = value as Record<string, unknown>;
  if (r.format !== RECORD_FORMAT) return `unknown record format ${JSON.stringify(r.format)}`;
  if (!Number.isInteger(r.version)) return "record has no version";
  if (typeof r.topic !== "string") return "record has no topic";
  if (!isJobStatus(r.status)) return `record has an unknown status ${JSON.stringify(r.status)}`;
  if (typeof r.createdAt !== "number") return "record has no createdAt";
  if (!Array.isArray(r.logs)) return "record has no logs";
  if (!isValueRef(r.params)) return "record has no readable params";
  for (const key of ["result", "error"] as const) {
    if (r[key] !== null && !isValueRef(r[key])) return `record has an unreadable ${key}`;
  }
  return null;
}

function isValueRef(value: unknown): value is ValueRef {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.inline === "string") return true;
  return Array.isArray(v.chunks) && v.chunks.every(Number.isInteger) && Number.isInteger(v.bytes);
}
