/**
 * The listing index's journal, `<store>/index/journal`: what changed since the snapshot of the same
 * `gen`. `HAJJNL01` | u32 LE length | JSON { gen, bootId } | u32 LE crc32 of the JSON, then frames:
 * u32 LE payload length | u32 LE crc32 | entries. One frame is one write(); reading stops at the
 * first short or damaged frame. Entries: intent `1, u32 id` (written before a status change goes to
 * OurDB), commit `2, u32 id, u8 status` (OurDB acknowledged that status), create `3, u32 id,
 * f64 createdAt, u16 length, topic UTF-8`.
 *
 * Intents are written before the OurDB write: the intents of one turn of the event loop share one
 * write, which their OurDB writes wait for. Commits and creates are buffered and written with the
 * next intents or on the next turn (losing them is harmless: see job-index-keeper.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { IndexFileError, parseJson, readIfExists, writeFileAtomic } from "./job-index-file.js";

const JOURNAL_MAGIC = "HAJJNL01";
export const JOURNAL_FILE = "journal";

export interface JournalVisitor {
  intent(id: number): void;
  commit(id: number, status: number): void;
  create(id: number, createdAt: number, topic: string): void;
}

export interface JournalHeader {
  gen: number;
  bootId: string;
}

/**
 * Reads the journal's header, and its entries into `visitor` when `accept(header)` says so;
 * undefined when there is no journal. A journal is created whole (tmp + rename), so an unreadable
 * header is damage: IndexFileError. Entries end at the first short or damaged frame (a torn append).
 */
export function readJournal(
  dir: string,
  accept: (header: JournalHeader) => boolean,
  visitor: JournalVisitor,
): { header: JournalHeader; entries: number } | undefined {
  const buf = readIfExists(path.join(dir, JOURNAL_FILE));
  if (buf === undefined) return undefined;
  const badJournal = new IndexFileError("index journal: unreadable header");
  if (buf.length < 16 || buf.toString("latin1", 0, 8) !== JOURNAL_MAGIC) throw badJournal;
  const length = buf.readUInt32LE(8);
  if (16 + length > buf.length || crc32(buf.subarray(12, 12 + length)) !== buf.readUInt32LE(12 + length)) {
    throw badJournal;
  }
  const h = parseJson(buf, 12, 12 + length) as Record<string, unknown>;
  if (!(Number.isSafeInteger(h.gen) && typeof h.bootId === "string")) throw badJournal;
  const header = { gen: h.gen as number, bootId: h.bootId };
  if (!accept(header)) return { header, entries: 0 };
  let entries = 0;
  let at = 16 + length;
  while (at + 8 <= buf.length) {
    const size = buf.readUInt32LE(at);
    const end = at + 8 + size;
    if (end > buf.length || crc32(buf.subarray(at + 8, end)) !== buf.readUInt32LE(at + 4)) break;
    entries += readFrame(buf, at + 8, end, visitor);
    at = end;
  }
  return { header, entries };
}

function readFrame(buf: Buffer, from: number, end: number, visitor: JournalVisitor): number {
  let entries = 0;
  let at = from;
  while (at < end) {
    const kind = buf[at];
    const id = buf.readUInt32LE(at + 1);
    if (kind === 1) {
      visitor.intent(id);
      at += 5;
    } else if (kind === 2) {
      visitor.commit(id, buf[at + 5] as number);
      at += 6;
    } else if (kind === 3) {
      const topicLength = buf.readUInt16LE(at + 13);
      visitor.create(id, buf.readDoubleLE(at + 5), buf.toString("utf8", at + 15, at + 15 + topicLength));
      at += 15 + topicLength;
    } else {
      throw new IndexFileError(`journal entry of unknown kind ${kind}`);
    }
    entries++;
  }
  return entries;
}

