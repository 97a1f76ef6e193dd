import fs from "node:fs";
import path from "node:path";
import { BLOCK_SIZE, BlockCache } from "./block-cache.js";
import { corrupt, OurDBError } from "./errors.js";
import { fdatasync } from "./fsutil.js";
import {
  decodeHeader,
  HEADER_SIZE,
  type Location,
  locationFile,
  locationPosition,
  makeLocation,
  payloadMatches,
  type RecordHeader,
} from "./record.js";

const DATA_FILE = /^(\d+)\.db$/;
const MAX_FILE_NR = 0xffff;

export const dataFileName = (nr: number) => `${nr}.db`;

/** Numbers of the data files in `dir`, ascending. */
export function listDataFiles(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((name) => DATA_FILE.exec(name)?.[1])
    .filter((nr): nr is string => nr !== undefined && String(Number(nr)) === nr && Number(nr) <= MAX_FILE_NR)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface StoredRecord {
  header: RecordHeader;
  payload: Buffer;
}

/**
 * The numbered data files of one database: positional reads from any file, appends to the current one.
 * A new file starts with one 0x00 byte so that position 0 can mean "no record".
 */
export class DataFiles {
  private readonly fds = new Map<number, number>();
  private readonly unsynced = new Set<number>();
  private readonly readBuffer: Buffer;
  private readonly cache: BlockCache;
  current = 0;
  end = 1;

  constructor(
    private readonly dir: string,
    private readonly readOnly: boolean,
    readHint: number,
    cacheBytes = 0,
  ) {
    this.readBuffer = Buffer.allocUnsafe(HEADER_SIZE + readHint);
    this.cache = new BlockCache(cacheBytes);
  }

  /** Continues in the highest existing file (never truncated); creates 0.db in an empty folder. */
  locateEnd(): void {
    const files = listDataFiles(this.dir);
    const last = files.at(-1);
    if (last === undefined) {
      if (!this.readOnly) this.create(0);
      return;
    }
    this.current = last;
    this.end = Math.max(1, fs.fstatSync(this.fd(last)).size);
  }

  /** Where a record of `length` bytes goes: the current file, or the next one once this one is full. */
  planAppend(length: number, fileSize: number, maxPosition: number, multiFile: boolean): Location {
    if (this.end >= fileSize && multiFile) {
      if (this.current >= MAX_FILE_NR)
        throw new OurDBError("OURDB_ERR_FULL", "database is full: no data file number left");
      this.create(this.current + 1);
    }
    if (this.end > maxPosition) {
      throw new OurDBError(
        "OURDB_ERR_FULL",
        `database is full: position ${this.end} is beyond what this keysize can address (${maxPosition}); ` +
          "open it with a larger recordNrMax or recordSizeMax",
      );
    }
    const loc = makeLocation(this.current, this.end);
    this.end += length;
    return loc;
  }

  /** Writes `bytes` at `loc`, creating the file (with its leading 0x00) if a crash lost it. */
  writeAt(loc: Location, bytes: Uint8Array): void {
    const file = locationFile(loc);
    const position = locationPosition(loc);
    if (!this.fds.has(file) && !fs.existsSync(this.filePath(file))) this.create(file);
    fs.writeSync(this.fd(file), bytes, 0, bytes.length, position);
    this.cache.patch(file, position, bytes);
    this.unsynced.add(file);
  }

  /** Writes records in order, joining those that follow each other in a file into one write. */
  writeAll(writes: { loc: Location; bytes: Buffer }[]): void {
    let start = 0;
    for (let i = 1; i <= writes.length; i++) {
      const previous = writes[i - 1] as { loc: Location; bytes: Buffer };
      const next = writes[i];
      if (next && next.loc === previous.loc + previous.bytes.length) continue;
      const run = writes.slice(start, i);
      const first = run[0] as { loc: Location; bytes: Buffer };
      this.writeAt(first.loc, run.length === 1 ? first.bytes : Buffer.concat(run.map((w) => w.bytes)));
      start = i;
    }
  }

  /** Reads the record at `loc`; `id` names it in errors. The payload's CRC is not checked here. */
  read(id: number, loc: Location): StoredRecord {
    const file = locationFile(loc);
    const position = locationPosition(loc);
    let fd: number;
    try {
      fd = this.fd(file);
    } catch (err) {
      throw corrupt(id, `data file ${dataFileName(file)} is missing (${(err as Error).message})`);
    }
    const cached = this.readCached(fd, file, position);
    if (cached) return cached;
    const got = fs.readSync(fd, this.readBuffer, 0, this.readBuffer.length, position);
    if (got < HEADER_SIZE) throw corrupt(id, `record at ${file}:${position} is truncated`);
    const header = decodeHeader(this.readBuffer);
    const payload = Buffer.allocUnsafe(header.length);
    const inBuffer = Math.min(header.length, got - HEADER_SIZE);
    this.readBuffer.copy(payload, 0, HEADER_SIZE, HEADER_SIZE + inBuffer);
    if (inBuffer < header.length) {
      const rest = fs.readSync(
        fd,
        payload,
        inBuffer,
        header.length - inBuffer,
        position + HEADER_SIZE + inBuffer,
      );
      if (inBuffer + rest < header.length) throw corrupt(id, `record at ${file}:${position} is truncated`);
    }
    return { header, payload };
  }

  /** The record from the block cache, loading its block; undefined when it is not within one block. */
  private readCached(fd: number, file: number, position: number): StoredRecord | undefined {
    if (!this.cache.enabled) return undefined;
    let head = this.cache.lookup(file, position, HEADER_SIZE);
    if (!head) {
      this.cache.load(file, position, (buffer, start) => fs.readSync(fd, buffer, 0, BLOCK_SIZE, start));
      head = this.cache.lookup(file, position, HEADER_SIZE);
      if (!head) return undefined;
    }
    const header = decodeHeader(head.bytes, head.offset);
    const whole = this.cache.lookup(file, position, HEADER_SIZE + header.length);
    if (!whole) return undefined;
    const start = whole.offset + HEADER_SIZE;
    return { header, payload: Buffer.from(whole.bytes.subarray(start, start + header.length)) };
  }

  /** Reads and CRC-checks the record at `loc`. */
  readChecked(id: number, loc: Location): StoredRecord {
    const record = this.read(id, loc);
    if (!payloadMatches(record.header, record.payload)) throw corrupt(id, "CRC mismatch");
    return record;
  }

  async syncAll(): Promise<void> {
    const files = [...this.unsynced];
    this.unsynced.clear();
    await Promise.all(files.map((file) => fdatasync(this.fd(file))));
  }

  sizes(): { file: number; size: number }[] {
    return listDataFiles(this.dir).map((file) => ({ file, size: fs.statSync(this.filePath(file)).size }));
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }

  private fd(file: number): number {
    let fd = this.fds.get(file);
    if (fd === undefined) {
      fd = fs.openSync(this.filePath(file), this.readOnly ? "r" : "r+");
      this.fds.set(file, fd);
    }
    return fd;
  }

  private create(file: number): void {
    const fd = fs.openSync(this.filePath(file), "wx+");
    fs.writeSync(fd, Buffer.of(0), 0, 1, 0);
    this.fds.set(file, fd);
    this.unsynced.add(file);
    this.current = file;
    this.end = 1;
  }

  private filePath(file: number): string {
    return path.join(this.dir, dataFileName(file));
  }
}
