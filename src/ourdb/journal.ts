import fs from "node:fs";
import { crc32 } from "node:zlib";
import { fdatasync } from "./fsutil.js";
import { HEADER_SIZE, type Location, readLocation, writeLocation } from "./record.js";

/**
 * The write-ahead journal (our addition to the format, in `lookup_dump.db/journal`). Every set and delete
 * is appended here with the full record bytes; a write is acknowledged once the journal is synced, so one
 * fsync per commit makes both the data file and the lookup recoverable. Data files are synced at checkpoints.
 *
 * File: "OURDBWAL" u32-LE version, u32 reserved, then entries:
 *   u32 LE crc32(bytes 4..end)  u32 LE body length  u8 kind  u32 LE id  6-byte location (u16 file, u32 pos BE)
 *   kind 1 (set): the record bytes (header + payload); kind 2 (delete): u16 LE payload length zero-filled.
 * The file is pre-extended with zeros so that syncing an append rarely touches metadata; a zeroed or torn
 * entry fails its CRC and ends the replay.
 */
const MAGIC = Buffer.from("OURDBWAL");
const VERSION = 1;
export const FILE_HEADER_SIZE = 16;
const PREFIX = 8;
const BODY_FIXED = 11;
const GROW_BY = 4 * 1024 * 1024;

export type JournalEntry =
  | { kind: "set"; id: number; loc: Location; record: Buffer }
  | { kind: "delete"; id: number; loc: Location; length: number };

export function encodeEntry(entry: JournalEntry): Buffer {
  const extra = entry.kind === "set" ? entry.record.length : 2;
  const buf = Buffer.allocUnsafe(PREFIX + BODY_FIXED + extra);
  buf.writeUInt32LE(BODY_FIXED + extra, 4);
  buf[8] = entry.kind === "set" ? 1 : 2;
  buf.writeUInt32LE(entry.id, 9);
  writeLocation(buf, 13, entry.loc, 6);
  if (entry.kind === "set") entry.record.copy(buf, PREFIX + BODY_FIXED);
  else buf.writeUInt16LE(entry.length, PREFIX + BODY_FIXED);
  buf.writeUInt32LE(crc32(buf.subarray(4)), 0);
  return buf;
}

export interface JournalContents {
  entries: JournalEntry[];
  /** Bytes after the last valid entry that are not zero: a torn append. */
  tornBytes: number;
}

export function readJournal(path: string): JournalContents {
  if (!fs.existsSync(path)) return { entries: [], tornBytes: 0 };
  const buf = fs.readFileSync(path);
  if (buf.length < FILE_HEADER_SIZE || !buf.subarray(0, 8).equals(MAGIC)) {
    // A crash while the journal was being created leaves it empty or short: nothing was written to it yet.
    return { entries: [], tornBytes: buf.some((b) => b !== 0) ? buf.length : 0 };
  }
  const entries: JournalEntry[] = [];
  let offset = FILE_HEADER_SIZE;
  while (offset + PREFIX + BODY_FIXED <= buf.length) {
    const bodyLength = buf.readUInt32LE(offset + 4);
    const end = offset + PREFIX + bodyLength;
    if (bodyLength < BODY_FIXED || end > buf.length) break;
    if (crc32(buf.subarray(offset + 4, end)) !== buf.readUInt32LE(offset)) break;
    const kind = buf[offset + 8];
    const id = buf.readUInt32LE(offset + 9);
    const loc = readLocation(buf, offset + 13, 6);
    const body = buf.subarray(offset + PREFIX + BODY_FIXED, end);
    if (kind === 1 && body.length >= HEADER_SIZE)
      entries.push({ kind: "set", id, loc, record: Buffer.from(body) });
    else if (kind === 2 && body.length === 2)
      entries.push({ kind: "delete", id, loc, length: body.readUInt16LE(0) });
    else break;
    offset = end;
  }
  const tornBytes = buf.subarray(offset).some((b) => b !== 0) ? buf.length - offset : 0;
  return { entries, tornBytes };
}

/** An open journal positioned for appends. */
export class Journal {
  private capacity: number;
  private closed = false;

  private constructor(
    private readonly fd: number,
    private offset: number,
  ) {
    this.capacity = offset;
  }

  /** Creates an empty journal (replacing any file at `path`), synced. */
  static create(path: string): Journal {
    const fd = fs.openSync(path, "w");
    const header = Buffer.alloc(FILE_HEADER_SIZE);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(VERSION, 8);
    fs.writeSync(fd, header, 0, header.length, 0);
    fs.fsyncSync(fd);
    return new Journal(fd, FILE_HEADER_SIZE);
  }

  /** Bytes of entries written since the journal was created. */
  get size(): number {
    return this.offset - FILE_HEADER_SIZE;
  }

  append(bytes: Buffer): void {
    if (this.offset + bytes.length > this.capacity) this.grow(bytes.length);
    fs.writeSync(this.fd, bytes, 0, bytes.length, this.offset);
    this.offset += bytes.length;
  }

  sync(): Promise<void> {
    return fdatasync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }

  private grow(needed: number): void {
    const by = Math.max(GROW_BY, needed);
    fs.writeSync(this.fd, Buffer.alloc(by), 0, by, this.capacity);
    this.capacity += by;
  }
}