/** The index journal of one session: appends frames, never rewrites them. */
export class IndexJournal {
  private buf = Buffer.alloc(64 * 1024);
  private used = 8; // the frame header is filled in when the frame is written
  private scheduled = false;
  /** Settled by the write of the intents buffered so far. */
  private intents?: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void };
  private goodSize: number;
  private broken: Error | undefined;
  /** Entries appended, for the rotation threshold. */
  entries = 0;

  private constructor(
    private fd: number,
    size: number,
  ) {
    this.goodSize = size;
  }

  /** Creates `journal` for `gen` atomically, starting with intents for `pending` ids. */
  static create(dir: string, header: JournalHeader, pending: Iterable<number>): IndexJournal {
    const json = Buffer.from(JSON.stringify(header));
    const head = Buffer.alloc(16 + json.length);
    head.write(JOURNAL_MAGIC, 0, "latin1");
    head.writeUInt32LE(json.length, 8);
    json.copy(head, 12);
    head.writeUInt32LE(crc32(json), 12 + json.length);
    const journal = new IndexJournal(-1, 0);
    for (const id of pending) journal.intentEntry(id);
    writeFileAtomic(dir, JOURNAL_FILE, Buffer.concat([head, journal.frame()]));
    const fd = fs.openSync(path.join(dir, JOURNAL_FILE), "a");
    return new IndexJournal(fd, fs.fstatSync(fd).size);
  }

  /**
   * Buffers an intent; resolves once it is written (with everything buffered before it) at the end
   * of this turn of the event loop: the OurDB write waits for that.
   */
  intent(id: number): Promise<void> {
    if (this.broken) {
      return Promise.reject(new Error(`job index journal failed: ${this.broken.message}; reopen the store`));
    }
    this.intentEntry(id);
    if (this.intents === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.intents = { promise, resolve, reject };
      // Not unref'd: a change waits for it.
      setImmediate(() => {
        try {
          this.flush();
        } catch {
          // flush() rejected the intents' waiters
        }
      });
    }
    return this.intents.promise;
  }

  commit(id: number, status: number): void {
    const at = this.reserve(6);
    this.buf[at] = 2;
    this.buf.writeUInt32LE(id, at + 1);
    this.buf[at + 5] = status;
    this.later();
  }

  create(id: number, createdAt: number, topic: string): void {
    const length = Buffer.byteLength(topic);
    const at = this.reserve(15 + length);
    this.buf[at] = 3;
    this.buf.writeUInt32LE(id, at + 1);
    this.buf.writeDoubleLE(createdAt, at + 5);
    this.buf.writeUInt16LE(length, at + 13);
    this.buf.write(topic, at + 15, "utf8");
    this.later();
  }

  /**
   * Writes the buffered entries as one frame; on failure the file is cut back to its last frame.
   * Settles the intents' waiters.
   */
  flush(): void {
    const intents = this.intents;
    this.intents = undefined;
    if (this.used === 8 || this.fd < 0 || this.broken) {
      if (this.used === 8) intents?.resolve();
      else intents?.reject(new Error("job index journal is closed or failed; reopen the store"));
      return;
    }
    const frame = this.frame();
    try {
      let done = 0;
      while (done < frame.length) done += fs.writeSync(this.fd, frame, done, frame.length - done);
      this.goodSize += frame.length;
    } catch (error) {
      intents?.reject(error);
      try {
        fs.ftruncateSync(this.fd, this.goodSize);
      } catch {
        this.broken = error as Error;
      }
      throw error;
    }
    intents?.resolve();
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }

  private intentEntry(id: number): void {
    const at = this.reserve(5);
    this.buf[at] = 1;
    this.buf.writeUInt32LE(id, at + 1);
  }

  /** The buffered entries as a frame (a view of the buffer); empties the buffer. */
  private frame(): Buffer {
    const size = this.used - 8;
    this.buf.writeUInt32LE(size, 0);
    this.buf.writeUInt32LE(crc32(this.buf.subarray(8, this.used)), 4);
    const frame = this.buf.subarray(0, this.used);
    this.used = 8;
    return frame;
  }

  private reserve(bytes: number): number {
    if (this.used + bytes > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.used + bytes));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    const at = this.used;
    this.used += bytes;
    this.entries++;
    return at;
  }

  private later(): void {
    if (this.scheduled || this.fd < 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.flush();
      } catch {
        // Lost commits and creates are found again on open (see job-index-keeper.ts).
      }
    }).unref();
  }
}

/** This boot of the machine: page-cache writes (the journal's) survive a killed process, not a reboot. */
export function currentBootId(): string {
  try {
    return fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return `booted-at-minute-${Math.round((Date.now() - os.uptime() * 1000) / 60_000)}`;
  }
}
