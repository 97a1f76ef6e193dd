import fs from "node:fs";
import { installCondensed, writeCondensed } from "./condense.js";
import { DataFiles } from "./data-files.js";
import { corrupt, invalid, notFound, OurDBError } from "./errors.js";
import { encodeEntry, type Journal, type JournalEntry } from "./journal.js";
import type { Lookup } from "./lookup.js";
import type { LookupStore } from "./lookup-store.js";
import { type OpenedFiles, openFiles } from "./open.js";
import { maxPositionFor, type OurDBOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { encodeRecord, formatLocation, HEADER_SIZE, type Location } from "./record.js";
import { type Pending, WriteQueue } from "./write-queue.js";

type Write = { kind: "set"; id: number | undefined; data: Uint8Array } | { kind: "delete"; id: number };

export interface OurDBStats {
  path: string;
  keysize: number;
  incrementalMode: boolean;
  nextId: number | undefined;
  liveIds: number;
  recordNrMax: number;
  recordSizeMax: number;
  fileSize: number;
  sync: string;
  files: { file: number; size: number }[];
  journalBytes: number;
  /** What opening found and repaired or could not repair. */
  warnings: string[];
}

export interface VerifyReport {
  ids: number;
  records: number;
  damaged: { id: number; error: string }[];
}

/** A journal this many times larger than the snapshot it replaces (and at least 64 MiB) triggers a checkpoint. */
const CHECKPOINT_MIN_BYTES = 64 * 1024 * 1024;
const CHECKPOINT_FACTOR = 4;
const MAX_BATCH = 4096;

/**
 * OurDB: an append-only store where every id keeps the chain of its versions. The data files and the
 * lookup snapshot follow the shared format; writes are made durable through a journal (see journal.ts).
 */
export class OurDB {
  private readonly queue: WriteQueue<Write>;
  private journal: Journal | undefined;
  private failure: Error | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly warnings: string[];
  readonly options: ResolvedOptions;
  private dataFiles: DataFiles;
  private lookup: Lookup;
  private nextId: number;
  private readonly store: LookupStore;
  private readonly releaseLock: () => void;

  private constructor(opened: OpenedFiles) {
    ({
      options: this.options,
      dataFiles: this.dataFiles,
      lookup: this.lookup,
      nextId: this.nextId,
      store: this.store,
      journal: this.journal,
      releaseLock: this.releaseLock,
      warnings: this.warnings,
    } = opened);
    // "always" means one fsync per write: batches of one.
    this.queue = new WriteQueue(
      (batch) => this.commit(batch),
      this.options.sync === "always" ? 1 : MAX_BATCH,
    );
  }

  static async open(options: OurDBOptions): Promise<OurDB> {
    const opened = await openFiles(resolveOptions(options));
    const db = new OurDB(opened);
    db.checkNewestRecord();
    return db;
  }

  /** Stores `data` as a new record (no id, incremental mode) or as the newest version of `id`. */
  async set({ id, data }: { id?: number; data: Uint8Array | string }): Promise<number> {
    this.assertWritable();
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    if (!(bytes instanceof Uint8Array)) throw invalid("data must be a Uint8Array or a string");
    const limit = Math.min(this.options.recordSizeMax, 0xffff);
    if (bytes.length > limit) {
      throw new OurDBError(
        "OURDB_ERR_TOO_LARGE",
        `payload of ${bytes.length} bytes exceeds the record size limit of ${limit} bytes (recordSizeMax)`,
      );
    }
    if (id !== undefined) this.checkId(id);
    else if (!this.options.incrementalMode) throw invalid("id must be provided when incremental is disabled");
    return this.queue.write({ kind: "set", id, data: bytes });
  }

  async get(id: number): Promise<Uint8Array> {
    this.assertOpen();
    this.checkId(id);
    const loc = this.lookup.get(id);
    if (loc === 0) throw notFound(id);
    return this.dataFiles.readChecked(id, loc).payload;
  }

  /** Up to `depth` versions of `id`, newest first. */
  async getHistory(id: number, depth = Number.POSITIVE_INFINITY): Promise<Uint8Array[]> {
    this.assertOpen();
    this.checkId(id);
    if (!(depth >= 0)) throw invalid(`depth must be a non-negative number (got ${depth})`);
    if (this.lookup.get(id) === 0) throw notFound(id);
    return this.history(id, depth);
  }

  async delete(id: number): Promise<void> {
    this.assertWritable();
    this.checkId(id);
    await this.queue.write({ kind: "delete", id });
  }

  async getNextId(): Promise<number> {
    this.assertOpen();
    if (!this.options.incrementalMode) throw invalid("incremental mode is not enabled");
    if (this.nextId >= this.options.recordNrMax)
      throw new OurDBError("OURDB_ERR_FULL", "lookup table is full");
    return this.nextId;
  }

  /** Live ids in ascending order. */
  *ids(): Generator<number> {
    for (const [id] of this.lookup.entries()) yield id;
  }

  get size(): number {
    return this.lookup.size;
  }

  /**
   * Rewrites the live records, each with at most `keepHistory` older versions (default: all), into fresh
   * files and swaps them in; deleted records and the space of their versions are reclaimed.
   */
  async condense({ keepHistory = Number.POSITIVE_INFINITY }: { keepHistory?: number } = {}): Promise<void> {
    this.assertWritable();
    if (!(keepHistory >= 0)) throw invalid(`keepHistory must be a non-negative number (got ${keepHistory})`);
    return this.queue.task(async () => {
      this.assertWritable();
      const source = {
        lookup: this.lookup,
        nextId: this.nextId,
        history: (id: number, d: number) => this.history(id, d),
      };
      const lookup = await writeCondensed(this.options.path, this.options, source, keepHistory);
      this.journal?.close();
      this.journal = undefined;
      this.dataFiles.close();
      this.failOnError(() => installCondensed(this.options.path));
      this.lookup = lookup;
      this.dataFiles = new DataFiles(
        this.options.path,
        false,
        this.options.recordSizeMax,
        this.options.cacheSize,
      );
      this.dataFiles.locateEnd();
      this.journal = this.store.freshJournal();
    });
  }

  /** Reads every version of every live id and checks its CRC and its history link. */
  async verify(): Promise<VerifyReport> {
    this.assertOpen();
    const report: VerifyReport = { ids: 0, records: 0, damaged: [] };
    for (const [id] of this.lookup.entries()) {
      report.ids++;
      try {
        report.records += this.history(id, Number.POSITIVE_INFINITY).length;
      } catch (err) {
        report.damaged.push({ id, error: (err as Error).message });
      }
    }
    return report;
  }

  stats(): OurDBStats {
    const o = this.options;
    return {
      path: o.path,
      keysize: o.keysize,
      incrementalMode: o.incrementalMode,
      nextId: this.incValue(),
      liveIds: this.lookup.size,
      recordNrMax: o.recordNrMax,
      recordSizeMax: o.recordSizeMax,
      fileSize: o.fileSize,
      sync: o.sync,
      files: this.dataFiles.sizes(),
      journalBytes: this.journal?.size ?? 0,
      warnings: [...this.warnings],
    };
  }

  /** Waits for queued writes, checkpoints the lookup into its snapshot and releases the folder. */
  close(): Promise<void> {
    this.closing ??= this.queue.task(async () => {
      try {
        if (this.journal && !this.failure && this.journal.size > 0) {
          this.journal = await this.store.checkpoint(
            this.lookup,
            this.options.keysize,
            this.incValue(),
            this.dataFiles,
            this.journal,
          );
        }
      } finally {
        this.closed = true;
        this.journal?.close();
        this.dataFiles.close();
        this.releaseLock();
      }
    });
    return this.closing;
  }

  /** Closes the database and removes its folder. */
  async destroy(): Promise<void> {
    await this.close();
    fs.rmSync(this.options.path, { recursive: true, force: true });
  }

  /** A torn or damaged tail shows in the last record appended: check it once on open. */
  private checkNewestRecord(): void {
    const newest = this.lookup.newest();
    if (!newest) return;
    try {
      this.dataFiles.readChecked(newest[0], newest[1]);
    } catch (err) {
      this.warnings.push((err as Error).message);
    }
  }

  private history(id: number, depth: number): Uint8Array[] {
    const versions: Uint8Array[] = [];
    let loc: Location = this.lookup.get(id);
    while (loc !== 0 && versions.length < depth) {
      const { header, payload } = this.dataFiles.readChecked(id, loc);
      versions.push(payload);
      if (header.previous >= loc) {
        throw corrupt(
          id,
          `history link at ${formatLocation(loc)} points forward to ${formatLocation(header.previous)}`,
        );
      }
      loc = header.previous;
    }
    return versions;
  }

  private async commit(batch: { write: Write; done: Pending<number> }[]): Promise<void> {
    this.assertWritable();
    const journal = this.journal as Journal;
    const entries: Buffer[] = [];
    const records: { loc: Location; bytes: Buffer }[] = [];
    const zeroFills: { loc: Location; length: number }[] = [];
    const accepted: { done: Pending<number>; id: number }[] = [];
    const writeRecords = () => this.failOnError(() => this.dataFiles.writeAll(records.splice(0)));
    for (const { write, done } of batch) {
      let entry: JournalEntry;
      try {
        if (write.kind === "delete") writeRecords(); // the record to delete may be one of this batch
        entry = write.kind === "set" ? this.prepareSet(write.id, write.data) : this.prepareDelete(write.id);
      } catch (err) {
        done.reject(err);
        continue;
      }
      if (entry.kind === "set") records.push({ loc: entry.loc, bytes: entry.record });
      else zeroFills.push({ loc: entry.loc, length: HEADER_SIZE + entry.length });
      this.lookup.set(entry.id, entry.kind === "set" ? entry.loc : 0);
      entries.push(encodeEntry(entry));
      accepted.push({ done, id: entry.id });
    }
    writeRecords();
    if (entries.length === 0) return;
    this.failOnError(() =>
      journal.append(entries.length === 1 ? (entries[0] as Buffer) : Buffer.concat(entries)),
    );
    if (this.options.sync !== "none") await this.failOnErrorAsync(() => journal.sync());
    // Zero-filling waits for the journal: a delete that is lost in a crash must leave the record readable.
    this.failOnError(() => {
      for (const { loc, length } of zeroFills) this.dataFiles.writeAt(loc, Buffer.alloc(length));
    });
    for (const { done, id } of accepted) done.resolve(id);
    if (
      journal.size >
      Math.max(CHECKPOINT_MIN_BYTES, CHECKPOINT_FACTOR * this.lookup.size * (4 + this.options.keysize))
    ) {
      this.journal = await this.failOnErrorAsync(() =>
        this.store.checkpoint(this.lookup, this.options.keysize, this.incValue(), this.dataFiles, journal),
      );
    }
  }

  private prepareSet(requested: number | undefined, data: Uint8Array): JournalEntry {
    const o = this.options;
    let id: number;
    if (requested === undefined) {
      if (this.nextId >= o.recordNrMax) throw new OurDBError("OURDB_ERR_FULL", "lookup table is full");
      id = this.nextId;
    } else {
      id = requested;
      if (o.incrementalMode && this.lookup.get(id) === 0) {
        throw invalid(
          `cannot set id for insertions when incremental mode is enabled (id ${id} does not exist)`,
        );
      }
    }
    const record = encodeRecord(data, this.lookup.get(id));
    const loc = this.dataFiles.planAppend(
      record.length,
      o.fileSize,
      maxPositionFor(o.keysize),
      o.keysize === 6,
    );
    if (requested === undefined) this.nextId++;
    return { kind: "set", id, loc, record };
  }

  private prepareDelete(id: number): JournalEntry {
    const loc = this.lookup.get(id);
    if (loc === 0) throw notFound(id);
    let length = 0;
    try {
      length = this.dataFiles.read(id, loc).header.length;
    } catch {
      // A damaged record is still deleted; only its header is zeroed.
    }
    return { kind: "delete", id, loc, length };
  }

  private incValue(): number | undefined {
    return this.options.incrementalMode ? this.nextId : undefined;
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.options.recordNrMax) {
      throw invalid(`id must be an integer from 0 to ${this.options.recordNrMax - 1} (got ${id})`);
    }
  }

  private assertOpen(): void {
    if (this.closed || this.closing)
      throw new OurDBError("OURDB_ERR_CLOSED", `database ${this.options.path} is closed`);
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.options.readOnly)
      throw new OurDBError("OURDB_ERR_READ_ONLY", `database ${this.options.path} is open read-only`);
    if (this.failure) {
      throw new OurDBError(
        "OURDB_ERR_FAILED",
        `database ${this.options.path} stopped after an I/O error: ${this.failure.message}; reopen it`,
        {
          cause: this.failure,
        },
      );
    }
  }

  /** After a failed write or sync the state on disk is unknown: refuse every later write. */
  private failOnError<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      this.failure ??= err as Error;
      throw err;
    }
  }

  private async failOnErrorAsync<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.failure ??= err as Error;
      throw err;
    }
  }
}
