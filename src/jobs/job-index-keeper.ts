/**
 * Keeps the listing index (job-index.ts) current and persisted (job-index-file.ts), and loads it on
 * open. OurDB stays the truth; the index files only save reading every job record at start.
 *
 * Crash safety. The snapshot is the index at one moment; the journal of the same `gen` lists what
 * changed after it, in order:
 * - a status change writes an *intent* (jobId) to the journal, synchronously, *before* the OurDB
 *   write, and a *commit* (jobId, status) after OurDB acknowledged it. So whenever OurDB holds a
 *   status the index files do not, the journal holds an intent for that job without a later commit
 *   (the write was in flight, or its commit was still buffered): on open, exactly those jobs are
 *   read back from OurDB ("verified"). Writing the intent after the OurDB write instead would leave
 *   a window where OurDB changed and nothing on disk says so.
 * - a create is journaled after the OurDB write (the id is only known then); one that did not reach
 *   the journal is a job OurDB has and the index does not: on open every id below OurDB's next id
 *   that the index lacks is read ("tail").
 * - a snapshot taken while status changes are in flight lists their ids as `pending` (verified on
 *   open). A new snapshot is fsynced and renamed in before its journal is started, and the journal
 *   of an older `gen` is then ignored; nothing is written between the two (it is synchronous).
 * - the journal is written with write(), not fsynced: it survives a killed process (the page cache
 *   does), not a power cut. Its header records the machine's boot id; a journal left by another
 *   boot (the machine went down with the store open) is not trusted: the index is rebuilt.
 * - a missing, damaged or foreign-format snapshot (or a damaged journal frame header) never fails
 *   open: the index is rebuilt by reading every job record, and a warning is logged.
 * Read-only opens load the same files (verifying the pending jobs and reading the tail) and write
 * nothing.
 */

import fs from "node:fs";
import { performance } from "node:perf_hooks";
import type { JobStatus } from "./job.js";
import { CODE_STATUS, JobIndex, STATUS_CODE } from "./job-index.js";
import { readSnapshot, removeFile, type Snapshot, writeSnapshot } from "./job-index-file.js";
import {
  currentBootId,
  IndexJournal,
  JOURNAL_FILE,
  type JournalVisitor,
  readJournal,
} from "./job-index-journal.js";

export interface IndexedJob {
  topic: string;
  status: JobStatus;
  createdAt: number;
}

