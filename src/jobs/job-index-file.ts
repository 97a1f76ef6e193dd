/**
 * The listing index on disk, in `<store>/index/`: the snapshot (this file) and the journal
 * (job-index-journal.ts).
 *
 * `snapshot`: the whole index at one moment, written to `snapshot.tmp`, fsynced and renamed in.
 * `HAJIDX01` | u32 LE header length | header JSON { gen, end, topics, pending, le } | pad to 8 |
 * status u8 × end | pad | topic code u32 × end | pad | createdAt f64 × end | u32 LE crc32 of all
 * before. `pending` are ids whose status change was in flight when it was taken: verify them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import type { IndexState } from "./job-index.js";

const SNAPSHOT_MAGIC = "HAJIDX01";
export const SNAPSHOT_FILE = "snapshot";

export interface Snapshot {
  gen: number;
  pending: number[];
  state: IndexState;
}

/** Why an index file could not be used (the store then rebuilds the index from the job records). */
export class IndexFileError extends Error {}

const pad8 = (n: number) => (n + 7) & ~7;
const LITTLE_ENDIAN = os.endianness() === "LE";

export function writeSnapshot(dir: string, gen: number, state: IndexState, pending: number[]): void {
  const { end } = state;
  const header = Buffer.from(JSON.stringify({ gen, end, topics: state.topics, pending, le: LITTLE_ENDIAN }));
  const statusAt = pad8(12 + header.length);
  const topicAt = pad8(statusAt + end);
  const createdAt = pad8(topicAt + 4 * end);
  const total = createdAt + 8 * end + 4;
  const buf = Buffer.alloc(total);
  buf.write(SNAPSHOT_MAGIC, 0, "latin1");
  buf.writeUInt32LE(header.length, 8);
  header.copy(buf, 12);
  buf.set(state.status, statusAt);
  buf.set(bytesOf(state.topicOf), topicAt);
  buf.set(bytesOf(state.createdAt), createdAt);
  buf.writeUInt32LE(crc32(buf.subarray(0, total - 4)), total - 4);
  writeFileAtomic(dir, SNAPSHOT_FILE, buf);
}

/** The snapshot, undefined when there is none; IndexFileError when it is unusable. */
export function readSnapshot(dir: string): Snapshot | undefined {
  const buf = readIfExists(path.join(dir, SNAPSHOT_FILE));
  if (buf === undefined) return undefined;
  if (buf.length < 16 || buf.toString("latin1", 0, 8) !== SNAPSHOT_MAGIC) throw bad("not an index snapshot");
  if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4))
    throw bad("checksum mismatch");
  const headerLength = buf.readUInt32LE(8);
  const h = parseJson(buf, 12, 12 + headerLength) as Record<string, unknown>;
  const { gen, end, topics, pending, le } = h;
  if (!(Number.isSafeInteger(gen) && Number.isInteger(end) && (end as number) >= 1)) throw bad("bad header");
  if (!(Array.isArray(topics) && topics.every((t) => typeof t === "string"))) throw bad("bad topic table");
  if (!(Array.isArray(pending) && pending.every(Number.isInteger))) throw bad("bad pending list");
  if (le !== LITTLE_ENDIAN) throw bad("written on a machine of the other byte order");
  const n = end as number;
  const statusAt = pad8(12 + headerLength);
  const topicAt = pad8(statusAt + n);
  const createdAt = pad8(topicAt + 4 * n);
  if (createdAt + 8 * n + 4 !== buf.length) throw bad("size does not match its header");
  const state: IndexState = {
    end: n,
    topics: topics as string[],
    status: Uint8Array.from(buf.subarray(statusAt, statusAt + n)),
    topicOf: new Uint32Array(n),
    createdAt: new Float64Array(n),
  };
  bytesOf(state.topicOf).set(buf.subarray(topicAt, topicAt + 4 * n));
  bytesOf(state.createdAt).set(buf.subarray(createdAt, createdAt + 8 * n));
  for (let id = 1; id < n; id++) {
    const s = state.status[id] as number;
    if (s > 4 || (s !== 0 && (state.topicOf[id] as number) >= topics.length))
      throw bad(`bad entry for job ${id}`);
  }
  return { gen: gen as number, pending: pending as number[], state };
}

export function removeFile(dir: string, name: string): void {
  fs.rmSync(path.join(dir, name), { force: true });
  fsyncDir(dir);
}

export function writeFileAtomic(dir: string, name: string, data: Uint8Array): void {
  const tmp = path.join(dir, `${name}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    let done = 0;
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, name));
  fsyncDir(dir);
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export function parseJson(buf: Buffer, from: number, to: number): unknown {
  try {
    const value: unknown = JSON.parse(buf.toString("utf8", from, to));
    if (typeof value === "object" && value !== null) return value;
  } catch {
    // reported below
  }
  throw bad("header is not JSON");
}

const bad = (message: string) => new IndexFileError(`index snapshot: ${message}`);
const bytesOf = (a: Uint32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
