/**
 * Text search over the jobs' params, results and errors: a file of frames
 * `[jobId u32 LE][length u32 LE][text, lowercased UTF-8]`, appended when a job is created (its
 * params) and when it gets a result or an error. A search scans the whole file with Buffer.indexOf
 * (memchr speed: ~150 MB for 1M small jobs, well under a second) and returns a set of candidate ids.
 *
 * Candidates are only candidates: the store checks each against the job's current values, so stale
 * frames (the old result of a retried job) never show and nothing here has to be rewritten. A value
 * is searchable in its first SEARCH_TEXT_MAX characters. The file is derived data: a torn last frame
 * is cut at open and the jobs written after the last frame are added again by the store (catch-up).
 * `<dir>/checkpoint` (length and last id, written on close) spares walking the file at open.
 */
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

export const SEARCH_TEXT_MAX = 64 * 1024;
const HEADER = 8;
/** UTF-8 of SEARCH_TEXT_MAX UTF-16 units: at most 3 bytes each. */
const FRAME_TEXT_MAX = SEARCH_TEXT_MAX * 3;
const READ_CHUNK = 8 * 1024 * 1024;
const read = promisify(fs.read);

/** Ids of matching frames, as a bitset walked newest first. */
export class SearchHits {
  constructor(private readonly bits: Uint32Array) {}

  /** The highest id below `id` that has a hit, or 0. */
  below(id: number): number {
    let at = Math.min(id, this.bits.length * 32) - 1;
    while (at > 0) {
      const word = this.bits[at >>> 5] as number;
      const masked = word & (0xffffffff >>> (31 - (at & 31)));
      if (masked !== 0) return (at & ~31) + 31 - Math.clz32(masked);
      at = (at & ~31) - 1;
    }
    return 0;
  }
}

export class SearchLog {
  private pending: Buffer[] = [];
  private flushScheduled = false;
  /** The most recent search, kept so that its next pages only scan what was appended since. */
  private last?: { term: string; scanned: number; bits: Uint32Array };

  private constructor(
    private readonly dir: string,
    private fd: number,
    private length: number,
    /** The highest job id with a frame (frames of one job may come later, e.g. its result). */
    private maxId: number,
    private readonly readOnly: boolean,
  ) {}

  static open(dir: string, readOnly = false): SearchLog {
    const file = path.join(dir, "frames");
    if (!readOnly) fs.mkdirSync(dir, { recursive: true });
    if (readOnly && !fs.existsSync(file)) return new SearchLog(dir, -1, 0, 0, true);
    const fd = fs.openSync(file, readOnly ? "r" : "a+");
    try {
      const size = fs.fstatSync(fd).size;
      const checkpoint = readCheckpoint(dir);
      const start = checkpoint && checkpoint.length <= size ? checkpoint : { length: 0, maxId: 0 };
      const { length, maxId } = walkFrames(fd, start.length, size, start.maxId);
      if (length < size && !readOnly) fs.ftruncateSync(fd, length); // a torn last frame
      return new SearchLog(dir, fd, length, maxId, readOnly);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** The highest job id the file has a frame for: the store adds the jobs above it at open. */
  get lastId(): number {
    return this.maxId;
  }

  /** Appends `text` for `jobId` (written at the end of this event-loop turn). */
  add(jobId: number, text: string): void {
    if (this.readOnly || text === "") return;
    const bytes = Buffer.from(text.slice(0, SEARCH_TEXT_MAX).toLowerCase(), "utf8");
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(jobId, 0);
    header.writeUInt32LE(bytes.length, 4);
    this.pending.push(header, bytes);
    this.maxId = Math.max(this.maxId, jobId);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the frames added so far. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.fd < 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    let written = 0;
    while (written < data.length) written += fs.writeSync(this.fd, data, written);
    this.length += data.length;
  }

  /** The ids whose frames contain `term` (compared lowercased); `maxId` sizes the bitset. */
  async find(term: string, maxId: number): Promise<SearchHits> {
    this.flush();
    const needle = term.toLowerCase();
    const size = (Math.max(maxId, this.maxId) >>> 5) + 1;
    let last = this.last;
    if (!last || last.term !== needle || last.scanned > this.length) {
      last = { term: needle, scanned: 0, bits: new Uint32Array(size) };
    } else if (last.bits.length < size) {
      const grown = new Uint32Array(size);
      grown.set(last.bits);
      last.bits = grown;
    }
    const end = this.length; // frames flushed while scanning are left to the next search
    if (this.fd >= 0) await scanFrames(this.fd, last.scanned, end, Buffer.from(needle, "utf8"), last.bits);
    last.scanned = end;
    this.last = last;
    return new SearchHits(last.bits);
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    fs.closeSync(this.fd);
    this.fd = -1; // a flush scheduled before close finds nothing to write to
    if (!this.readOnly) {
      const checkpoint = JSON.stringify({ length: this.length, maxId: this.maxId });
      fs.writeFileSync(path.join(this.dir, "checkpoint"), checkpoint);
    }
  }
}

function readCheckpoint(dir: string): { length: number; maxId: number } | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, "checkpoint"), "utf8"));
    if (Number.isSafeInteger(parsed.length) && Number.isSafeInteger(parsed.maxId)) return parsed;
  } catch {
    // absent or unreadable: walk the whole file
  }
  return undefined;
}

