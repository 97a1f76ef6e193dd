/**
 * Values (params, result, error) too big to sit inline in a job record are split into chunk records
 * of a separate OurDB, written before the job record that references them. A crash in between
 * leaves unreferenced chunks, never a record pointing at missing ones.
 */
import { JobCorruptError } from "../errors.js";
import { type OurDB, OurDBError } from "../ourdb/index.js";
import type { ValueRef } from "./job-record.js";

/** Bytes of one chunk record: the most an OurDB record can hold. */
export const CHUNK_BYTES = 65_535;

/**
 * A value whose JSON form (in UTF-8 bytes) is longer goes to chunks. Small enough that a record with three inline
 * values and full logs stays far below one OurDB record, and listing scans stay cheap.
 */
export const INLINE_JSON_MAX = 4096;

export class ValueChunks {
  constructor(private readonly db: OurDB) {}

  async write(text: string): Promise<ValueRef> {
    if (Buffer.byteLength(JSON.stringify(text), "utf8") <= INLINE_JSON_MAX) return { inline: text };
    const bytes = Buffer.from(text, "utf8");
    const chunks: number[] = [];
    // One at a time: ids stay in order and a failure leaves only unreferenced chunks behind.
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
      chunks.push(await this.db.set({ data: bytes.subarray(at, at + CHUNK_BYTES) }));
    }
    return { chunks, bytes: bytes.length };
  }

  async read(jobId: number, ref: ValueRef): Promise<string> {
    if ("inline" in ref) return ref.inline;
    const parts: Uint8Array[] = [];
    for (const id of ref.chunks) {
      try {
        parts.push(await this.db.get(id));
      } catch (error) {
        if (error instanceof OurDBError && error.code === "OURDB_ERR_NOT_FOUND") {
          throw new JobCorruptError(`job ${jobId}: chunk ${id} is missing`, { cause: error });
        }
        throw error;
      }
    }
    const whole = Buffer.concat(parts);
    if (whole.length !== ref.bytes) {
      throw new JobCorruptError(
        `job ${jobId}: chunks hold ${whole.length} bytes, the record says ${ref.bytes}`,
      );
    }
    return whole.toString("utf8");
  }
}
