import fs from "node:fs";
import { hasPendingCondense, installCondensed } from "./condense.js";
import { DataFiles } from "./data-files.js";
import { invalid, OurDBError } from "./errors.js";
import type { Journal, JournalEntry } from "./journal.js";
import { acquireLock } from "./lockfile.js";
import type { Lookup } from "./lookup.js";
import { LookupStore } from "./lookup-store.js";
import type { ResolvedOptions } from "./options.js";
import { HEADER_SIZE } from "./record.js";

/** Everything an open database holds, as opening leaves it. */
export interface OpenedFiles {
  options: ResolvedOptions;
  dataFiles: DataFiles;
  lookup: Lookup;
  nextId: number;
  store: LookupStore;
  /** Absent when read-only. */
  journal: Journal | undefined;
  releaseLock: () => void;
  warnings: string[];
}

/**
 * Opens a database folder: takes the lock, finishes an interrupted condense or checkpoint, loads the
 * lookup snapshot and replays the journal on it (rewriting records a crash lost), then starts a
 * fresh journal — after a checkpoint when the old one held anything.
 */
export async function openFiles(o: ResolvedOptions): Promise<OpenedFiles> {
  if (o.readOnly && o.reset) throw invalid("reset cannot be combined with readOnly");
  if (o.reset) fs.rmSync(o.path, { recursive: true, force: true });
  if (o.readOnly && !fs.existsSync(o.path)) throw invalid(`no database at ${o.path}`);
  fs.mkdirSync(o.path, { recursive: true });
  const releaseLock = o.readOnly ? () => {} : acquireLock(o.path);
  const dataFiles = new DataFiles(o.path, o.readOnly, o.recordSizeMax, o.cacheSize);
  try {
    if (o.readOnly && hasPendingCondense(o.path)) {
      throw new OurDBError(
        "OURDB_ERR_READ_ONLY",
        `${o.path} has an unfinished condense: open it read-write once`,
      );
    }
    if (!o.readOnly) installCondensed(o.path);
    const store = new LookupStore(o.path);
    if (!o.readOnly) fs.mkdirSync(store.dir, { recursive: true });
    dataFiles.locateEnd();
    const snapshot = await store.settleCheckpoint(o.readOnly);
    const { lookup, inc } = store.loadSnapshot(snapshot, o.keysize, o.recordNrMax);
    const journal = store.readJournal();
    const maxJournalId = replay(journal.entries, lookup, o.readOnly ? undefined : dataFiles);
    dataFiles.locateEnd();
    const nextId = Math.max(1, inc, maxJournalId + 1, lookup.maxId() + 1);
    const warnings: string[] = [];
    if (journal.tornBytes > 0) {
      warnings.push(
        `journal: ignored ${journal.tornBytes} bytes of a torn entry (a write that was never acknowledged)`,
      );
    }
    let fresh: Journal | undefined;
    if (!o.readOnly) {
      const dirty = journal.entries.length > 0 || journal.tornBytes > 0;
      const inc = o.incrementalMode ? nextId : undefined;
      fresh = dirty ? await store.checkpoint(lookup, o.keysize, inc, dataFiles) : store.freshJournal();
    }
    return { options: o, dataFiles, lookup, nextId, store, journal: fresh, releaseLock, warnings };
  } catch (err) {
    dataFiles.close();
    releaseLock();
    throw err;
  }
}

/** Redoes the journal on the snapshot; returns the largest id it names. Without `dataFiles` only the lookup is rebuilt. */
function replay(entries: JournalEntry[], lookup: Lookup, dataFiles: DataFiles | undefined): number {
  let max = 0;
  for (const entry of entries) {
    if (entry.kind === "set") {
      dataFiles?.writeAt(entry.loc, entry.record);
      lookup.set(entry.id, entry.loc);
    } else {
      dataFiles?.writeAt(entry.loc, Buffer.alloc(HEADER_SIZE + entry.length));
      lookup.set(entry.id, 0);
    }
    max = Math.max(max, entry.id);
  }
  return max;
}