/**
 * Walks whole frames from `start`: where the last complete one ends (a torn or impossible frame
 * ends the file), and the highest id seen.
 */
function walkFrames(fd: number, start: number, size: number, maxId: number) {
  const header = Buffer.alloc(HEADER);
  let at = start;
  let highest = maxId;
  while (at + HEADER <= size) {
    fs.readSync(fd, header, 0, HEADER, at);
    const textLength = header.readUInt32LE(4);
    const end = at + HEADER + textLength;
    if (end > size || textLength > FRAME_TEXT_MAX) break;
    highest = Math.max(highest, header.readUInt32LE(0));
    at = end;
  }
  return { length: at, maxId: highest };
}

/** Sets the bit of every frame in [from, to) whose text contains `needle`. */
async function scanFrames(fd: number, from: number, to: number, needle: Buffer, bits: Uint32Array) {
  const buffer = Buffer.allocUnsafe(READ_CHUNK + HEADER + FRAME_TEXT_MAX);
  let carried = 0; // bytes of an incomplete frame moved to the front of the buffer
  let fileAt = from;
  while (fileAt < to) {
    const { bytesRead } = await read(fd, buffer, carried, Math.min(READ_CHUNK, to - fileAt), fileAt);
    if (bytesRead === 0) break;
    fileAt += bytesRead;
    const filled = carried + bytesRead;
    const whole = matchFrames(buffer, filled, needle, bits);
    carried = filled - whole;
    buffer.copy(buffer, 0, whole, filled);
  }
}

/** Matches the complete frames in buffer[0, filled); returns where the complete frames end. */
function matchFrames(whole: Buffer, filled: number, needle: Buffer, bits: Uint32Array): number {
  const buffer = whole.subarray(0, filled);
  let frame = 0;
  let frameEnd = frameEndAt(buffer, 0, filled);
  let from = 0;
  for (;;) {
    const hit = buffer.indexOf(needle, from);
    if (hit < 0) break;
    while (frameEnd >= 0 && frameEnd <= hit) {
      frame = frameEnd;
      frameEnd = frameEndAt(buffer, frame, filled);
    }
    if (frameEnd < 0) break; // the hit lies in an incomplete frame: the next read rescans it
    if (hit >= frame + HEADER && hit + needle.length <= frameEnd) {
      const id = buffer.readUInt32LE(frame);
      if (id >>> 5 < bits.length) bits[id >>> 5] = (bits[id >>> 5] as number) | (1 << (id & 31));
      from = frameEnd;
    } else {
      from = hit + 1;
    }
  }
  // Where the complete frames end: walk the rest (no hits there) to the first incomplete one.
  while (frameEnd >= 0) {
    frame = frameEnd;
    frameEnd = frameEndAt(buffer, frame, filled);
  }
  return frame;
}

/** End of the frame starting at `at`, or -1 when it is not complete within `filled`. */
function frameEndAt(buffer: Buffer, at: number, filled: number): number {
  if (at + HEADER > filled) return -1;
  const end = at + HEADER + buffer.readUInt32LE(at + 4);
  return end <= filled ? end : -1;
}
