import fs from "node:fs";
import path from "node:path";
import type { DataFiles } from "./data-files.js";
import { OurDBError } from "./errors.js";
import { fsyncDir, removeIfExists, writeFileSynced } from "./fsutil.js";
import { Journal, type JournalContents, readJournal } from "./journal.js";
import { Lookup } from "./lookup.js";

export const LOOKUP_DIR = "lookup_dump.db";

/**
 * The persisted lookup: the snapshot `data` + `.inc` in the designed format, plus our journal of what
 * happened since. A checkpoint writes a new snapshot and starts an empty journal:
 *   1. sync data files; write data.tmp and .inc.tmp, synced
 *   2. rename journal → journal.old; create a fresh journal
 *   3. rename .inc.tmp → .inc, data.tmp → data
 *   4. remove journal.old
 * A crash after 2 leaves journal.old beside a complete data.tmp, and opening rolls forward to 3 and 4;
 * a crash before 2 leaves the old snapshot and journal, still valid, and stray .tmp files that are removed.
 */
export class LookupStore {
  readonly dir: string;

  constructor(dbDir: string) {
    this.dir = path.join(dbDir, LOOKUP_DIR);
  }

  private file(name: "data" | ".inc" | "journal" | "journal.old" | "data.tmp" | ".inc.tmp"): string {
    return path.join(this.dir, name);
  }

  get journalPath(): string {
    return this.file("journal");
  }

  /** Finishes or discards an interrupted checkpoint. Read-only: returns the snapshot file to read instead. */
  async settleCheckpoint(readOnly: boolean): Promise<string> {
    const interrupted = fs.existsSync(this.file("journal.old")) && fs.existsSync(this.file("data.tmp"));
    if (readOnly) return interrupted ? this.file("data.tmp") : this.file("data");
    if (interrupted) {
      if (fs.existsSync(this.file(".inc.tmp"))) fs.renameSync(this.file(".inc.tmp"), this.file(".inc"));
      fs.renameSync(this.file("data.tmp"), this.file("data"));
    }
    for (const stray of ["journal.old", "data.tmp", ".inc.tmp"] as const)
      await removeIfExists(this.file(stray));
    await fsyncDir(this.dir);
    return this.file("data");
  }

  /** The snapshot and the next incremental id it recorded (0 when absent). */
  loadSnapshot(snapshotPath: string, keysize: number, recordNrMax: number): { lookup: Lookup; inc: number } {
    const data = fs.existsSync(snapshotPath) ? fs.readFileSync(snapshotPath) : Buffer.alloc(0);
    const lookup = Lookup.deserialize(data, keysize, recordNrMax);
    const incPath = snapshotPath.endsWith(".tmp") ? this.file(".inc.tmp") : this.file(".inc");
    const incText = fs.existsSync(incPath) ? fs.readFileSync(incPath, "utf8").trim() : "";
    const inc = incText === "" ? 0 : Number(incText);
    if (!Number.isSafeInteger(inc) || inc < 0) {
      throw new OurDBError("OURDB_ERR_CORRUPT", `${LOOKUP_DIR}/.inc is invalid: ${JSON.stringify(incText)}`);
    }
    return { lookup, inc };
  }

  readJournal(): JournalContents {
    return readJournal(this.file("journal"));
  }

  /** Replaces the journal with a fresh one without a checkpoint (only when it holds nothing). */
  freshJournal(): Journal {
    return Journal.create(this.file("journal"));
  }

  async checkpoint(
    lookup: Lookup,
    keysize: number,
    nextId: number | undefined,
    dataFiles: DataFiles,
    old?: Journal,
  ) {
    await dataFiles.syncAll();
    await fsyncDir(path.dirname(this.dir));
    await writeFileSynced(this.file("data.tmp"), lookup.serialize(keysize));
    if (nextId !== undefined) await writeFileSynced(this.file(".inc.tmp"), String(nextId));
    await fsyncDir(this.dir);
    old?.close();
    if (fs.existsSync(this.file("journal"))) fs.renameSync(this.file("journal"), this.file("journal.old"));
    await fsyncDir(this.dir);
    const journal = Journal.create(this.file("journal"));
    if (nextId !== undefined) fs.renameSync(this.file(".inc.tmp"), this.file(".inc"));
    fs.renameSync(this.file("data.tmp"), this.file("data"));
    await fsyncDir(this.dir);
    await removeIfExists(this.file("journal.old"));
    await fsyncDir(this.dir);
    return journal;
  }
}