export type IndexLog = (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;

export interface IndexKeeperOptions {
  /** `<store>/index`. */
  dir: string;
  readOnly: boolean;
  /** OurDB's next id: the index must hold every job below it. */
  dbNextId: number;
  /** The job's listing fields from its newest record; undefined when there is no such job. */
  readJob: (id: number) => Promise<IndexedJob | undefined>;
  log: IndexLog;
  /** Tests: pretend to run in another boot of the machine. */
  bootId?: string;
  /** Tests: journal entries before a new snapshot (default: the larger of 100,000 and half the ids). */
  rotateEntries?: number;
}

/** How the index was loaded at open. */
export interface IndexOpenReport {
  source: "new" | "snapshot" | "journal" | "rebuilt";
  /** Why the index was rebuilt. */
  reason?: string;
  /** Journal entries applied. */
  replayed: number;
  /** Job records read to settle status changes in flight at the crash. */
  verified: number;
  /** Job records read for jobs the index files did not hold. */
  tailRead: number;
  ms: number;
}

/** Journal entries before a new snapshot (and at least half the ids: the snapshot costs ~13 bytes a job). */
const ROTATE_MIN_ENTRIES = 100_000;

export class IndexKeeper {
  private journal: IndexJournal | undefined;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    readonly index: JobIndex,
    readonly report: IndexOpenReport,
    private readonly options: IndexKeeperOptions,
    private readonly bootId: string,
    private gen: number,
    private readonly pending: Set<number>,
  ) {}

  static async open(o: IndexKeeperOptions): Promise<IndexKeeper> {
    const started = performance.now();
    const bootId = o.bootId ?? currentBootId();
    const pending = new Set<number>();
    const report: IndexOpenReport = { source: "new", replayed: 0, verified: 0, tailRead: 0, ms: 0 };
    let loaded = loadFiles(o.dir, bootId, pending, report);
    if (loaded.index === undefined && o.readOnly && loaded.retry)
      loaded = loadFiles(o.dir, bootId, pending, report);
    let { index, gen } = loaded;
    let dirty = loaded.dirty;
    if (index !== undefined) {
      for (const id of pending) {
        if (await put(o, index, id)) report.verified++;
      }
      pending.clear();
      if (index.end > o.dbNextId) {
        if (o.readOnly) index.truncate(o.dbNextId);
        else report.reason = `the index holds jobs up to ${index.end - 1}, the database below ${o.dbNextId}`;
      }
    }
    if (index === undefined || report.reason !== undefined) {
      if (o.dbNextId > 1) {
        report.reason ??= "no index";
        o.log("warn", `job index: rebuilding from ${o.dbNextId - 1} job records (${report.reason})`);
      }
      index = new JobIndex();
      report.source = o.dbNextId > 1 ? "rebuilt" : "new";
      report.replayed = 0;
      report.verified = 0;
      dirty = true;
    }
    for (let id = 1; id < o.dbNextId; id++) {
      if (!index.has(id) && (await put(o, index, id)) && report.source !== "rebuilt") report.tailRead++;
    }
    dirty ||= report.verified + report.tailRead > 0;
    const keeper = new IndexKeeper(index, report, o, bootId, gen, pending);
    if (!o.readOnly) keeper.startSession(dirty);
    report.ms = performance.now() - started;
    o.log("info", `job index: ${report.source === "rebuilt" ? "rebuilt" : "loaded"}`, { ...report });
    return keeper;
  }

  /** After OurDB stored a new job. */
  created(id: number, topic: string, createdAt: number): void {
    this.index.put(id, topic, createdAt, "new");
    this.journal?.create(id, createdAt, topic);
    this.maybeRotate();
  }

  /**
   * Before a status change goes to OurDB: resolves once its intent is written (the intents of one
   * turn share one write); rejects, and the change must not be made, when it cannot be journaled.
   */
  async willChange(id: number): Promise<void> {
    if (this.failure) throw new Error(`job index: ${this.failure.message}; reopen the store`);
    // Pending from now: a snapshot taken before the intent's write must list it.
    this.pending.add(id);
    try {
      await this.journal?.intent(id);
    } catch (error) {
      this.pending.delete(id);
      throw error;
    }
  }

  /** After OurDB acknowledged the status change. */
  changed(id: number, status: JobStatus): void {
    this.index.setStatus(id, status);
    this.pending.delete(id);
    this.journal?.commit(id, STATUS_CODE[status]);
    this.maybeRotate();
  }

  /** Writes the final snapshot (call after OurDB is closed); the journal goes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const journal = this.journal;
    this.journal = undefined;
    if (journal === undefined) return;
    try {
      journal.close();
      if (this.failure) return;
      writeSnapshot(this.options.dir, this.gen + 1, this.index.state(), [...this.pending]);
      this.gen++;
      removeFile(this.options.dir, JOURNAL_FILE);
    } catch (error) {
      // The previous snapshot and its journal still describe the store: the next open replays them.
      this.options.log(
        "warn",
        `job index: could not write the snapshot at close: ${(error as Error).message}`,
      );
    }
  }

  private startSession(writeSnapshotFirst: boolean): void {
    fs.mkdirSync(this.options.dir, { recursive: true });
    if (writeSnapshotFirst) {
      writeSnapshot(this.options.dir, this.gen + 1, this.index.state(), []);
      this.gen++;
    }
    this.journal = IndexJournal.create(this.options.dir, { gen: this.gen, bootId: this.bootId }, []);
  }

  private maybeRotate(): void {
    const journal = this.journal;
    const threshold = this.options.rotateEntries ?? Math.max(ROTATE_MIN_ENTRIES, this.index.end / 2);
    if (!journal || journal.entries < threshold) return;
    try {
      journal.flush();
      writeSnapshot(this.options.dir, this.gen + 1, this.index.state(), [...this.pending]);
    } catch (error) {
      // The old snapshot and journal stay in use; try again after as many entries.
      journal.entries = 0;
      this.options.log("warn", `job index: could not write a snapshot: ${(error as Error).message}`);
      return;
    }
    this.gen++;
    journal.close();
    this.journal = undefined;
    try {
      this.journal = IndexJournal.create(this.options.dir, { gen: this.gen, bootId: this.bootId }, []);
    } catch (error) {
      // Status changes can no longer be journaled for the new snapshot: refuse them until reopened.
      this.failure = error as Error;
      this.options.log("warn", `job index: could not start a journal: ${(error as Error).message}`);
    }
  }
}

interface Loaded {
  index: JobIndex | undefined;
  gen: number;
  /** The index differs from the snapshot on disk. */
  dirty: boolean;
  /** A reader may have raced a rotation. */
  retry: boolean;
}

/** The snapshot with its journal applied, or no index (report.reason says why). */
function loadFiles(dir: string, bootId: string, pending: Set<number>, report: IndexOpenReport): Loaded {
  pending.clear();
  report.reason = undefined;
  let snapshot: Snapshot | undefined;
  try {
    snapshot = readSnapshot(dir);
    if (snapshot === undefined) return { index: undefined, gen: 0, dirty: true, retry: false };
    const snap = snapshot;
    const index = JobIndex.fromState(snap.state);
    for (const id of snap.pending) pending.add(id);
    let foreignBoot = false;
    const journal = readJournal(
      dir,
      (h) => {
        foreignBoot = h.gen === snap.gen && h.bootId !== bootId;
        return h.gen === snap.gen && !foreignBoot;
      },
      replayInto(index, pending),
    );
    if (journal && journal.header.gen > snap.gen) {
      report.reason = `the journal (gen ${journal.header.gen}) is newer than the snapshot (gen ${snap.gen})`;
      return { index: undefined, gen: snap.gen, dirty: true, retry: true };
    }
    if (foreignBoot) {
      report.reason =
        "the machine restarted while the store was open (the index journal may have lost writes)";
      return { index: undefined, gen: snap.gen, dirty: true, retry: false };
    }
    report.replayed = journal?.entries ?? 0;
    report.source = journal && journal.header.gen === snap.gen ? "journal" : "snapshot";
    return { index, gen: snap.gen, dirty: report.replayed > 0, retry: false };
  } catch (error) {
    report.reason = (error as Error).message;
    return { index: undefined, gen: snapshot?.gen ?? 0, dirty: true, retry: true };
  }
}

function replayInto(index: JobIndex, pending: Set<number>): JournalVisitor {
  return {
    intent: (id) => pending.add(id),
    commit: (id, code) => {
      const status = CODE_STATUS[code];
      if (status === undefined) throw new Error(`index journal: unknown status code ${code}`);
      if (index.has(id)) index.setStatus(id, status);
      pending.delete(id);
    },
    create: (id, createdAt, topic) => {
      if (!index.has(id)) index.put(id, topic, createdAt, "new");
    },
  };
}

/** Reads the job into the index; false when there is no such job or its record is unreadable. */
async function put(o: IndexKeeperOptions, index: JobIndex, id: number): Promise<boolean> {
  try {
    const job = await o.readJob(id);
    if (job === undefined) return false;
    index.put(id, job.topic, job.createdAt, job.status);
    return true;
  } catch (error) {
    o.log("warn", `job index: job ${id} left out: ${(error as Error).message}`);
    return false;
  }
}
